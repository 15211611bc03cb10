"""Reusable reads of judging data, with their joins, so pages, the API and services ask alike."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from events.models import Event, EventRole, Role
from registration.models import Entry, Status, TeamMember

from .models import Assignment, Conflict, Criterion, Round, RoundOutcome, Score, Scorecard, ScorecardChange


def rounds_of(event: Event) -> QuerySet[Round]:
    return Round.objects.filter(event=event).order_by("number")


def round_of(event: Event, number: int) -> Round | None:
    return Round.objects.filter(event=event, number=number).select_related("event", "tie_break_criterion").first()


def criteria_of(round_: Round) -> list[Criterion]:
    return list(Criterion.objects.filter(round=round_).order_by("position", "id"))


def pool_entries(round_: Round) -> QuerySet[Entry]:
    """The entries the round judges: its pool by registration status, limited to its tracks.

    Once advancement is confirmed the round's entries are fixed: those with an outcome,
    whatever their status has become since.
    """
    if round_.advancement_confirmed:
        return Entry.objects.filter(round_outcomes__round=round_)
    qs = Entry.objects.filter(event_id=round_.event_id)
    if round_.pool == Round.Pool.SCREENED_IN:
        # Entries already moved into this round ("In round N") belong to it too.
        qs = qs.filter(Q(status=Status.SCREENED_IN) | Q(status=Status.IN_ROUND, round_number=round_.number))
    elif round_.pool == Round.Pool.IN_ROUND:
        qs = qs.filter(status=Status.IN_ROUND, round_number=round_.number)
    else:
        qs = qs.filter(status=Status.FINALIST)
    track_ids = [track.pk for track in round_.tracks.all()]
    if track_ids:
        qs = qs.filter(track_id__in=track_ids)
    return qs


def judges_of(event: Event) -> QuerySet[User]:
    """The people who hold the judge role in the event, with their organisation."""
    judge_ids = EventRole.objects.filter(event=event, role=Role.JUDGE).values("user_id")
    return User.objects.filter(pk__in=judge_ids, is_active=True).select_related("organisation").order_by("email")


def _organisation_keys(user: User) -> set[str]:
    organisation = user.organisation
    if organisation is None:
        return set()
    return {name.strip().casefold() for name in (organisation.name_zh, organisation.name_en) if name.strip()}


def conflict_map(entry_ids: list[int], judges: list[User]) -> dict[tuple[int, int], str]:
    """Every (judge id, entry id) pair that must not be assigned, with its ``Conflict.Kind``.

    A pair conflicts when the judge declared it (or it was recorded), when the judge is the
    entry's owner or a team member (same e-mail), or when any team member's organisation
    matches the judge's organisation name in Chinese or English, ignoring case and spaces
    around it. Three queries, whatever the numbers.
    """
    judge_ids = {judge.pk for judge in judges}
    conflicts: dict[tuple[int, int], str] = {
        (judge_id, entry_id): kind
        for judge_id, entry_id, kind in Conflict.objects.filter(
            entry_id__in=entry_ids, judge_id__in=judge_ids
        ).values_list("judge_id", "entry_id", "kind")
    }
    by_email = {judge.email.casefold(): judge.pk for judge in judges}
    by_organisation: dict[str, list[int]] = defaultdict(list)
    for judge in judges:
        for key in _organisation_keys(judge):
            by_organisation[key].append(judge.pk)
    for entry_id, owner_id in Entry.objects.filter(pk__in=entry_ids).values_list("pk", "owner_id"):
        if owner_id in judge_ids:
            conflicts[(owner_id, entry_id)] = Conflict.Kind.OWN_ENTRY
    members = TeamMember.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "email", "organisation")
    for entry_id, email, organisation in members:
        member_judge = by_email.get(email.casefold()) if email else None
        if member_judge is not None:
            conflicts[(member_judge, entry_id)] = Conflict.Kind.OWN_ENTRY
        for judge_id in by_organisation.get(organisation.strip().casefold(), ()):
            conflicts.setdefault((judge_id, entry_id), Conflict.Kind.SAME_ORGANISATION)
    return conflicts


def assignments_of_round(round_: Round) -> QuerySet[Assignment]:
    return Assignment.objects.filter(round=round_)


def judge_loads(round_: Round) -> Counter:
    """Assigned entries per judge id in the round."""
    return Counter(
        dict(
            Assignment.objects.filter(round=round_)
            .values("judge_id")
            .annotate(n=Count("id"))
            .values_list("judge_id", "n")
        )
    )


def is_assigned(round_: Round, entry_id: int, judge: User) -> bool:
    return Assignment.objects.filter(round=round_, entry_id=entry_id, judge_id=judge.pk).exists()


@dataclass
class JudgeRow:
    """One assigned entry on a judge's list, with the judge's own card (if started)."""

    entry: Entry
    card: Scorecard | None

    @property
    def state(self) -> str:
        if self.card is None or (self.card.status == Scorecard.Status.DRAFT and not self.card.scores_given):
            return "todo"
        return self.card.status


def judge_rows(round_: Round, judge: User) -> list[JudgeRow]:
    """A judge's assigned entries in a round, each with their card: two queries."""
    assignments = list(
        Assignment.objects.filter(round=round_, judge=judge)
        .select_related("entry", "entry__track")
        .order_by("entry_id")
    )
    cards = {
        card.entry_id: card
        for card in Scorecard.objects.filter(round=round_, judge=judge).annotate(scores_given=Count("scores"))
    }
    return [JudgeRow(entry=assignment.entry, card=cards.get(assignment.entry_id)) for assignment in assignments]


