"""Forms for leads, meeting requests, fair meetings and outcomes. They only parse input; the
rules (slots, double booking, who may answer) are checked by ``docking.services.meetings``."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from events.models import EventRole, Role

from ..models import Lead, Meeting
from ..selectors.meetings import docking_entries, tables_of
from ..services.meetings import MAX_SLOTS, Slot

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.reference})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        organisation = f" · {obj.organisation.name}" if obj.organisation_id else ""
        return f"{obj.display_name}{organisation}"


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return PersonChoiceField.label_from_instance(self, obj.person)


def moment_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)


def enterprise_side(event):
    """People who may be the enterprise or investor side of a lead or a fair meeting in ``event``."""
    roles = EventRole.objects.filter(event=event, role__in=[Role.ENTERPRISE, Role.AUDIENCE]).values("user_id")
    return (
        User.objects.filter(Q(pk__in=roles) | Q(enterprise_profiles__isnull=False))
        .distinct()
        .select_related("organisation")
        .order_by("name_en", "email")
    )


class LeadForm(forms.Form):
    entry = EntryChoiceField(label=_("Project"), queryset=None)
    person = PersonChoiceField(label=_("Interested person"), queryset=None)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = docking_entries(event).order_by("title_en", "pk")
        self.fields["person"].queryset = enterprise_side(event)


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("lead", "Status"), choices=[("", _("All")), *Lead.Status.choices], required=False
    )
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All")), *Lead.Source.choices], required=False)
    entry = forms.IntegerField(label=_("Project"), required=False, widget=forms.HiddenInput)


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("lead", "Status"), choices=Lead.Status.choices)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class SlotsForm(forms.Form):
    """Up to three proposed times with a message; empty rows are ignored."""

    message = forms.CharField(
        label=_("Message"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, MAX_SLOTS + 1):
            start = moment_field(_("Time %(number)s: starts") % {"number": number})
            end = moment_field(_("Time %(number)s: ends") % {"number": number})
            start.required = end.required = number == 1
            self.fields[f"slot{number}_start"] = start
            self.fields[f"slot{number}_end"] = end

    def clean(self):
        data = super().clean()
        for number in range(1, MAX_SLOTS + 1):
            start, end = data.get(f"slot{number}_start"), data.get(f"slot{number}_end")
            if bool(start) != bool(end) and f"slot{number}_end" not in self.errors:
                self.add_error(f"slot{number}_end", _("Give both the start and the end of this time."))
        return data

    def slots(self) -> list[Slot]:
        data = self.cleaned_data
        return [
            Slot(data[f"slot{number}_start"], data[f"slot{number}_end"])
            for number in range(1, MAX_SLOTS + 1)
            if data.get(f"slot{number}_start") and data.get(f"slot{number}_end")
        ]


class MeetingRequestForm(SlotsForm):
    """A new request; the project's owner also chooses which interested person to meet."""

    def __init__(self, *args, leads=None, **kwargs):
        super().__init__(*args, **kwargs)
        if leads is not None:
            self.fields["lead"] = LeadChoiceField(label=_("Meet"), queryset=leads)
            self.order_fields(["lead"])


class AcceptForm(forms.Form):
    slot = forms.ModelChoiceField(label=_("Time"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    mode = forms.ChoiceField(label=_("Where"), choices=Meeting.Mode.choices, initial=Meeting.Mode.ONLINE)
    online_url = forms.URLField(label=_("Online meeting link"), required=False, assume_scheme="https")
    table = forms.ModelChoiceField(label=_("Table at the fair"), queryset=None, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = request.slots.order_by("starts_at")
        self.fields["table"].queryset = tables_of(request.event)
        if not self.fields["table"].queryset.exists():
            del self.fields["table"]
            self.fields["mode"].choices = [(Meeting.Mode.ONLINE, Meeting.Mode.ONLINE.label)]


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FairMeetingForm(forms.Form):
    entry = EntryChoiceField(label=_("Project"), queryset=None)
    person = PersonChoiceField(label=_("Enterprise or investor"), queryset=None)
    table = forms.ModelChoiceField(label=_("Table"), queryset=None)
    starts_at = moment_field(_("Starts"))
    ends_at = moment_field(_("Ends"))

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = docking_entries(event).select_related("event").order_by("title_en", "pk")
        self.fields["person"].queryset = enterprise_side(event)
        self.fields["table"].queryset = tables_of(event)


class FairTableForm(forms.Form):
    label = forms.CharField(label=_("Table"), max_length=30)
    location = forms.CharField(label=_("Hall or area"), max_length=100, required=False)


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(label=pgettext_lazy("meeting", "Status"), choices=Meeting.Status.choices)
    outcome_notes = forms.CharField(
        label=_("Outcome notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
