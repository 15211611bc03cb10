"""Demo judging (see core.demo) on the 2026 contest, all through the judging services:

- round 1 (初赛, preliminary): the screened-in entries (the showcase gene-editing project among
  them, which the judges rate highly), five weighted criteria, every judge
  with their own leniency, all cards submitted, closed, advancement confirmed (the top five
  move to round 2, the others are told) and results released with some feedback;
- round 2 (复赛, semi-final, blind): the entries in round 2, open now, about half of the cards
  submitted and a few drafts, and one conflict of interest declared by a judge;
- round 3 (决赛路演, final roadshow): a live round on the finalists, scored from the room.

Idempotent: rounds are looked up by number; a step already done (criteria set, assignments
made, a card submitted, advancement confirmed) is skipped on a second run. Scores come from a
seeded generator, so every run gives the same cards.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.demo import DemoContext
from registration.demo import CONTEST
from registration.models import Status

from . import selectors, services
from .models import Assignment, Conflict, Round, Scorecard
from .services import CriterionInput

JUDGES = ["judge1", "judge2", "judge3", "judge4", "judge5"]
# Each judge's habit: how far above (+) or below (−) the panel they tend to score, on 0–10.
LENIENCY = {"judge1": Decimal("1.0"), "judge2": Decimal("-1.5"), "judge3": Decimal(0), "judge4": Decimal("0.5")}
LENIENCY["judge5"] = Decimal("-0.5")
CRITERIA = [
    ("创新性", "Innovation", 30, "技术是否新颖、领先？", "How new and how far ahead is the technology?"),
    ("技术成熟度", "Technical maturity", 25, "原型、试验和专利情况。", "Prototype, trials and patents."),
    ("市场前景", "Market", 20, "市场规模、客户与商业模式。", "Market size, customers and business model."),
    ("团队", "Team", 15, "团队经验与完整性。", "Experience and completeness of the team."),
    ("落地计划", "Landing plan", 10, "在海城落地的可行性。", "How feasible is landing in Haicheng?"),
]
ROUND_1_SCORED = 60  # at most this many entries get cards, so benchmark-sized demos stay quick to seed
FEEDBACK = [
    "技术路线清晰，建议补充量产成本分析。 Clear technical path; add an analysis of mass-production cost.",
    "Strong team. The market section would benefit from named pilot customers.",
]


def _score(rng: random.Random, quality: Decimal, leniency: Decimal) -> Decimal:
    """A score on 0–10 in half points around the entry's quality, shifted by the judge's leniency."""
    raw = quality + leniency + Decimal(rng.randint(-2, 2)) / 2
    return min(Decimal(10), max(Decimal(0), (raw * 2).to_integral_value() / 2))


def _criteria(round_: Round, organiser) -> None:
    if round_.criteria.exists():
        return
    services.criteria_set(
        round=round_,
        changed_by=organiser,
        criteria=[
            CriterionInput(name_zh=zh, name_en=en, weight=weight, guidance_zh=gzh, guidance_en=gen)
            for zh, en, weight, gzh, gen in CRITERIA
        ],
        tie_break=0,
    )


def _round(ctx: DemoContext, event, number: int, **fields) -> tuple[Round, bool]:
    round_ = selectors.round_of(event, number)
    if round_ is not None:
        return round_, False
    round_ = services.round_create(event=event, created_by=ctx.users["organiser"], number=number, **fields)
    ctx.count("judging rounds")
    return round_, True


def _submit_cards(
    ctx: DemoContext, round_: Round, *, share: float, limit: int | None = None, keep_one_for: str = ""
) -> None:
    """Submit the cards of (a share of) the round's assignments; a few others stay drafts.

    ``keep_one_for`` names a judge whose last entry is left to score, so their demo login has work.
    """
    judges = {ctx.users[key].pk: key for key in JUDGES}
    criteria = selectors.criteria_of(round_)
    done = set(Scorecard.objects.filter(round=round_).values_list("judge_id", "entry_id"))
    assigned = Assignment.objects.filter(round=round_)
    if round_.number == 1:
        # Entries the registration demo already put "in round 1" arrived late: their cards are
        # still to come, so they stay where they are when the round advances.
        assigned = assigned.filter(entry__status=Status.SCREENED_IN)
    entry_ids = sorted(set(assigned.values_list("entry_id", flat=True)))
    if limit is not None:
        entry_ids = entry_ids[:limit]
    assignments = Assignment.objects.filter(round=round_, entry_id__in=entry_ids).select_related("judge", "entry")
    if keep_one_for:
        kept = assignments.filter(judge=ctx.users[keep_one_for]).order_by("entry_id").last()
        if kept is not None:
            assignments = assignments.exclude(pk=kept.pk)
    for assignment in assignments.order_by("entry_id", "judge_id"):
        if (assignment.judge_id, assignment.entry_id) in done or assignment.judge_id not in judges:
            continue
        # Seeded by content, not ids, so every database gives the same cards.
        entry_key = f"{assignment.entry.title_en}|{assignment.entry.title_zh}"
        rng = random.Random(f"{round_.number}-{entry_key}-{judges[assignment.judge_id]}")
        showcase = assignment.entry.owner_id == ctx.users["entrant2"].pk
        # The showcase gene-editing project is strong, so it goes through to the final.
        quality = Decimal("9.5") if showcase else Decimal(random.Random(entry_key).randint(8, 16)) / 2
        scores = {c.pk: _score(rng, quality, LENIENCY[judges[assignment.judge_id]]) for c in criteria}
        if rng.random() >= share and not showcase:
            if rng.random() < 0.3:  # a few cards half-filled as drafts
                first = criteria[0].pk
                services.scorecard_save_draft(
                    round=round_, entry=assignment.entry, judge=assignment.judge, scores={first: scores[first]}
                )
            continue
        services.scorecard_submit(
            round=round_,
            entry=assignment.entry,
            judge=assignment.judge,
            scores=scores,
            comment_to_organisers="" if rng.random() < 0.8 else "请关注知识产权归属。 Check who owns the IP.",
            feedback_to_entrant=rng.choice(FEEDBACK) if rng.random() < 0.3 else "",
        )
        ctx.count("scorecards")


def _round_1(ctx: DemoContext, event) -> None:
    organiser = ctx.users["organiser"]
    now = timezone.now()
    round_, _created = _round(
        ctx,
        event,
        1,
        name_zh="初赛",
        name_en="Preliminary round",
        pool=Round.Pool.SCREENED_IN,
        opens_at=now - timedelta(days=40),
        closes_at=now + timedelta(days=1),
        scale_min=Decimal(0),
        scale_max=Decimal(10),
        method="weighted_mean",
        judges_per_entry=3,
        advancement_rule=Round.AdvancementRule.TOP_OVERALL,
        advancement_count=5,
        advance_to=Round.AdvanceTo.NEXT_ROUND,
    )
    if round_.advancement_confirmed:
        return
    _criteria(round_, organiser)
    if not Assignment.objects.filter(round=round_).exists():
        services.assignment_auto(round=round_, assigned_by=organiser, seed=1)
    _submit_cards(ctx, round_, share=1.0, limit=ROUND_1_SCORED)
    services.round_update(round=round_, changed_by=organiser, closes_at=now - timedelta(days=10))
    services.round_close(round=round_, closed_by=organiser)
    services.advancement_confirm(round=round_, confirmed_by=organiser)
    with_feedback = Scorecard.objects.filter(round=round_).exclude(feedback_to_entrant="").order_by("pk")
    services.results_release(
        round=round_, released_by=organiser, feedback_card_ids=list(with_feedback.values_list("pk", flat=True)[:6])
    )


def _round_2(ctx: DemoContext, event) -> None:
    organiser = ctx.users["organiser"]
    now = timezone.now()
    round_, created = _round(
        ctx,
        event,
        2,
        name_zh="复赛",
        name_en="Semi-final",
        pool=Round.Pool.IN_ROUND,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
        blind=True,
        scale_min=Decimal(0),
        scale_max=Decimal(10),
        method="trimmed_mean",
        judges_per_entry=3,
        advancement_rule=Round.AdvancementRule.TOP_PER_TRACK,
        advancement_count=1,
        advance_to=Round.AdvanceTo.FINALIST,
    )
    if not created:
        return
    _criteria(round_, organiser)
    services.assignment_auto(round=round_, assigned_by=organiser, seed=2)
    # Judge 3 declares a conflict on their first entry; it goes to another judge.
    judge3 = ctx.users["judge3"]
    first = Assignment.objects.filter(round=round_, judge=judge3).select_related("entry").order_by("entry_id").first()
    if first is not None and not Conflict.objects.filter(judge=judge3, entry=first.entry).exists():
        services.conflict_declare(
            judge=judge3, entry=first.entry, reason="曾是该团队顾问。 I advised this team last year."
        )
        ctx.count("conflicts declared")
    _submit_cards(ctx, round_, share=0.5, limit=ROUND_1_SCORED, keep_one_for="judge1")


def _round_3(ctx: DemoContext, event) -> None:
    now = timezone.now()
    _round(
        ctx,
        event,
        3,
        name_zh="决赛路演",
        name_en="Final roadshow",
        pool=Round.Pool.FINALIST,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=30),
        live=True,
        scale_min=Decimal(0),
        scale_max=Decimal(100),
        method="trimmed_mean",
        judges_per_entry=5,
        advancement_rule=Round.AdvancementRule.TOP_OVERALL,
        advancement_count=3,
        advance_to=Round.AdvanceTo.AWARDED,
    )
    _criteria(selectors.round_of(event, 3), ctx.users["organiser"])


def seed(ctx: DemoContext) -> None:
    event = ctx.events[CONTEST]
    _round_1(ctx, event)
    _round_2(ctx, event)
    _round_3(ctx, event)
