"""Organiser forms: a room (titles, visibility, start, video source) and its agenda."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from judging.models import Round
from registration.models import Entry

from . import services
from .models import MAX_PITCH_MINUTES, RoadshowRoom

RESERVED_SLUGS = {"new"}  # /rooms/new/<event>/ is the page that opens a room
DATETIME_LOCAL = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}


class RoomForm(forms.ModelForm):
    """The room's own fields; the model's rules (title, one video source, approved host) are checked too."""

    class Meta:
        model = RoadshowRoom
        fields = [
            "title_zh",
            "title_en",
            "slug",
            "visibility",
            "scheduled_start",
            "hls_url",
            "embed_url",
            "recording",
            "judging_round",
        ]
        widgets = {"scheduled_start": forms.DateTimeInput(**DATETIME_LOCAL)}

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        event = event or (self.instance.event if self.instance.event_id else None)
        # Only a live round of the room's own event can be scored in the room.
        rounds = Round.objects.filter(event=event, live=True) if event else Round.objects.none()
        self.fields["judging_round"].queryset = rounds
        self.fields["embed_url"].help_text = _("An https address on one of the approved video hosts: %(hosts)s.") % {
            "hosts": ", ".join(settings.LIVESTREAM_EMBED_HOSTS)
        }
        self.fields["recording"].help_text = _("MP4 or WebM, at most %(megabytes)d MB. Shown after the room ends.") % {
            "megabytes": settings.LIVESTREAM_RECORDING_MAX_BYTES // (1024 * 1024)
        }
        self.fields["recording"].widget.attrs["accept"] = ",".join(services.RECORDING_KINDS)
        if self.instance.pk:
            # Viewers' pages and sockets use the address: it does not change once the room exists.
            self.fields["slug"].disabled = True

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This short name is reserved. Choose another one."), code="reserved")
        return slug

    def clean_recording(self):
        recording = self.cleaned_data.get("recording")
        if isinstance(recording, UploadedFile):
            services.recording_check(upload=recording)
        return recording

    def room_fields(self) -> dict:
        """The cleaned fields as the services take them: a recording only when uploaded or cleared."""
        fields = {name: self.cleaned_data[name] for name in services.ROOM_EDITABLE_FIELDS if name != "recording"}
        recording = self.cleaned_data.get("recording")
        if recording is False:
            fields["recording"] = ""
        elif isinstance(recording, UploadedFile):
            fields["recording"] = recording
        return fields


class AgendaSlotForm(forms.Form):
    """One row of the agenda page. The entry choices are built once for all rows (see ``agenda_choices``)."""

    entry = forms.TypedChoiceField(label=_("Entry"), coerce=int, required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), min_value=1, max_value=MAX_PITCH_MINUTES, initial=8, required=False
    )
    planned_start = forms.DateTimeField(
        label=_("Planned start"), required=False, widget=forms.DateTimeInput(**DATETIME_LOCAL)
    )

    def __init__(self, *args, entry_choices: list[tuple], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "—"), *entry_choices]

    def clean(self):
        data = super().clean()
        if data.get("entry") and not data.get("duration_minutes") and "duration_minutes" not in self.errors:
            self.add_error("duration_minutes", _("How many minutes does this pitch take?"))
        return data


class BaseAgendaFormSet(forms.BaseFormSet):
    def items(self) -> list[dict]:
        """The filled rows in the chosen order, as ``services.agenda_set`` takes them."""
        rows = [
            form
            for form in self.forms
            if form.cleaned_data.get("entry") and not (self.can_delete and self._should_delete_form(form))
        ]
        rows.sort(key=lambda form: (form.cleaned_data.get("ORDER") is None, form.cleaned_data.get("ORDER") or 0))
        return [
            {
                "entry_id": form.cleaned_data["entry"],
                "duration_minutes": form.cleaned_data["duration_minutes"],
                "planned_start": form.cleaned_data["planned_start"],
            }
            for form in rows
        ]


AgendaFormSet = forms.formset_factory(
    AgendaSlotForm,
    formset=BaseAgendaFormSet,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=settings.LIVESTREAM_AGENDA_MAX_SLOTS,
    absolute_max=settings.LIVESTREAM_AGENDA_MAX_SLOTS,
)


def agenda_choices(entries: list[Entry]) -> list[tuple[int, str]]:
    return [(entry.pk, f"{entry} · {entry.reference} · {entry.get_status_display()}") for entry in entries]
