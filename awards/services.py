"""Rules of special awards and the audience vote.

- Organisers (``awards.manage``) create and edit awards, see rankings, decide winners, open
  and close audience votes and review flags; nobody manages another event's awards.
- A judged award ranks its eligible entries by a subset of one round's criteria: the subset's
  weights are scaled to total 100 % (equal weights if they are all 0) and the round's own
  aggregation method is applied to its submitted cards, read through the judging services.
  Judging's own totals are never changed.
- An audience award ranks by votes. One vote per verified account per award; attempts are
  rate-limited per account and per IP address; every vote is logged with its address and a
  hash of the browser's user agent. When many new accounts vote from one address in a short
  window the vote is still counted and a flag is raised for the organiser to review.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.ratelimit import rate_limited
from events.models import Event
from events.services import require
from judging.aggregation import AggregationError, Card, CriterionSpec, aggregate
from judging.models import Criterion
from judging.services import submitted_cards
from registration.models import Entry, Status

from . import selectors
from .models import AudienceVote, Award, AwardWinner, VoteFlag

EDITABLE_FIELDS = (
    "name_zh",
    "name_en",
    "kind",
    "track",
    "sponsor",
    "eligible_statuses",
    "overseas_only",
    "winner_count",
    "is_published",
)
MAX_WINNERS = 100


# --- Configuration -------------------------------------------------------------------------------


def _validate(award: Award, criteria: list[Criterion]) -> None:
    errors: dict[str, list[str]] = {}
    if not (award.name_zh or award.name_en).strip():
        errors.setdefault("name_zh", []).append(_("Give the award a name in Chinese, English or both."))
    statuses = list(award.eligible_statuses or [])
    if not statuses:
        errors.setdefault("eligible_statuses", []).append(_("Choose at least one entry status that may win."))
    elif any(status not in Status.values for status in statuses):
        errors.setdefault("eligible_statuses", []).append(_("Unknown entry status."))
    if not 1 <= (award.winner_count or 0) <= MAX_WINNERS:
        errors.setdefault("winner_count", []).append(
            _("The number of winners must be between 1 and %(max)s.") % {"max": MAX_WINNERS}
        )
    if award.track_id is not None and award.track.event_id != award.event_id:
        errors.setdefault("track", []).append(_("Choose a track of this event."))
    if award.kind == Award.Kind.TRACK and award.track_id is None:
        errors.setdefault("track", []).append(_("A track prize needs a track."))
    if award.kind == Award.Kind.SPONSOR and not award.sponsor.strip():
        errors.setdefault("sponsor", []).append(_("A sponsor prize needs the sponsor's name."))
    if award.kind == Award.Kind.AUDIENCE:
        if criteria:
            errors.setdefault("criteria", []).append(
                _("An audience award is decided by votes; it has no judging criteria.")
            )
    elif not criteria:
        errors.setdefault("criteria", []).append(_("Choose the judging criteria this award is ranked by."))
    elif len({c.round_id for c in criteria}) > 1:
        errors.setdefault("criteria", []).append(_("Choose criteria of one judging round only."))
    elif criteria[0].round.event_id != award.event_id:
        errors.setdefault("criteria", []).append(_("Choose criteria of this event's rounds."))
    if errors:
        raise ValidationError(errors)


def _apply(award: Award, fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if name == "eligible_statuses":
            value = sorted(set(value or []))
        setattr(award, name, value)
    if award.kind == Award.Kind.OVERSEAS:
        award.overseas_only = True  # the award's whole point


def _save(award: Award, criteria: list[Criterion]) -> Award:
    _validate(award, criteria)
    award.round = criteria[0].round if criteria else None
    with transaction.atomic():
        award.save()
        award.criteria.set(criteria)
    return award


def award_create(*, event: Event, created_by: User, criteria=(), **fields) -> Award:
    """A new award of ``event`` (organisers only).

    A judged award is ranked by ``criteria`` of one round; an audience award by votes.
    """
    require(created_by, "awards.manage", event)
    award = Award(event=event, eligible_statuses=[Status.FINALIST])
    _apply(award, fields)
    return _save(award, list(criteria))


def award_update(*, award: Award, changed_by: User, criteria=None, **fields) -> Award:
    """Change an award's set-up; ``criteria=None`` keeps its criteria."""
    require(changed_by, "awards.manage", award.event)
    if "kind" in fields and fields["kind"] != award.kind and (award.votes.exists() or award.winners.exists()):
        raise ValidationError({"kind": [_("This award already has votes or winners; its kind cannot change.")]})
    _apply(award, fields)
    chosen = list(award.criteria.select_related("round")) if criteria is None else list(criteria)
    return _save(award, chosen)


# --- Ranking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankLine:
    """One eligible entry in an award's ranking; ``rank`` and ``value`` are None without a card (or vote)."""

    rank: int | None
    entry: Entry
    value: float | None
    card_count: int
    votes: int | None


