import re

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import BIO_MAX_LENGTH, Organisation, User

# Han characters: a typed organisation name containing them is stored as the Chinese name.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class ProfileForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=capfirst(User._meta.get_field("organisation").verbose_name),
        queryset=Organisation.objects.all(),
        required=False,
        empty_label=_("Not listed / none"),
    )
    organisation_other = forms.CharField(
        label=_("Organisation not in the list"),
        max_length=200,
        required=False,
        help_text=_("Type its full name if you cannot find it above; it is added to the list."),
    )

    class Meta:
        model = User
        fields = ["name_zh", "name_en", "organisation", "country", "expertise", "bio", "language"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}

    field_order = [*Meta.fields[:3], "organisation_other", *Meta.fields[3:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bio"].help_text = gettext(
            "At most %(limit)s characters: your background, your project or what you are looking for."
        ) % {"limit": BIO_MAX_LENGTH}

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("name_zh") or cleaned.get("name_en")) and not self.has_error("name_zh"):
            self.add_error("name_zh", _("Enter your name in Chinese or in English (or both)."))
        if cleaned.get("organisation") and cleaned.get("organisation_other"):
            self.add_error("organisation_other", _("Choose an organisation from the list or type one, not both."))
        return cleaned

    def organisation_names(self) -> dict[str, str] | None:
        """The typed organisation as ``name_zh``/``name_en`` keywords, or None when none was typed."""
        typed = self.cleaned_data.get("organisation_other", "").strip()
        if not typed:
            return None
        return {"name_zh": typed} if _HAN.search(typed) else {"name_en": typed}


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label=_("New avatar"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["avatar"].help_text = gettext(
            "JPEG, PNG, WebP or GIF, at most %(limit)s. It is shrunk to 512 pixels and stripped of metadata."
        ) % {"limit": filesizeformat(settings.AVATAR_MAX_BYTES)}
