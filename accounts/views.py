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


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user, prefix="profile")
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user, **{name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
        )
        translation.activate(request.user.language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, request.user.language, samesite="Lax")
        return response
    return render(request, "accounts/profile.html", {"form": form, "avatar_form": AvatarForm()})


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
    return render(request, "accounts/profile.html", {"form": profile_form, "avatar_form": form}, status=400)


@login_required
@require_POST
def avatar_remove(request):
    services.avatar_remove(user=request.user)
    messages.success(request, _("Your avatar was removed."))
    return redirect("accounts:profile")
