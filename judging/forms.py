"""Judging forms. They only parse input; the rules are checked by ``judging.services``."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from registration.models import Track

from . import sources
from .models import COMMENT_MAX, Criterion, Round
from .services import plain, score_field

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RoundForm(forms.ModelForm):
    """A round's settings; times are entered in the site's time zone (China time)."""

    class Meta:
        model = Round
        fields = [
            "number",
            "name_zh",
            "name_en",
            "pool",
            "tracks",
            "opens_at",
            "closes_at",
            "blind",
            "live",
            "scale_min",
            "scale_max",
            "method",
            "judges_per_entry",
            "advancement_rule",
            "advancement_count",
            "advancement_threshold",
            "advance_to",
            "audience_weight",
            "audience_award",
            "signals_weight",
            "signals_measure",
        ]
        widgets = {
            "opens_at": DATETIME_INPUT,
            "closes_at": DATETIME_INPUT,
            "tracks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tracks"].queryset = Track.objects.filter(event=event).order_by("position", "id")
        self.fields["number"].required = False
        self.fields["audience_award"].queryset = sources.audience_votes().awards_of_event(event.pk).order_by("pk")
        self.fields["signals_measure"].required = False  # empty means the default, people interested
        for name in ("audience_weight", "signals_weight"):
            self.fields[name].required = False  # empty means 0
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "min": "0", "max": "50", "step": "0.01"})
        for name in ("opens_at", "closes_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean_audience_weight(self):
        return self.cleaned_data["audience_weight"] or Decimal(0)

    def clean_signals_weight(self):
        return self.cleaned_data["signals_weight"] or Decimal(0)

    def clean_signals_measure(self):
        return self.cleaned_data["signals_measure"] or Round.SignalsMeasure.INTERESTED

    def _post_clean(self):
        """Skip the model's validation: ``round_create``/``round_update`` check the round, with their messages."""


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    guidance_zh = forms.CharField(
        label=_("Guidance (Chinese)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    guidance_en = forms.CharField(
        label=_("Guidance (English)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.CharField(
        label=_("Weight (%)"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    tie_break = forms.BooleanField(label=_("Breaks ties"), required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=1, can_delete=True, max_num=30, validate_max=True)


def criteria_initial(criteria: list[Criterion], tie_break_id: int | None) -> list[dict]:
    return [
        {
            "id": c.pk,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
            "guidance_zh": c.guidance_zh,
            "guidance_en": c.guidance_en,
            "weight": plain(c.weight),
            "tie_break": c.pk == tie_break_id,
        }
        for c in criteria
    ]


class ScoreForm(forms.Form):
    """One text box per criterion (so any typed value reaches the service, which says what is wrong)."""

    comment_to_organisers = forms.CharField(
        label=_("Comment to the organisers"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the organisers read this."),
    )
    feedback_to_entrant = forms.CharField(
        label=_("Feedback to the entrant (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisers may pass this on to the entrant without your name."),
    )

    def __init__(self, *args, round: Round, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scale = f"{plain(round.scale_min)}–{plain(round.scale_max)}"
        for criterion in criteria:
            self.fields[score_field(criterion.pk)] = forms.CharField(
                label=f"{criterion.name} ({plain(criterion.weight)} %)",
                required=False,
                max_length=20,
                help_text=scale,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "data-min": plain(round.scale_min),
                        "data-max": plain(round.scale_max),
                    }
                ),
            )
        order = [score_field(c.pk) for c in criteria] + ["comment_to_organisers", "feedback_to_entrant"]
        self.order_fields(order)

    def score_fields(self):
        return [(criterion, self[score_field(criterion.pk)]) for criterion in self.criteria]

    def raw_scores(self) -> dict[int, str]:
        """The typed scores by criterion id, unparsed: the service parses and judges them."""
        return {c.pk: self.data.get(self.add_prefix(score_field(c.pk)), "") for c in self.criteria}


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you have a conflict of interest?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentForm(forms.Form):
    judges = forms.ModelMultipleChoiceField(
        label=_("Judges"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, judges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judges"].queryset = judges
        self.fields["judges"].label_from_instance = lambda judge: judge.display_name
