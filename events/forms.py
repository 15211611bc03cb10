from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Event, Role


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "slug",
            "kind",
            "title_zh",
            "title_en",
            "description_zh",
            "description_en",
            "location_zh",
            "location_en",
            "starts_on",
            "ends_on",
            "organiser_organisation",
            "is_published",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description_zh": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
        }

    def clean(self):
        data = super().clean()
        if not data.get("title_zh") and not data.get("title_en"):
            self.add_error("title_zh", _("Give the event a title in Chinese, English or both."))
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The event cannot end before it starts."))
        return data


class EventEditForm(EventForm):
    class Meta(EventForm.Meta):
        fields = [f for f in EventForm.Meta.fields if f != "slug"]


class RoleGrantForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        try:
            self.user = User.objects.get(email__iexact=email)
        except User.DoesNotExist:
            raise forms.ValidationError(
                _("No account uses this e-mail address. Ask the person to sign up first.")
            ) from None
        return email
