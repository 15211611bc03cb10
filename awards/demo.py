"""Demo awards (see core.demo) on the 2026 contest, all through the awards services:

- "最佳海外团队 / Best overseas team": ranked by three of round 1's criteria (innovation,
  technical maturity, market) over the entries that went on from round 1 and are led from
  abroad; the top entry is confirmed as winner and the award is published;
- "人气奖 / People's choice": an audience vote on the finalists, open, with votes from demo
  talents — five of them brand-new accounts from one address, which raises a burst flag.

Idempotent: awards are looked up by their English name; votes are cast only while the
audience award has none.
"""

from core.demo import DemoContext
from judging import selectors as judging_selectors
from registration.demo import CONTEST
from registration.models import Status

from . import selectors, services
from .models import Award

OVERSEAS_CRITERIA = ("Innovation", "Technical maturity", "Market")
SPREAD_VOTES = 8  # from as many addresses
BURST_VOTES = 5  # from one address
BURST_ADDRESS = "203.0.113.50"


def _award(ctx: DemoContext, event, **fields) -> tuple[Award, bool]:
    award = Award.objects.filter(event=event, name_en=fields["name_en"]).first()
    if award is not None:
        return award, False
    award = services.award_create(event=event, created_by=ctx.users["organiser"], **fields)
    ctx.count("awards")
    return award, True


def _overseas(ctx: DemoContext, event) -> None:
    organiser = ctx.users["organiser"]
    round_1 = judging_selectors.round_of(event, 1)
    if round_1 is None:
        return
    chosen = [c for c in judging_selectors.criteria_of(round_1) if c.name_en in OVERSEAS_CRITERIA]
    award, created = _award(
        ctx,
        event,
        name_zh="最佳海外团队",
        name_en="Best overseas team",
        kind=Award.Kind.OVERSEAS,
        eligible_statuses=[Status.IN_ROUND, Status.FINALIST, Status.AWARDED],
        criteria=chosen,
    )
    if not created:
        return
    ranked = [line for line in services.award_ranking(award=award, viewer=organiser).lines if line.rank is not None]
    if ranked:
        services.award_decide(award=award, decided_by=organiser, entry_ids=[ranked[0].entry.pk])
        services.award_update(award=award, changed_by=organiser, is_published=True)


def _audience(ctx: DemoContext, event) -> None:
    organiser = ctx.users["organiser"]
    award, _created = _award(
        ctx,
        event,
        name_zh="人气奖",
        name_en="People's choice",
        kind=Award.Kind.AUDIENCE,
        eligible_statuses=[Status.FINALIST],
    )
    if not award.vote_is_open and award.vote_closed_at is None:
        services.vote_open(award=award, opened_by=organiser)
    if award.votes.exists():
        return
    finalists = list(selectors.eligible_entries(award))
    if not finalists:
        return
    voters = ctx.users["talents"][: SPREAD_VOTES + BURST_VOTES]
    for i, voter in enumerate(voters):
        address = f"198.51.100.{10 + i}" if i < SPREAD_VOTES else BURST_ADDRESS
        services.vote_cast(
            award=award,
            entry_id=finalists[(i * 7 // 5) % len(finalists)].pk,
            voter=voter,
            ip_address=address,
            user_agent="Mozilla/5.0 (demo)",
        )
        ctx.count("audience votes")


def seed(ctx: DemoContext) -> None:
    event = ctx.events[CONTEST]
    _overseas(ctx, event)
    _audience(ctx, event)
