from django import forms
from django.utils.translation import gettext_lazy as _

from core.fields import TechField

from .models import BIO_MAX, MESSAGE_MAX, Language


class ExpertProfileForm(forms.Form):
    fields = forms.MultipleChoiceField(
        label=_("Fields of expertise"), choices=TechField.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you judge in"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )
    bio = forms.CharField(
        label=_("Expert bio"),
        required=False,
        max_length=BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your experience as an expert or judge, in a few lines."),
    )
    is_active = forms.BooleanField(label=_("Organisers may invite me to judge"), required=False, initial=True)


class AddExpertForm(forms.Form):
    """An organiser adds someone with an account to the pool."""

    email = forms.EmailField(label=_("E-mail address of their account"))
    fields = forms.MultipleChoiceField(
        label=_("Fields of expertise"), choices=TechField.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=Language.choices, widget=forms.CheckboxSelectMultiple
    )


class PoolFilterForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False, choices=[("", _("All fields")), *TechField.choices])
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    round = forms.TypedChoiceField(label=_("Round"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", _("The whole event")), *((r.pk, r.name) for r in rounds)]


class InviteForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the expert"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