def judge_rounds(event: Event, judge: User) -> list[tuple[Round, int, int]]:
    """(round, assigned entries, submitted cards) for each round of the event where the judge has work."""
    rounds = (
        Round.objects.filter(event=event)
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__judge=judge), distinct=True),
            submitted=Count(
                "scorecards",
                filter=Q(scorecards__judge=judge, scorecards__status=Scorecard.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("number")
    )
    return [(round_, round_.assigned, round_.submitted) for round_ in rounds if round_.assigned or round_.live]


def card_of(round_: Round, entry_id: int, judge: User) -> Scorecard | None:
    return (
        Scorecard.objects.filter(round=round_, entry_id=entry_id, judge=judge)
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .first()
    )


def card_history(card: Scorecard) -> QuerySet[ScorecardChange]:
    return ScorecardChange.objects.filter(scorecard=card).select_related("changed_by").order_by("changed_at", "id")


@dataclass
class JudgeProgress:
    judge: User
    assigned: int
    submitted: int
    drafts: int

    @property
    def remaining(self) -> int:
        return self.assigned - self.submitted

    @property
    def percent(self) -> int:
        return int(100 * self.submitted / self.assigned) if self.assigned else 100


def round_progress(round_: Round) -> list[JudgeProgress]:
    """Assigned, submitted and draft cards per judge of the event: three queries."""
    judges = list(judges_of(round_.event))
    loads = judge_loads(round_)
    card_counts = Counter()
    draft_counts = Counter()
    for judge_id, status, n in (
        Scorecard.objects.filter(round=round_)
        .values("judge_id", "status")
        .annotate(n=Count("id"))
        .values_list("judge_id", "status", "n")
    ):
        (card_counts if status == Scorecard.Status.SUBMITTED else draft_counts)[judge_id] += n
    return [
        JudgeProgress(
            judge=judge, assigned=loads[judge.pk], submitted=card_counts[judge.pk], drafts=draft_counts[judge.pk]
        )
        for judge in judges
    ]


def assignment_overview(round_: Round) -> list[tuple[Entry, list[Assignment], dict[int, Scorecard]]]:
    """Each pool entry with its assignments and the cards on it: three queries."""
    entries = list(pool_entries(round_).select_related("track").order_by("track__position", "id"))
    by_entry: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in Assignment.objects.filter(round=round_).select_related("judge").order_by("judge__email"):
        by_entry[assignment.entry_id].append(assignment)
    cards: dict[int, dict[int, Scorecard]] = defaultdict(dict)
    for card in Scorecard.objects.filter(round=round_).only("pk", "entry_id", "judge_id", "status", "locked"):
        cards[card.entry_id][card.judge_id] = card
    return [(entry, by_entry.get(entry.pk, []), cards.get(entry.pk, {})) for entry in entries]


def outcomes_of(round_: Round) -> dict[int, RoundOutcome]:
    return {outcome.entry_id: outcome for outcome in RoundOutcome.objects.filter(round=round_)}


def released_feedback(entry: Entry) -> dict[int, list[str]]:
    """Released feedback texts per round id for one entry, without any judge's name."""
    feedback: dict[int, list[str]] = defaultdict(list)
    for round_id, text in (
        Scorecard.objects.filter(entry=entry, feedback_released=True, round__results_released_at__isnull=False)
        .exclude(feedback_to_entrant="")
        .order_by("round_id", "pk")
        .values_list("round_id", "feedback_to_entrant")
    ):
        feedback[round_id].append(text)
    return feedback
