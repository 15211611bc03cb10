"""Reusable reads of the expert pool, with their joins and counts in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from core.fields import TechField
from events.models import Event, EventRole, Role
from judging import selectors as judging_selectors
from judging.models import Assignment, Conflict, Round, Scorecard
from registration.models import Entry, Status

from .models import ExpertProfile, JudgeInvitation

# Entries an expert could be asked to judge: submitted and not out of the contest.
JUDGED_STATUSES = (Status.SUBMITTED, Status.SCREENED_IN, Status.IN_ROUND, Status.FINALIST, Status.AWARDED)


def profile_of(user: User) -> ExpertProfile | None:
    return ExpertProfile.objects.filter(user=user).first()


def expert_fields(user_ids) -> dict[int, set[str]]:
    """The fields of expertise of each active expert among ``user_ids``: one query."""
    return {
        user_id: set(fields)
        for user_id, fields in ExpertProfile.objects.filter(user_id__in=user_ids, is_active=True).values_list(
            "user_id", "fields"
        )
    }


def entries_to_check(event: Event, round_: Round | None = None) -> QuerySet[Entry]:
    """The entries whose conflicts matter before inviting: the round's pool, or the event's submitted entries."""
    if round_ is not None:
        return judging_selectors.pool_entries(round_)
    return Entry.objects.filter(event=event, status__in=JUDGED_STATUSES)


@dataclass
class EntryConflict:
    entry: Entry
    kind: str

    @property
    def kind_label(self) -> str:
        return str(Conflict.Kind(self.kind).label)


def conflicts_by_expert(
    event: Event, experts: list[User], round_: Round | None = None
) -> dict[int, list[EntryConflict]]:
    """Each expert's conflicts with the entries to judge, per entry, by judging's own rule: four queries."""
    entries = {entry.pk: entry for entry in entries_to_check(event, round_).order_by("pk")}
    found: dict[int, list[EntryConflict]] = defaultdict(list)
    if not entries or not experts:
        return found
    for (expert_id, entry_id), kind in sorted(judging_selectors.conflict_map(list(entries), experts).items()):
        found[expert_id].append(EntryConflict(entry=entries[entry_id], kind=kind))
    return found


@dataclass
class PoolRow:
    """One expert of the pool as an organiser of ``event`` sees them."""

    profile: ExpertProfile
    rounds_judged: int
    events_judged: int
    cards_submitted: int
    open_load: int
    is_judge: bool
    invitation: JudgeInvitation | None
    conflicts: list[EntryConflict] = field(default_factory=list)

    @property
    def user(self) -> User:
        return self.profile.user

    @property
    def can_invite(self) -> bool:
        return not self.is_judge and (self.invitation is None or not self.invitation.is_pending)


def pool_rows(event: Event, *, round_: Round | None = None, field_value: str = "", language: str = "") -> list[PoolRow]:
    """The active experts (filtered by field and language) with their record across events.

    For each: rounds and events judged and submitted cards (everywhere), the open load
    (assigned entries without a submitted card in rounds not closed yet), whether they
    already judge this event, their latest invitation to it, and their conflicts with its
    entries. A fixed number of queries whatever the pool's size.
    """
    profiles = [
        profile
        for profile in ExpertProfile.objects.filter(is_active=True, user__is_active=True)
        .select_related("user", "user__organisation")
        .order_by("user__email")
        if (not field_value or field_value in profile.fields) and (not language or language in profile.languages)
    ]
    user_ids = [profile.user_id for profile in profiles]
    judged = {
        row["judge_id"]: row
        for row in Assignment.objects.filter(judge_id__in=user_ids)
        .values("judge_id")
        .annotate(rounds=Count("round", distinct=True), events=Count("round__event", distinct=True))
    }
    submitted = dict(
        Scorecard.objects.filter(judge_id__in=user_ids, status=Scorecard.Status.SUBMITTED)
        .values("judge_id")
        .annotate(n=Count("id"))
        .values_list("judge_id", "n")
    )
    done = Scorecard.objects.filter(
        round=OuterRef("round"),
        entry=OuterRef("entry"),
        judge=OuterRef("judge"),
        status=Scorecard.Status.SUBMITTED,
    )
    open_load = dict(
        Assignment.objects.filter(
            judge_id__in=user_ids, round__closed_at__isnull=True, round__closes_at__gt=timezone.now()
        )
        .exclude(Exists(done))
        .values("judge_id")
        .annotate(n=Count("id"))
        .values_list("judge_id", "n")
    )
    judges = set(
        EventRole.objects.filter(event=event, role=Role.JUDGE, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    latest: dict[int, JudgeInvitation] = {}
    for invitation in JudgeInvitation.objects.filter(event=event, expert_id__in=user_ids).order_by("created_at", "id"):
        latest[invitation.expert_id] = invitation
    conflicts = conflicts_by_expert(event, [profile.user for profile in profiles], round_)
    return [
        PoolRow(
            profile=profile,
            rounds_judged=judged.get(profile.user_id, {}).get("rounds", 0),
            events_judged=judged.get(profile.user_id, {}).get("events", 0),
            cards_submitted=submitted.get(profile.user_id, 0),
            open_load=open_load.get(profile.user_id, 0),
            is_judge=profile.user_id in judges,
            invitation=latest.get(profile.user_id),
            conflicts=conflicts.get(profile.user_id, []),
        )
        for profile in profiles
    ]


@dataclass
class FieldCoverage:
    """One technology field of a round's tracks and the experts who cover it."""

    field: str
    tracks: list = field(default_factory=list)
    judges: list[User] = field(default_factory=list)  # judges of the event (accepted invitations included)
    pending: list[User] = field(default_factory=list)  # invited, not answered yet

    @property
    def label(self) -> str:
        return str(TechField(self.field).label)

    @property
    def covered(self) -> bool:
        return bool(self.judges)


def round_coverage(round_: Round) -> list[FieldCoverage]:
    """Which technology fields of the round's tracks (all the event's tracks if it names none)
    are covered by the event's judges, and which only by experts still invited."""
    tracks = list(round_.tracks.all()) or list(round_.event.tracks.all())
    coverage: dict[str, FieldCoverage] = {}
    for track in tracks:
        if track.field:
            coverage.setdefault(track.field, FieldCoverage(field=track.field)).tracks.append(track)
    if not coverage:
        return []
    judge_ids = EventRole.objects.filter(event=round_.event, role=Role.JUDGE).values("user_id")
    pending_ids = JudgeInvitation.objects.filter(event=round_.event, status=JudgeInvitation.Status.PENDING).values(
        "expert_id"
    )
    groups = (
        ("judges", ExpertProfile.objects.filter(is_active=True, user__is_active=True, user_id__in=judge_ids)),
        ("pending", ExpertProfile.objects.filter(is_active=True, user_id__in=pending_ids)),
    )
    for attribute, profiles in groups:
        for profile in profiles.select_related("user").order_by("user__email"):
            for value in profile.fields:
                if value in coverage:
                    getattr(coverage[value], attribute).append(profile.user)
    return [coverage[value] for value in TechField.values if value in coverage]


def invitations_of(user: User) -> QuerySet[JudgeInvitation]:
    """A person's invitations to judge, newest first, with their event, round and inviter."""
    return (
        JudgeInvitation.objects.filter(expert=user)
        .select_related("event", "round", "invited_by")
        .order_by("-created_at", "-id")
    )


def invitations_sent(event: Event) -> QuerySet[JudgeInvitation]:
    return (
        JudgeInvitation.objects.filter(event=event)
        .select_related("expert", "round", "invited_by")
        .order_by("-created_at", "-id")
    )
