"""Forms of the organisers' award pages; the rules are checked by ``awards.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event
from judging.models import Criterion
from registration.models import Status, Track

from .models import Award
from .services import MAX_WINNERS


class CriterionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Criterion) -> str:
        return _("%(round)s · %(criterion)s (%(weight)s %%)") % {
            "round": obj.round.name,
            "criterion": obj.name,
            "weight": f"{obj.weight.normalize():f}",
        }


class AwardForm(forms.Form):
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=Award.Kind.choices)
    track = forms.ModelChoiceField(
        label=_("track"),
        queryset=Track.objects.none(),
        required=False,
        help_text=_("Required for a track prize; optional otherwise."),
    )
    sponsor = forms.CharField(label=_("sponsor"), max_length=200, required=False)
    eligible_statuses = forms.MultipleChoiceField(
        label=_("eligible entry statuses"),
        choices=[(s.value, s.label) for s in Status if s not in (Status.DRAFT, Status.WITHDRAWN)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    overseas_only = forms.BooleanField(
        label=_("overseas teams only"),
        required=False,
        help_text=_("Only entries whose team lead's country/region is set and is not China."),
    )
    criteria = CriterionChoiceField(
        label=_("criteria"),
        queryset=Criterion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Criteria of one judging round; their weights are scaled to total 100 %. Not for audience awards."),
    )
    winner_count = forms.IntegerField(label=_("number of winners"), min_value=1, max_value=MAX_WINNERS, initial=1)
    is_published = forms.BooleanField(label=_("publish the winners"), required=False)

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = Track.objects.filter(event=event)
        self.fields["criteria"].queryset = (
            Criterion.objects.filter(round__event=event).select_related("round").order_by("round__number", "position")
        )


def award_initial(award: Award) -> dict:
    return {
        "name_zh": award.name_zh,
        "name_en": award.name_en,
        "kind": award.kind,
        "track": award.track_id,
        "sponsor": award.sponsor,
        "eligible_statuses": award.eligible_statuses,
        "overseas_only": award.overseas_only,
        "criteria": [c.pk for c in award.criteria.all()],
        "winner_count": award.winner_count,
        "is_published": award.is_published,
    }
