"""Judging rules: rounds and criteria, assignment and conflicts, scorecards, results, advancement.

Who may do what is asked of ``events.services.can``/``require``. On top of that:

- a round's criterion weights total exactly 100 %, and once a card is submitted its criteria
  and scale are fixed (``rounds``);
- a judge scores only the entries assigned to them, only while the round is open (or a card
  an organiser reopened), every score within the round's scale; every change to a card is
  kept as a ``ScorecardChange`` (who, when, field, old, new, why) (``scorecards``);
- no judge is ever assigned an entry they conflict with (declared, own team, or the same
  organisation as any team member) (``assignment``);
- closing a round locks its cards; only an organiser can reopen one, giving a reason (``scorecards``);
- results count submitted cards only (``judging.aggregation``, ``results``) and are shown to judges
  and entrants only after the organiser releases them; entries move on through
  ``registration.services`` once the organiser confirms the advancement (``advancement``).

Every public name is importable from here (``from judging import services; services.round_create``).
"""

from .advancement import (
    AdvancementLine,
    advancement_confirm,
    advancement_preview,
    entrant_results,
    results_release,
    results_visible_to,
)
from .assignment import AssignmentReport, assignment_auto, assignment_set, conflict_declare
from .common import china_time, plain
from .results import (
    RESULTS_CACHE_ROUNDS,
    SIGNAL_COUNTS,
    RoundResults,
    criterion_specs,
    results_cache_clear,
    results_compute,
    round_results,
    round_standing,
    signal_count,
    submitted_cards,
)
from .rounds import (
    FIXED_ONCE_SCORED,
    ROUND_FIELDS,
    WEIGHT_FIELDS,
    CriterionInput,
    criteria_set,
    round_create,
    round_update,
)
from .scorecards import (
    card_total,
    judges_remind,
    live_score_submit,
    round_close,
    rounds_close_due,
    score_field,
    scorecard_reopen,
    scorecard_save_draft,
    scorecard_submit,
)

__all__ = [
    "FIXED_ONCE_SCORED",
    "RESULTS_CACHE_ROUNDS",
    "ROUND_FIELDS",
    "SIGNAL_COUNTS",
    "WEIGHT_FIELDS",
    "AdvancementLine",
    "AssignmentReport",
    "CriterionInput",
    "RoundResults",
    "advancement_confirm",
    "advancement_preview",
    "assignment_auto",
    "assignment_set",
    "card_total",
    "china_time",
    "conflict_declare",
    "criteria_set",
    "criterion_specs",
    "entrant_results",
    "judges_remind",
    "live_score_submit",
    "plain",
    "results_cache_clear",
    "results_compute",
    "results_release",
    "results_visible_to",
    "round_close",
    "round_create",
    "round_results",
    "round_standing",
    "round_update",
    "rounds_close_due",
    "score_field",
    "scorecard_reopen",
    "scorecard_save_draft",
    "scorecard_submit",
    "signal_count",
    "submitted_cards",
]
