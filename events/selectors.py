"""Reusable reads of events and roles."""

from django.db.models import Q, QuerySet

from .models import Event, EventRole


def events_published() -> QuerySet[Event]:
    return Event.objects.filter(is_published=True).select_related("organiser_organisation")


def events_visible_to(user) -> QuerySet[Event]:
    """Published events, plus unpublished ones where the user holds a role (all for staff)."""
    qs = Event.objects.select_related("organiser_organisation")
    if user.is_authenticated and user.is_staff:
        return qs
    if user.is_authenticated:
        return qs.filter(Q(is_published=True) | Q(roles__user=user)).distinct()
    return qs.filter(is_published=True)


def roles_of_user(user) -> QuerySet[EventRole]:
    """Every role a user holds, with its event, for dashboards and navigation."""
    return EventRole.objects.filter(user=user).select_related("event").order_by("-event__starts_on", "role")


GRANTS_CACHE_ATTR = "_event_role_grants_cache"


def role_grants_of(user) -> list[EventRole]:
    """``roles_of_user`` as a list, read once per user object (a request): the navigation bar and the
    dashboard's sections both list them. ``events.services`` forgets it when a role changes."""
    grants = getattr(user, GRANTS_CACHE_ATTR, None)
    if grants is None:
        grants = list(roles_of_user(user))
        setattr(user, GRANTS_CACHE_ATTR, grants)
    return grants


def event_members(event: Event) -> QuerySet[EventRole]:
    return EventRole.objects.filter(event=event).select_related("user", "user__organisation", "granted_by")
