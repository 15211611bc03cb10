"""Forms of the registration pages. They parse input; the rules stay in ``services``."""

import hashlib
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms import inlineformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import services
from .models import Attachment, Entry, Question, RegistrationSettings, Status, TeamMember, Track

CHINA_TIME = ZoneInfo("Asia/Shanghai")


def _no_silent_cut(form: forms.BaseForm) -> None:
    """Drop ``maxlength`` from text areas: a browser cuts pasted text at that length without a
    word, while the server refuses it with a message that says how long it is, keeping the text."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.pop("maxlength", None)


class EntryForm(forms.ModelForm):
    """The entry's own fields. Nothing is required here: drafts may be incomplete."""

    class Meta:
        model = Entry
        fields = [
            "title_zh",
            "title_en",
            "track",
            "stage",
            "summary",
            "technology",
            "ip_summary",
            "patent_count",
            "funding_sought",
            "planned_city",
            "planned_park",
            "video_url",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "technology": forms.Textarea(attrs={"rows": 4}),
            "ip_summary": forms.Textarea(attrs={"rows": 3}),
            "video_url": forms.URLInput(attrs={"placeholder": "https://"}),
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(event=event)
        self.fields["track"].empty_label = _("Choose a track")
        self.fields["stage"].choices = [("", _("Choose a stage")), *Entry.Stage.choices]
        self.fields["funding_sought"].widget.attrs.update({"min": "0", "step": "10000"})
        for field in self.fields.values():
            field.required = False
        self.fields["patent_count"].initial = 0
        _no_silent_cut(self)

    def clean_patent_count(self):
        return self.cleaned_data.get("patent_count") or 0


class AnswersForm(forms.Form):
    """One field per non-file question of the event, checked by ``services.answer_clean``."""

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if q.kind != Question.Kind.FILE]
        for question in self.questions:
            self.fields[f"q_{question.pk}"] = self._field_for(question)
        _no_silent_cut(self)

    @staticmethod
    def _field_for(question: Question) -> forms.Field:
        common = {"label": question.label, "help_text": question.help_text, "required": False}
        if question.kind == Question.Kind.SINGLE:
            return forms.ChoiceField(
                choices=question.choice_items(),
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                **common,
            )
        if question.kind == Question.Kind.MULTIPLE:
            return forms.MultipleChoiceField(
                choices=question.choice_items(),
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                **common,
            )
        if question.kind == Question.Kind.NUMBER:
            return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=question.max_length, **common)

    def clean(self):
        data = super().clean()
        for question in self.questions:
            name = f"q_{question.pk}"
            if name in data:
                try:
                    data[name] = services.answer_clean(question, data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data[f"q_{q.pk}"] for q in self.questions if f"q_{q.pk}" in self.cleaned_data}


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["name", "role", "email", "organisation", "country", "years_abroad"]


TeamFormSet = inlineformset_factory(
    Entry, TeamMember, form=TeamMemberForm, extra=1, can_delete=True, max_num=50, validate_max=True
)


def team_formset(entry: Entry, data=None) -> forms.BaseInlineFormSet:
    formset = TeamFormSet(data, instance=entry, prefix="team", queryset=entry.team.order_by("-is_lead", "position"))
    for form in formset.forms:
        if form.instance.pk and form.instance.is_lead:
            # The lead's own row stays: its delete box is not offered.
            form.fields.pop("DELETE", None)
        elif "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
    return formset