@dataclass(frozen=True)
class AwardRanking:
    lines: list[RankLine]
    weights: dict[int, Fraction]  # criterion id → the weight (%) used for this award
    error: str = ""


def subset_weights(criteria: list[Criterion]) -> dict[int, Fraction]:
    """The criteria's round weights scaled to total 100 % (all equal when they are all 0)."""
    total = sum((Fraction(c.weight) for c in criteria), Fraction(0))
    if total == 0:
        return {c.pk: Fraction(100, len(criteria)) for c in criteria}
    return {c.pk: Fraction(c.weight) * 100 / total for c in criteria}


def _judged_ranking(award: Award, entries: list[Entry]) -> AwardRanking:
    criteria = list(award.criteria.all())
    round_ = award.round
    weights = subset_weights(criteria)
    eligible = {entry.pk for entry in entries}
    cards = [
        Card(judge_id=card.judge_id, entry_id=card.entry_id, scores={pk: card.scores[pk] for pk in weights})
        for card in submitted_cards(round_)
        if card.entry_id in eligible
    ]
    specs = [
        CriterionSpec(id=pk, weight=weight, scale_min=round_.scale_min, scale_max=round_.scale_max)
        for pk, weight in weights.items()
    ]
    tie_break = round_.tie_break_criterion_id if round_.tie_break_criterion_id in weights else None
    try:
        result = aggregate(criteria=specs, cards=cards, method=round_.method, tie_break_criterion=tie_break)
    except AggregationError as exc:
        return AwardRanking(
            lines=[], weights=weights, error=_("The ranking cannot be computed: %(problem)s") % {"problem": exc}
        )
    by_id = {entry.pk: entry for entry in entries}
    lines = [
        RankLine(
            rank=ranked.rank,
            entry=by_id[ranked.entry.entry_id],
            value=ranked.entry.value,
            card_count=ranked.entry.card_count,
            votes=None,
        )
        for ranked in result.overall
    ]
    lines += [
        RankLine(rank=None, entry=entry, value=None, card_count=0, votes=None)
        for entry in entries
        if entry.pk not in result.entries
    ]
    return AwardRanking(lines=lines, weights=weights)


def _vote_ranking(award: Award, entries: list[Entry]) -> AwardRanking:
    counts = selectors.vote_counts(award)
    ordered = sorted(entries, key=lambda entry: (-counts.get(entry.pk, 0), entry.pk))
    lines: list[RankLine] = []
    previous, rank = None, 0
    for position, entry in enumerate(ordered, start=1):
        votes = counts.get(entry.pk, 0)
        if votes != previous:
            rank, previous = position, votes
        lines.append(RankLine(rank=rank, entry=entry, value=None, card_count=0, votes=votes))
    return AwardRanking(lines=lines, weights={})


def _set_up_problem(award: Award) -> str:
    """What the award lost since it was saved (its track or criteria removed elsewhere), or ""."""
    if award.kind == Award.Kind.TRACK and award.track_id is None:
        return _("A track prize needs a track.")
    if not award.is_audience and (award.round_id is None or not award.criteria.exists()):
        return _("Choose the judging criteria this award is ranked by.")
    return ""


def award_ranking(*, award: Award, viewer: User) -> AwardRanking:
    """Eligible entries ranked for the award: by the criteria subset, or by votes for an audience award."""
    require(viewer, "awards.manage", award.event)
    problem = _set_up_problem(award)
    if problem:
        return AwardRanking(lines=[], weights={}, error=problem)
    entries = list(selectors.eligible_entries(award))
    if award.is_audience:
        return _vote_ranking(award, entries)
    return _judged_ranking(award, entries)


def award_decide(*, award: Award, decided_by: User, entry_ids: list[int]) -> list[AwardWinner]:
    """Confirm the winners, in the given order (rank 1 first); replaces any earlier decision."""
    require(decided_by, "awards.manage", award.event)
    problem = _set_up_problem(award)
    if problem:
        raise ValidationError(problem)
    entry_ids = list(dict.fromkeys(int(pk) for pk in entry_ids))
    if not entry_ids:
        raise ValidationError(_("Choose at least one winner."))
    if len(entry_ids) > award.winner_count:
        raise ValidationError(
            _("This award has %(count)s winner(s); you chose %(chosen)s.")
            % {"count": award.winner_count, "chosen": len(entry_ids)}
        )
    eligible = set(selectors.eligible_entries(award).filter(pk__in=entry_ids).values_list("pk", flat=True))
    if eligible != set(entry_ids):
        raise ValidationError(_("Only eligible entries of this award can win it."))
    now = timezone.now()
    with transaction.atomic():
        AwardWinner.objects.filter(award=award).delete()
        return AwardWinner.objects.bulk_create(
            AwardWinner(award=award, entry_id=pk, rank=rank, decided_by=decided_by, decided_at=now)
            for rank, pk in enumerate(entry_ids, start=1)
        )


# --- Audience vote -------------------------------------------------------------------------------


