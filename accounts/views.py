from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import AvatarForm, ProfileForm


def _profile_page(request, *, form: ProfileForm, avatar_form: AvatarForm, status: int = 200):
    return render(request, "accounts/profile.html", {"form": form, "avatar_form": avatar_form}, status=status)


@login_required
def profile(request):
    if request.method != "POST":
        form = ProfileForm(instance=request.user, prefix="profile")
        return _profile_page(request, form=form, avatar_form=AvatarForm())

    form = ProfileForm(request.POST, instance=request.user, prefix="profile")
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        typed_organisation = form.organisation_names()
        try:
            if typed_organisation:
                fields["organisation"] = services.organisation_get_or_create(**typed_organisation)
            services.profile_update(user=request.user, **fields)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            translation.activate(request.user.language)
            messages.success(request, _("Your profile was saved."))
            response = redirect("accounts:profile")
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
            return response
    # The form was bound to request.user and may have changed it in memory: show the stored profile.
    request.user.refresh_from_db()
    return _profile_page(request, form=form, avatar_form=AvatarForm(), status=400)


@login_required
@require_POST
def avatar_upload(request):
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.avatar_set(user=request.user, upload=form.cleaned_data["avatar"])
        except ValidationError as exc:
            form.add_error("avatar", exc)
        else:
            messages.success(request, _("Your avatar was updated."))
            return redirect("accounts:profile")
    profile_form = ProfileForm(instance=request.user, prefix="profile")
    return _profile_page(request, form=profile_form, avatar_form=form, status=400)


@login_required
@require_POST
def avatar_remove(request):
    services.avatar_remove(user=request.user)
    messages.success(request, _("Your avatar was removed."))
    return redirect("accounts:profile")
