"""Outcome analytics over a finished edition: reads the released rounds' results and what became
of the projects, and applies a suggested weight set to a future round only when the organiser
confirms it. The arithmetic is in ``insights.analytics``.

Outcomes of an entry, each 0 or 1: *signed* (a signed ``docking.Deal`` on the entry, in any
event), *landed* (a ``landing.LandedCompany`` of the entry), *in production* (that company's
ledger is blue). Scores: per criterion, the entry's mean on it; per judge, the judge's total for
the entry; and the entry's total — all under the round's own aggregation method.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from docking.models import Deal
from events.models import Event, EventRole, Role
from events.services import can, require
from judging.models import Criterion, Round
from judging.selectors import criteria_of
from judging.services import CriterionInput, criteria_set, results_compute
from landing.models import LandedCompany, LedgerStatus

from .analytics import Correlation, correlate, suggest_weights

OUTCOMES = {
    "signed": gettext_lazy("Signed"),
    "landed": gettext_lazy("Landed"),
    "production": gettext_lazy("In production"),
}


@dataclass(frozen=True)
class Row:
    """One line of the analysis: a criterion, a judge or the total, against each outcome."""

    label: str
    by_outcome: dict[str, Correlation]
    criterion: Criterion | None = None

    def cells(self) -> list[tuple[str, Correlation]]:
        return [(key, self.by_outcome[key]) for key in OUTCOMES]


@dataclass(frozen=True)
class Analysis:
    round: Round
    total: Row
    criteria: list[Row]
    judges: list[Row]
    outcome_counts: dict[str, int]
    entries: int
    error: str = ""

    def suggestion(self, outcome: str) -> dict[int, Decimal] | None:
        """Suggested weights by criterion id for ``outcome``, or ``None`` when the evidence says nothing."""
        current = {row.criterion.pk: row.criterion.weight for row in self.criteria}
        return suggest_weights(current, {row.criterion.pk: row.by_outcome[outcome].usable for row in self.criteria})


def released_rounds(event: Event) -> QuerySet[Round]:
    return Round.objects.filter(event=event, results_released_at__isnull=False).order_by("number")


def entry_outcomes(entry_ids: Sequence[int]) -> dict[str, set[int]]:
    """Which of the entries reached each outcome: three queries."""
    signed = set(
        Deal.objects.filter(entry_id__in=entry_ids, stage=Deal.Stage.SIGNED).values_list("entry_id", flat=True)
    )
    companies = LandedCompany.objects.filter(entry_id__in=entry_ids).values_list("entry_id", "status")
    landed, production = set(), set()
    for entry_id, status in companies:
        landed.add(entry_id)
        if status == LedgerStatus.BLUE:
            production.add(entry_id)
    return {"signed": signed, "landed": landed, "production": production}


def _row(label: str, scores: dict[int, float], reached: dict[str, set[int]], criterion=None) -> Row:
    return Row(
        label=label,
        criterion=criterion,
        by_outcome={
            key: correlate([(score, float(entry_id in reached[key])) for entry_id, score in scores.items()])
            for key in OUTCOMES
        },
    )


def outcome_analysis(*, round: Round, viewer: User) -> Analysis:
    """Correlations of the round's scores with the outcomes (``insights.view``); judges' rows only
    for those who may see the full results."""
    round_ = round
    require(viewer, "insights.view", round_.event)
    if round_.results_released_at is None:
        raise ValidationError(_("This round's results are not released yet."), code="not_released")
    criteria = criteria_of(round_)
    computed = results_compute(round_)
    result = computed.of(round_.method)
    if result is None:
        empty = _row(_("Total score"), {}, {key: set() for key in OUTCOMES})
        return Analysis(round_, empty, [], [], dict.fromkeys(OUTCOMES, 0), 0, error=computed.error)
    entries = result.entries
    reached = entry_outcomes(list(entries))
    criteria_rows = [
        _row(
            criterion.name,
            {
                pk: line.criterion_means[criterion.pk]
                for pk, line in entries.items()
                if criterion.pk in line.criterion_means
            },
            reached,
            criterion,
        )
        for criterion in criteria
    ]
    judge_rows = []
    if can(viewer, "judging.view_results", round_.event):
        judges = User.objects.in_bulk(result.judges.keys())
        for judge_id in sorted(result.judges, key=lambda pk: judges[pk].display_name):
            totals = {pk: line.judge_totals[judge_id] for pk, line in entries.items() if judge_id in line.judge_totals}
            judge_rows.append(_row(judges[judge_id].display_name, totals, reached))
    total = _row(_("Total score"), {pk: line.value for pk, line in entries.items()}, reached)
    return Analysis(
        round=round_,
        total=total,
        criteria=criteria_rows,
        judges=judge_rows,
        outcome_counts={key: len(reached[key]) for key in OUTCOMES},
        entries=len(entries),
    )


def future_rounds(user: User) -> QuerySet[Round]:
    """Rounds whose scoring has not opened yet, in events where ``user`` configures judging."""
    rounds = Round.objects.filter(opens_at__gt=timezone.now()).select_related("event").order_by("opens_at", "pk")
    if user.is_staff:
        return rounds
    organised = EventRole.objects.filter(user=user, role=Role.ORGANISER).values("event_id")
    return rounds.filter(event_id__in=organised)


def suggested_weights_apply(
    *, source: Round, outcome: str, target: Round, confirmed_by: User, confirmed: bool
) -> list[Criterion]:
    """Copy the suggested weights (recomputed here, never taken from the form) onto ``target``'s
    criteria: the target's criteria become the source's criteria, by name, with the suggested
    weights (``judging.services.criteria_set`` checks the organiser and that they total 100 %).
    Nothing happens unless ``confirmed``."""
    if not confirmed:
        raise ValidationError(
            {"confirm": _("Tick the box to confirm: the weights change only when you confirm.")}, code="unconfirmed"
        )
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="bad_outcome")
    if target.pk == source.pk or target.opens_at <= timezone.now():
        raise ValidationError({"target": _("Choose a round whose scoring has not opened yet.")}, code="bad_target")
    require(confirmed_by, "judging.configure", target.event)
    analysis = outcome_analysis(round=source, viewer=confirmed_by)
    weights = analysis.suggestion(outcome)
    if weights is None:
        raise ValidationError(_("There is no suggestion to apply: too few projects or no positive correlation."))
    kept = {criterion.name_en.strip().casefold() or criterion.name_zh: criterion for criterion in criteria_of(target)}
    inputs = []
    for row in analysis.criteria:
        criterion = row.criterion
        same = kept.get(criterion.name_en.strip().casefold() or criterion.name_zh)
        inputs.append(
            CriterionInput(
                weight=weights[criterion.pk],
                name_zh=criterion.name_zh,
                name_en=criterion.name_en,
                guidance_zh=criterion.guidance_zh,
                guidance_en=criterion.guidance_en,
                id=same.pk if same is not None else None,
            )
        )
    return criteria_set(round=target, changed_by=confirmed_by, criteria=inputs)