def _require_audience(award: Award) -> None:
    if not award.is_audience:
        raise ValidationError(_("Only an audience award has a public vote."))


def vote_open(*, award: Award, opened_by: User) -> Award:
    """Open (or re-open) the public vote of an audience award."""
    require(opened_by, "awards.manage", award.event)
    _require_audience(award)
    award.vote_opened_at = award.vote_opened_at or timezone.now()
    award.vote_closed_at = None
    award.save(update_fields=["vote_opened_at", "vote_closed_at"])
    return award


def vote_close(*, award: Award, closed_by: User) -> Award:
    require(closed_by, "awards.manage", award.event)
    _require_audience(award)
    if not award.vote_is_open:
        raise ValidationError(_("The vote is not open."))
    award.vote_closed_at = timezone.now()
    award.save(update_fields=["vote_closed_at"])
    return award


def _rate_limited(kind: str, key: str) -> bool:
    """Count one vote attempt by ``key`` (an account id or an address); True once over the ``kind`` limit."""
    limit, period = settings.AWARDS_VOTE_RATE_LIMITS[kind]
    return rate_limited(f"awards:rate:{kind}:{key}", limit=limit, period=period)


def user_agent_hash(user_agent: str) -> str:
    return hashlib.sha256(user_agent.encode()).hexdigest() if user_agent else ""


def _flag_burst(vote: AudienceVote) -> VoteFlag | None:
    """Raise (or extend) a burst flag when many new accounts voted from this vote's address recently."""
    if not vote.ip_address:
        return None
    new_since = vote.created_at - timedelta(hours=settings.AWARDS_NEW_ACCOUNT_HOURS)
    window_start = vote.created_at - timedelta(minutes=settings.AWARDS_BURST_MINUTES)
    recent = AudienceVote.objects.filter(
        award=vote.award, ip_address=vote.ip_address, created_at__gte=window_start, created_at__lte=vote.created_at
    ).filter(voter__date_joined__gte=new_since)
    voter_ids = sorted(recent.values_list("voter_id", flat=True))
    if vote.voter_id not in voter_ids or len(voter_ids) < settings.AWARDS_BURST_VOTES:
        return None
    details = {
        "ip_address": vote.ip_address,
        "votes": len(voter_ids),
        "voter_ids": voter_ids,
        "window_minutes": settings.AWARDS_BURST_MINUTES,
        "new_account_hours": settings.AWARDS_NEW_ACCOUNT_HOURS,
        "last_vote_at": vote.created_at.isoformat(),
    }
    flag = (
        VoteFlag.objects.select_for_update()
        .filter(award=vote.award, kind=VoteFlag.Kind.BURST, reviewed=False, details__ip_address=vote.ip_address)
        .filter(created_at__gte=window_start)
        .first()
    )
    if flag is None:
        return VoteFlag.objects.create(
            award=vote.award, kind=VoteFlag.Kind.BURST, details=details, created_at=vote.created_at
        )
    flag.details = details
    flag.save(update_fields=["details"])
    return flag


def _votable_entry(*, award: Award, entry_id) -> Entry:
    """The eligible entry of the award with this id, or a clear error."""
    try:
        entry = selectors.eligible_entries(award).filter(pk=int(entry_id)).first()
    except (TypeError, ValueError):
        entry = None
    if entry is None:
        raise ValidationError(_("This project cannot receive votes in this award."))
    return entry


def vote_cast(*, award: Award, entry_id, voter: User, ip_address: str | None, user_agent: str = "") -> AudienceVote:
    """Record ``voter``'s one vote for the eligible entry ``entry_id`` (as posted) in an open audience
    award, logged with address and browser hash."""
    entry = _votable_entry(award=award, entry_id=entry_id)
    require(voter, "awards.vote", award.event)
    _require_audience(award)
    if not award.vote_is_open:
        raise ValidationError(_("This vote is not open."))
    if not EmailAddress.objects.filter(user=voter, verified=True).exists():
        raise ValidationError(_("Confirm your e-mail address before voting."))
    if _rate_limited("user", str(voter.pk)) or (ip_address and _rate_limited("ip", ip_address)):
        raise ValidationError(_("Too many votes from you or your network. Wait a minute and try again."))
    try:
        with transaction.atomic():
            vote = AudienceVote.objects.create(
                award=award,
                entry=entry,
                voter=voter,
                created_at=timezone.now(),
                ip_address=ip_address or None,
                user_agent_hash=user_agent_hash(user_agent),
            )
            _flag_burst(vote)
    except IntegrityError:
        raise ValidationError(_("You have already voted for this award; each account has one vote.")) from None
    return vote


def flag_review(*, flag: VoteFlag, reviewed_by: User) -> VoteFlag:
    """Mark a flag as looked at; the votes themselves are never removed by this."""
    require(reviewed_by, "awards.manage", flag.award.event)
    flag.reviewed = True
    flag.reviewed_by = reviewed_by
    flag.save(update_fields=["reviewed", "reviewed_by"])
    return flag
