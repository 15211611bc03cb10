"""Event rules: the permission helper every app asks, and role and event changes."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User

from .models import Event, EventRole, Role
from .permissions import PUBLIC, SIGNED_IN, roles_for
from .selectors import GRANTS_CACHE_ATTR

_CACHE_ATTR = "_event_roles_cache"


def user_roles(user, event: Event) -> frozenset[str]:
    """The roles ``user`` holds in ``event`` (empty for anonymous users), cached on the user object."""
    if user is None or not user.is_authenticated or event.pk is None:
        return frozenset()
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTR, cache)
    if event.pk not in cache:
        cache[event.pk] = frozenset(
            EventRole.objects.filter(user_id=user.pk, event_id=event.pk).values_list("role", flat=True)
        )
    return cache[event.pk]


def _forget_roles(user) -> None:
    for name in (_CACHE_ATTR, GRANTS_CACHE_ATTR):
        if hasattr(user, name):
            delattr(user, name)


def can(user, action: str, event: Event) -> bool:
    """May ``user`` do ``action`` in ``event``?

    Rules: site staff may do everything; otherwise the user needs one of the action's
    roles in *this* event. Public and signed-in actions apply to published events only,
    or to unpublished events for people who hold a role that may see them.
    """
    allowed = roles_for(action)
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        return True
    held = user_roles(user, event) if user is not None and user.is_active else frozenset()
    if held & allowed:
        return True
    visible = event.is_published or bool(held & roles_for("event.view_unpublished"))
    if not visible:
        return False
    if PUBLIC in allowed:
        return True
    if SIGNED_IN in allowed:
        return bool(user is not None and user.is_authenticated and user.is_active)
    return False


def require(user, action: str, event: Event) -> None:
    """Raise ``PermissionDenied`` unless ``can(user, action, event)``."""
    if not can(user, action, event):
        raise PermissionDenied(_("You do not have permission to do this in this event."))


def role_grant(*, event: Event, user: User, role: str, granted_by: User | None) -> EventRole:
    """Give ``user`` a role in ``event``. Granting a role someone already holds changes nothing."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="bad_role")
    if granted_by is not None:
        require(granted_by, "event.grant_roles", event)
    try:
        with transaction.atomic():
            grant, _created = EventRole.objects.get_or_create(
                event=event, user=user, role=role, defaults={"granted_by": granted_by}
            )
    except IntegrityError:
        grant = EventRole.objects.get(event=event, user=user, role=role)
    _forget_roles(user)
    return grant


def audience_join(*, event: Event, user: User) -> EventRole:
    """A signed-in person follows a published event as audience (needed to mark interest in rooms).

    Joining twice changes nothing; no other role can be taken this way.
    """
    require(user, "event.join_audience", event)
    return role_grant(event=event, user=user, role=Role.AUDIENCE, granted_by=None)


def audience_leave(*, event: Event, user: User) -> bool:
    """Stop following an event; only the audience role is removed."""
    deleted, _detail = EventRole.objects.filter(event=event, user=user, role=Role.AUDIENCE).delete()
    _forget_roles(user)
    return bool(deleted)


def role_revoke(*, event: Event, user: User, role: str, revoked_by: User | None) -> bool:
    """Take a role away. The last organiser of an event cannot be removed."""
    if revoked_by is not None:
        require(revoked_by, "event.grant_roles", event)
    if role == Role.ORGANISER:
        others = EventRole.objects.filter(event=event, role=Role.ORGANISER).exclude(user=user)
        if not others.exists():
            raise ValidationError(_("An event needs at least one organiser."), code="last_organiser")
    deleted, _detail = EventRole.objects.filter(event=event, user=user, role=role).delete()
    _forget_roles(user)
    return bool(deleted)


def event_create(
    *,
    created_by: User,
    slug: str,
    kind: str,
    title_zh: str,
    title_en: str,
    starts_on: date,
    ends_on: date,
    description_zh: str = "",
    description_en: str = "",
    location_zh: str = "",
    location_en: str = "",
    organiser_organisation: Organisation | None = None,
    is_published: bool = False,
) -> Event:
    """Create an event (site staff only) and make its creator its first organiser."""
    if not (created_by.is_authenticated and created_by.is_staff):
        raise PermissionDenied(_("Only site staff can create events."))
    event = Event(
        slug=slug,
        kind=kind,
        title_zh=title_zh,
        title_en=title_en,
        description_zh=description_zh,
        description_en=description_en,
        location_zh=location_zh,
        location_en=location_en,
        starts_on=starts_on,
        ends_on=ends_on,
        organiser_organisation=organiser_organisation,
        is_published=is_published,
    )
    event.full_clean()
    with transaction.atomic():
        event.save()
        EventRole.objects.create(event=event, user=created_by, role=Role.ORGANISER, granted_by=created_by)
    return event


def event_update(*, event: Event, changed_by: User, **fields) -> Event:
    """Change an event's details (its organisers or site staff)."""
    require(changed_by, "event.manage", event)
    editable = {
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
    }
    unknown = set(fields) - editable
    if unknown:
        raise ValueError(f"Fields not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    return event
