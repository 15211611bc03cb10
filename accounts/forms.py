from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name_zh", "name_en", "organisation", "country", "expertise", "bio", "language"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label=_("New avatar"),
        help_text=_("JPEG, PNG, WebP or GIF, at most 2 MB. It is shrunk to 512 pixels and stripped of metadata."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
