from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User

from . import services
from .forms import EventEditForm, EventForm, RoleGrantForm
from .models import Event, Role
from .selectors import event_members


def _visible_event(request, slug: str) -> Event:
    event = get_object_or_404(Event.objects.select_related("organiser_organisation"), slug=slug)
    if not services.can(request.user, "event.view", event):
        # Unpublished events do not exist for people without a role in them.
        raise Http404(_("No such event."))
    return event


def event_detail(request, slug: str):
    event = _visible_event(request, slug)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "my_roles_display": [Role(r).label for r in sorted(services.user_roles(request.user, event))],
            "can_manage": services.can(request.user, "event.manage", event),
            "is_audience": Role.AUDIENCE in services.user_roles(request.user, event),
        },
    )


@login_required
def event_create(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only site staff can create events."))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was created. You are its first organiser."))
            return redirect("events:manage", slug=event.slug)
    return render(request, "events/form.html", {"form": form, "creating": True})


@login_required
def event_manage(request, slug: str):
    event = _visible_event(request, slug)
    services.require(request.user, "event.manage", event)
    form = EventEditForm(request.POST or None, instance=event, prefix="event")
    grant_form = RoleGrantForm(prefix="grant")
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(event=event, changed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The event was saved."))
            return redirect("events:manage", slug=event.slug)
    return render(
        request,
        "events/manage.html",
        {"event": event, "form": form, "grant_form": grant_form, "members": event_members(event)},
    )


@login_required
@require_POST
def role_grant(request, slug: str):
    event = _visible_event(request, slug)
    services.require(request.user, "event.grant_roles", event)
    grant_form = RoleGrantForm(request.POST, prefix="grant")
    if grant_form.is_valid():
        services.role_grant(
            event=event, user=grant_form.user, role=grant_form.cleaned_data["role"], granted_by=request.user
        )
        messages.success(
            request,
            _("%(person)s is now %(role)s.")
            % {"person": grant_form.user.email, "role": Role(grant_form.cleaned_data["role"]).label},
        )
        return redirect("events:manage", slug=event.slug)
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "form": EventEditForm(instance=event, prefix="event"),
            "grant_form": grant_form,
            "members": event_members(event),
        },
        status=400,
    )


@login_required
@require_POST
def audience_join(request, slug: str):
    event = _visible_event(request, slug)
    if request.POST.get("leave"):
        services.audience_leave(event=event, user=request.user)
        messages.success(request, _("You no longer follow this event."))
    else:
        services.audience_join(event=event, user=request.user)
        messages.success(
            request, _("You follow this event: you can now mark interest in projects in its roadshow rooms.")
        )
    return redirect(event.get_absolute_url())


@login_required
@require_POST
def role_revoke(request, slug: str):
    event = _visible_event(request, slug)
    user = get_object_or_404(User, pk=request.POST.get("user"))
    role = request.POST.get("role", "")
    try:
        services.role_revoke(event=event, user=user, role=role, revoked_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The role was removed."))
    return redirect("events:manage", slug=event.slug)
