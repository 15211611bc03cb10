"""Forms of the outcome-analytics page. They only parse input; ``insights.outcomes`` checks the
permissions, recomputes the suggestion and applies it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .outcomes import OUTCOMES, future_rounds


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.event.title} · {obj.name}"


class ApplyWeightsForm(forms.Form):
    outcome = forms.ChoiceField(choices=list(OUTCOMES.items()), widget=forms.HiddenInput)
    target = RoundChoiceField(label=_("Apply to the round"), queryset=None)
    confirm = forms.BooleanField(
        label=_("I have read the reasoning and want these weights on the chosen round's criteria."), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = future_rounds(user)
