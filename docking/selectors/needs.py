"""Reads of the enterprise and talent databases, needs and curated matches, with their joins."""

import operator
from functools import reduce

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from events.models import Event
from events.services import can
from registration.models import Entry, Status, TeamMember

from ..models import CuratedMatch, EnterpriseProfile, Need

# Entries that are in the running: submitted and not screened out or withdrawn.
MATCHABLE_STATUSES = (Status.SUBMITTED, Status.SCREENED_IN, Status.IN_ROUND, Status.FINALIST, Status.AWARDED)


def _search(qs: QuerySet, text: str, fields: list[str]) -> QuerySet:
    """Rows where any of ``fields`` contains ``text`` (case-insensitive; Chinese has no word breaks)."""
    text = text.strip()
    if not text:
        return qs
    return qs.filter(reduce(operator.or_, (Q(**{f"{name}__icontains": text}) for name in fields)))


def enterprises(text: str = "") -> QuerySet[EnterpriseProfile]:
    """The enterprise database, optionally searched by name, description or region."""
    qs = EnterpriseProfile.objects.select_related("organisation").prefetch_related(
        Prefetch("contacts", queryset=User.objects.order_by("email"))
    )
    qs = _search(
        qs, text, ["organisation__name_zh", "organisation__name_en", "description_zh", "description_en", "region"]
    )
    return qs.annotate(need_count=Count("needs", distinct=True)).order_by(
        "organisation__name_en", "organisation__name_zh", "pk"
    )


def enterprises_of_contact(user) -> QuerySet[EnterpriseProfile]:
    if not user.is_authenticated:
        return EnterpriseProfile.objects.none()
    return EnterpriseProfile.objects.filter(contacts=user).select_related("organisation")


def matchable_entries(event: Event) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(event=event, status__in=MATCHABLE_STATUSES)
        .select_related("track", "event")
        .order_by("-submitted_at", "-pk")
    )


def talents(text: str = "") -> QuerySet[User]:
    """The talent database: people with a field of expertise, who own a project that is in the
    running, or who are in a project's team; their projects prefetched as ``matchable_entries``."""
    owns_project = Exists(Entry.objects.filter(owner=OuterRef("pk"), status__in=MATCHABLE_STATUSES))
    in_a_team = Exists(TeamMember.objects.filter(email__iexact=OuterRef("email"), entry__status__in=MATCHABLE_STATUSES))
    qs = (
        User.objects.filter(is_active=True)
        .filter(Q(expertise__gt="") | owns_project | in_a_team)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=Entry.objects.filter(status__in=MATCHABLE_STATUSES).select_related("track"),
                to_attr="matchable_entries",
            )
        )
        .order_by("name_en", "name_zh", "email")
    )
    return _search(qs, text, ["name_zh", "name_en", "email", "expertise", "bio"])


def _need_joins(qs: QuerySet[Need]) -> QuerySet[Need]:
    return qs.select_related("event", "enterprise__organisation", "posted_by")


def needs_visible_to(user, event: Event) -> QuerySet[Need]:
    """All needs of the event for its organisers; for enterprises their own; for entrants the open ones."""
    qs = _need_joins(Need.objects.filter(event=event))
    if can(user, "docking.manage", event):
        return qs
    if not user.is_authenticated:
        return qs.none()
    visible = Q(pk__in=[])
    if can(user, "docking.post_need", event):
        visible |= Q(enterprise__in=EnterpriseProfile.objects.filter(contacts=user).values("pk"))
    if can(user, "docking.view_open_needs", event):
        visible |= Q(status=Need.Status.OPEN)
    return qs.filter(visible)


def need_for_page(user, event: Event, pk: int) -> Need | None:
    return needs_visible_to(user, event).filter(pk=pk).first()


def open_needs(event: Event) -> QuerySet[Need]:
    return _need_joins(Need.objects.filter(event=event, status=Need.Status.OPEN))


def curated_matches(event: Event) -> QuerySet[CuratedMatch]:
    """The event's match list, need by need in the organisers' order."""
    return (
        CuratedMatch.objects.filter(event=event)
        .select_related(
            "need__event", "need__enterprise__organisation", "entry__track", "talent__organisation", "added_by"
        )
        .order_by("need__created_at", "need__pk", "position", "pk")
    )


def curated_of_need(need: Need) -> QuerySet[CuratedMatch]:
    return curated_matches(need.event).filter(need=need)