class FilesForm(forms.Form):
    """New files for the entry; each is checked by content in ``services.attachment_add``."""

    deck = forms.FileField(
        label=_("Pitch deck (PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    photo = forms.FileField(
        label=_("Add a photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.file_questions = [q for q in questions if q.kind == Question.Kind.FILE]
        for question in self.file_questions:
            self.fields[f"file_q_{question.pk}"] = forms.FileField(
                label=question.label,
                help_text=question.help_text,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/*"}),
            )

    def uploads(self) -> list[tuple[str, str, Question | None, object]]:
        """(field name, attachment kind, question, upload) for every file chosen."""
        chosen = []
        for name, kind in (("deck", Attachment.Kind.DECK), ("logo", Attachment.Kind.LOGO), ("photo", "photo")):
            if self.cleaned_data.get(name):
                chosen.append((name, kind, None, self.cleaned_data[name]))
        for question in self.file_questions:
            upload = self.cleaned_data.get(f"file_q_{question.pk}")
            if upload:
                chosen.append((f"file_q_{question.pk}", Attachment.Kind.ANSWER, question, upload))
        return chosen


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Organiser ------------------------------------------------------------------------------


class ChinaTimeField(forms.DateTimeField):
    """A date and time typed in China time (the programme's reference zone)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def prepare_value(self, value):
        if hasattr(value, "astimezone"):
            return value.astimezone(CHINA_TIME).strftime("%Y-%m-%dT%H:%M")
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=CHINA_TIME)
        for fmt in self.input_formats:
            try:
                return datetime.strptime(str(value).strip(), fmt).replace(tzinfo=CHINA_TIME)
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class RegistrationSettingsForm(forms.ModelForm):
    opens_at = ChinaTimeField(
        label=_("Registration opens (China time)"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    closes_at = ChinaTimeField(
        label=_("Registration closes (China time)"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )

    class Meta:
        model = RegistrationSettings
        fields = [
            "opens_at",
            "closes_at",
            "require_deck",
            "require_logo",
            "max_team_members",
            "reminder_days_before",
            "notes_zh",
            "notes_en",
        ]
        widgets = {"notes_zh": forms.Textarea(attrs={"rows": 4}), "notes_en": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # ModelForm would convert to the server zone; the fields above keep China time.
        if self.instance.pk:
            self.initial["opens_at"] = self.instance.opens_at
            self.initial["closes_at"] = self.instance.closes_at

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("Registration must close after it opens."))
        return data

    def _post_clean(self):
        # The service validates and saves; the model instance is not touched here.
        pass


class TrackForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = ["name_zh", "name_en", "description_zh", "description_en", "position"]
        widgets = {
            "description_zh": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self):
        data = super().clean()
        if not (data.get("name_zh", "").strip() or data.get("name_en", "").strip()):
            raise ValidationError(_("Give the track a name in Chinese, English or both."))
        return data

    def _post_clean(self):
        pass


def _choice_value(zh: str, en: str) -> str:
    value = slugify(en)[:40]
    return value or "c" + hashlib.sha1(zh.encode(), usedforsecurity=False).hexdigest()[:8]


def choices_from_text(text: str) -> list[dict]:
    """Parse one choice a line, written ``中文 | English`` (either side may be left out)."""
    choices = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        zh, _sep, en = (part.strip() for part in line.partition("|"))
        if not _sep and re.fullmatch(r"[\x00-\x7f]+", zh):
            zh, en = "", zh
        choices.append({"value": _choice_value(zh, en), "zh": zh, "en": en})
    return choices


def choices_to_text(choices: list[dict]) -> str:
    return "\n".join(f"{c.get('zh', '')} | {c.get('en', '')}".strip(" |") for c in choices)


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one choice a line, written “中文 | English”."),
    )
    eligible_text = forms.CharField(
        label=_("Eligible answers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For eligibility questions: the choices that make an entry eligible, one a line, as above."),
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "label_zh",
            "label_en",
            "help_zh",
            "help_en",
            "required",
            "is_eligibility",
            "min_value",
            "max_value",
            "max_length",
            "position",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["choices_text"] = choices_to_text(self.instance.choices)
            eligible = [c for c in self.instance.choices if c["value"] in self.instance.eligible_choices]
            self.initial["eligible_text"] = choices_to_text(eligible)
        self.fields["position"].required = False

    def clean(self):
        data = super().clean()
        data["choices"] = choices_from_text(data.get("choices_text", ""))
        data["eligible_choices"] = [c["value"] for c in choices_from_text(data.get("eligible_text", ""))]
        if data.get("position") is None:
            data.pop("position", None)
        return data

    def _post_clean(self):
        pass

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("choices_text", None)
        data.pop("eligible_text", None)
        return data


# --- Screening ------------------------------------------------------------------------------

SORTS = {
    "-submitted_at": _("Newest submission first"),
    "submitted_at": _("Oldest submission first"),
    "title": _("Title"),
    "track": _("Track"),
    "status": pgettext_lazy("entry", "Status"),
    "-funding_sought": _("Largest funding sought first"),
}


class ScreeningFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    status = forms.ChoiceField(label=pgettext_lazy("entry", "Status"), required=False)
    country = forms.CharField(label=_("Country/region of the lead"), required=False, max_length=2)
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORTS.items()))

    def __init__(self, *args, event, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(event=event)
        self.fields["track"].empty_label = _("All tracks")
        self.fields["status"].choices = [("", _("All statuses except drafts")), *Status.choices]
        self.fields["country"].widget = forms.Select(choices=[("", _("All countries/regions")), *countries])


class BulkStatusForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(queryset=Entry.objects.none(), label=_("Entries"))
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in Status if s in services.ORGANISER_STATUSES],
    )
    round_number = forms.IntegerField(label=_("Round"), required=False, min_value=1, max_value=99)
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = Entry.objects.filter(event=event)


class StatusForm(forms.Form):
    to_status = BulkStatusForm.base_fields["to_status"]
    round_number = BulkStatusForm.base_fields["round_number"]
    reason = BulkStatusForm.base_fields["reason"]


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note (organisers only)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
