"""Forms for enterprise profiles, needs, and the organisers' match list.

They parse input; the rules (budgets, deadlines, who may post for which enterprise) are the
services', whose ``ValidationError`` the views show on the form.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User

from ..models import EnterpriseProfile, Need
from ..services.needs import ENTERPRISE_KINDS, NEED_FIELDS, ORGANISATION_FIELDS, PROFILE_FIELDS, need_check

EMAIL_SEPARATORS = re.compile(r"[\s,，;；]+")


class NeedForm(forms.Form):
    """A need's fields, and the enterprise it is for when the poster may choose one."""

    def __init__(self, *args, enterprises, need: Need | None = None, **kwargs):
        if need is not None:
            kwargs.setdefault("initial", {**model_to_dict(need, fields=NEED_FIELDS), "enterprise": need.enterprise_id})
        super().__init__(*args, **kwargs)
        self.fields["enterprise"] = forms.ModelChoiceField(
            label=capfirst(_("enterprise")), queryset=enterprises, empty_label=None
        )
        self.fields.update(
            fields_for_model(
                Need,
                fields=NEED_FIELDS,
                widgets={
                    "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                    "description_zh": forms.Textarea(attrs={"rows": 4}),
                    "description_en": forms.Textarea(attrs={"rows": 4}),
                },
            )
        )
        for name in ("budget_min_cny", "budget_max_cny"):
            self.fields[name].widget.attrs["step"] = "1"
        self.need = need

    def clean(self):
        """The services' rules, checked here too so that every broken one is shown at once."""
        cleaned = super().clean()
        kept_deadline = self.need is not None and cleaned.get("deadline") == self.need.deadline
        values = {name: cleaned.get(name) for name in NEED_FIELDS if name not in self.errors}
        try:
            need_check(values=values, deadline_is_new=not kept_deadline)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned

    def need_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in NEED_FIELDS}


class EnterpriseProfileForm(forms.Form):
    """The organisation's name and kind, the profile's texts and, for organisers, the contacts."""

    contacts = forms.CharField(
        label=capfirst(_("contact people")),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E-mail addresses of registered users who act for this enterprise, separated by commas."),
    )

    def __init__(self, *args, enterprise: EnterpriseProfile | None = None, manager: bool = True, **kwargs):
        if enterprise is not None:
            initial = {
                **model_to_dict(enterprise.organisation, fields=ORGANISATION_FIELDS),
                **model_to_dict(enterprise, fields=PROFILE_FIELDS),
                "contacts": ", ".join(user.email for user in enterprise.contacts.all()),
            }
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        contacts = self.fields.pop("contacts")
        self.fields.update(fields_for_model(Organisation, fields=ORGANISATION_FIELDS))
        self.fields["kind"].choices = [(k.value, k.label) for k in ENTERPRISE_KINDS]
        self.fields.update(
            fields_for_model(
                EnterpriseProfile,
                fields=PROFILE_FIELDS,
                widgets={
                    "description_zh": forms.Textarea(attrs={"rows": 4}),
                    "description_en": forms.Textarea(attrs={"rows": 4}),
                },
            )
        )
        self.manager = manager
        if manager:
            self.fields["contacts"] = contacts
        else:
            for name in ORGANISATION_FIELDS:
                self.fields[name].disabled = True

    def clean_contacts(self) -> list[User]:
        emails = [e.lower() for e in EMAIL_SEPARATORS.split(self.cleaned_data["contacts"]) if e]
        users = list(User.objects.filter(email__in=emails))
        missing = sorted(set(emails) - {user.email.lower() for user in users})
        if missing:
            raise forms.ValidationError(
                _("No registered user has the e-mail address: %(emails)s"),
                code="unknown_contact",
                params={"emails": ", ".join(missing)},
            )
        return users

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name_zh") and not cleaned.get("name_en"):
            self.add_error("name_zh", _("Give the organisation a name in Chinese, English or both."))
        return cleaned

    def profile_fields(self) -> dict:
        names = (*PROFILE_FIELDS, *(ORGANISATION_FIELDS if self.manager else ()))
        fields = {name: self.cleaned_data[name] for name in names}
        if self.manager:
            fields["contacts"] = self.cleaned_data["contacts"]
        return fields


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class CuratedMatchAddForm(forms.Form):
    """A suggestion the organiser puts on the match list: a project or a talent, by id."""

    entry = forms.IntegerField(required=False, min_value=1)
    talent = forms.IntegerField(required=False, min_value=1)
    create_lead = forms.BooleanField(required=False)


class CuratedMatchMoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1
