"""Rounds and criteria: a round's settings, its audience vote and live signal weights, and its
criteria, whose weights total exactly 100 % and are fixed once a card is submitted."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event
from events.services import require

from .. import selectors, sources
from ..models import EXTRA_WEIGHT_MAX, SCORE_PLACES, Criterion, Round
from .common import _bump_results, _has_submitted_cards, china_time, plain

ROUND_FIELDS = frozenset(
    {
        "number",
        "name_zh",
        "name_en",
        "pool",
        "opens_at",
        "closes_at",
        "blind",
        "live",
        "scale_min",
        "scale_max",
        "method",
        "judges_per_entry",
        "advancement_rule",
        "advancement_count",
        "advancement_threshold",
        "advance_to",
        "audience_weight",
        "audience_award",
        "signals_weight",
        "signals_measure",
    }
)


# Changing these would change the meaning of scores already given.
FIXED_ONCE_SCORED = frozenset({"scale_min", "scale_max"})


# What the round's total is made of: fixed once advancement has been decided on it.
WEIGHT_FIELDS = frozenset({"audience_weight", "audience_award", "signals_weight", "signals_measure"})


def _round_validate(round_: Round) -> None:
    errors: dict[str, str] = {}
    if not (round_.name_zh.strip() or round_.name_en.strip()):
        errors["name_zh"] = _("Give the round a name in Chinese, English or both.")
    for name in ("opens_at", "closes_at"):
        moment = getattr(round_, name)
        if moment is not None and timezone.is_naive(moment):
            raise ValueError("Round times must be time-zone aware.")
    if round_.opens_at and round_.closes_at and round_.closes_at <= round_.opens_at:
        errors["closes_at"] = _("Scoring must close after it opens.")
    if round_.scale_min is not None and round_.scale_max is not None and round_.scale_max <= round_.scale_min:
        errors["scale_max"] = _("The highest score must be above the lowest.")
    if round_.advancement_rule == Round.AdvancementRule.THRESHOLD:
        round_.advancement_count = None
        threshold = round_.advancement_threshold
        if threshold is None:
            errors["advancement_threshold"] = _("Give the lowest score that advances.")
        elif not round_.scale_min <= threshold <= round_.scale_max:
            errors["advancement_threshold"] = _(
                "The lowest advancing score must lie on the scale, %(min)s–%(max)s."
            ) % {"min": plain(Decimal(round_.scale_min)), "max": plain(Decimal(round_.scale_max))}
    else:
        round_.advancement_threshold = None
        if not round_.advancement_count:
            errors["advancement_count"] = _("Give how many entries advance (N, at least 1).")
    if (
        round_.number
        and Round.objects.filter(event_id=round_.event_id, number=round_.number).exclude(pk=round_.pk).exists()
    ):
        errors["number"] = _("This event already has a round number %(number)s.") % {"number": round_.number}
    errors.update(_weights_errors(round_))
    if errors:
        raise ValidationError(errors)
    round_.full_clean(validate_constraints=False)


def _weights_errors(round_: Round) -> dict[str, str]:
    """The rules of the audience vote and live signal weights: each 0–50 %, together at most 50 %
    (the judges' scores keep the majority), and a weighted audience vote names an audience award
    of the round's event."""
    errors: dict[str, str] = {}
    labels = {"audience_weight": _("The audience vote's weight"), "signals_weight": _("The live signal's weight")}
    for name, label in labels.items():
        weight = getattr(round_, name)
        if weight is None:
            setattr(round_, name, Decimal(0))
        elif not weight.is_finite() or not Decimal(0) <= weight <= EXTRA_WEIGHT_MAX:
            errors[name] = _("%(what)s must be between 0 and 50 %%.") % {"what": label}
        elif weight != weight.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
            errors[name] = _("Use at most two decimal places.")
    if not errors and round_.audience_weight + round_.signals_weight > EXTRA_WEIGHT_MAX:
        errors["signals_weight"] = _(
            "The audience vote and the live signal together weigh %(total)s %%; they may weigh at most 50 %% "
            "so that the judges' scores keep the majority."
        ) % {"total": plain(round_.audience_weight + round_.signals_weight)}
    if round_.signals_measure not in Round.SignalsMeasure.values:
        errors["signals_measure"] = _("Choose which live signal counts.")
    award = round_.audience_award
    audience_votes = sources.audience_votes()
    if award is not None and (award.event_id != round_.event_id or not audience_votes.is_audience_vote(award)):
        errors["audience_award"] = _("Choose an audience-vote award of this event.")
    elif award is None and "audience_weight" not in errors and round_.audience_weight > 0:
        if audience_votes.awards_of_event(round_.event_id).exists():
            errors["audience_award"] = _(
                "Choose the audience award whose votes count, or set the audience vote's weight to 0."
            )
        else:
            errors["audience_weight"] = _(
                "This event has no audience-vote award, so the audience vote cannot count: create one under "
                "Awards first, or set the weight to 0."
            )
    return errors


def _apply_round_fields(round_: Round, fields: dict) -> None:
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise ValueError(f"Not round fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(round_, name, value.strip() if isinstance(value, str) and name.startswith("name") else value)


def _set_tracks(round_: Round, tracks) -> None:
    tracks = list(tracks)
    if any(track.event_id != round_.event_id for track in tracks):
        raise ValidationError({"tracks": _("Choose tracks of this event.")}, code="bad_track")
    round_.tracks.set(tracks)


def round_create(*, event: Event, created_by: User, tracks: Iterable = (), **fields) -> Round:
    """Add a judging round to the event (organisers). Without a number it becomes the next one."""
    require(created_by, "judging.configure", event)
    if not fields.get("number"):
        last = selectors.rounds_of(event).last()
        fields["number"] = (last.number + 1) if last else 1
    round_ = Round(event=event)
    _apply_round_fields(round_, fields)
    _round_validate(round_)
    with transaction.atomic():
        round_.save()
        _set_tracks(round_, tracks)
    return round_


def round_update(*, round: Round, changed_by: User, tracks: Iterable | None = None, **fields) -> Round:
    """Change a round's settings (organisers). The scale is fixed once a card is submitted."""
    round_ = round
    require(changed_by, "judging.configure", round_.event)
    changed_fixed = [name for name in FIXED_ONCE_SCORED & set(fields) if fields[name] != getattr(round_, name)]
    if changed_fixed and _has_submitted_cards(round_):
        fixed = _("Judges have already submitted cards on this scale; it can no longer change.")
        raise ValidationError({"scale_max": ValidationError(fixed, code="scale_fixed")})
    changed_weights = sorted(name for name in WEIGHT_FIELDS & set(fields) if fields[name] != getattr(round_, name))
    if changed_weights and round_.advancement_confirmed:
        final = _(
            "Advancement for this round was confirmed on %(time)s with these weights; they can no longer change."
        ) % {"time": china_time(round_.advancement_confirmed_at)}
        raise ValidationError({name: ValidationError(final, code="weights_final") for name in changed_weights})
    _apply_round_fields(round_, fields)
    _round_validate(round_)
    with transaction.atomic():
        round_.save()
        if tracks is not None:
            _set_tracks(round_, tracks)
        _bump_results(round_)
    round_.refresh_from_db(fields=["results_version"])
    return round_


@dataclass(frozen=True)
class CriterionInput:
    """One criterion as the organiser enters it; ``id`` names an existing criterion to keep."""

    weight: Decimal | int | str
    name_zh: str = ""
    name_en: str = ""
    guidance_zh: str = ""
    guidance_en: str = ""
    id: int | None = None


def _parse_weight(raw) -> Decimal:
    try:
        weight = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter the weight as a number of percent."), code="not_a_number") from None
    if not weight.is_finite():
        raise ValidationError(_("Enter the weight as a number of percent."), code="not_a_number")
    if not Decimal(0) <= weight <= Decimal(100):
        raise ValidationError(_("A weight lies between 0 and 100 %."), code="weight_range")
    if weight != weight.quantize(Decimal(1).scaleb(-SCORE_PLACES)):
        raise ValidationError(_("Use at most two decimal places."), code="weight_places")
    return weight


def criteria_set(
    *,
    round: Round,
    changed_by: User,
    criteria: Sequence[CriterionInput],
    tie_break: int | None = None,
) -> list[Criterion]:
    """Replace the round's criteria with ``criteria`` in their order (organisers).

    Every criterion needs a name and a weight from 0 to 100 %; the weights must total exactly
    100 %. ``tie_break`` is the index in ``criteria`` of the criterion whose mean breaks ties
    (None: ties go straight to the number of cards). Once a card is submitted, criteria can
    only be renamed and their guidance edited: none added or removed, no weight changed.
    Errors come back keyed ``criteria`` (the whole set) or ``criterion_<index>``.
    """
    round_ = round
    require(changed_by, "judging.configure", round_.event)
    errors: dict[str, list[str]] = {}
    weights: list[Decimal] = []
    for index, item in enumerate(criteria):
        try:
            weights.append(_parse_weight(item.weight))
        except ValidationError as exc:
            errors.setdefault(f"criterion_{index}", []).extend(exc.messages)
            weights.append(Decimal(0))
        if not (item.name_zh.strip() or item.name_en.strip()):
            errors.setdefault(f"criterion_{index}", []).append(
                _("Give the criterion a name in Chinese, English or both.")
            )
    if not criteria:
        errors["criteria"] = [_("A round needs at least one criterion.")]
    elif not errors and sum(weights) != 100:
        errors["criteria"] = [
            _("The weights add up to %(total)s %%; they must total exactly 100 %%.") % {"total": plain(sum(weights))}
        ]
    if tie_break is not None and not 0 <= tie_break < len(criteria):
        errors["tie_break"] = [_("Choose one of the round's criteria to break ties.")]
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        existing = {criterion.pk: criterion for criterion in selectors.criteria_of(locked_round)}
        kept_ids = {item.id for item in criteria if item.id is not None}
        if kept_ids - set(existing):
            raise ValueError("A criterion id that is not in this round was given.")
        if _has_submitted_cards(locked_round):
            same_set = kept_ids == set(existing) and len(criteria) == len(existing)
            same_weights = same_set and all(
                existing[item.id].weight == weight for item, weight in zip(criteria, weights, strict=True)
            )
            if not same_weights:
                fixed = _(
                    "Judges have already submitted cards: criteria can be renamed and their guidance "
                    "edited, but none added or removed and no weight changed."
                )
                raise ValidationError({"criteria": ValidationError(fixed, code="criteria_fixed")})
        Criterion.objects.filter(round=locked_round).exclude(pk__in=kept_ids).delete()
        saved: list[Criterion] = []
        for position, (item, weight) in enumerate(zip(criteria, weights, strict=True), start=1):
            criterion = existing.get(item.id) if item.id is not None else Criterion(round=locked_round)
            criterion.name_zh = item.name_zh.strip()
            criterion.name_en = item.name_en.strip()
            criterion.guidance_zh = item.guidance_zh.strip()
            criterion.guidance_en = item.guidance_en.strip()
            criterion.weight = weight
            criterion.position = position
            criterion.full_clean(exclude=["round"])
            criterion.save()
            saved.append(criterion)
        locked_round.tie_break_criterion = saved[tie_break] if tie_break is not None else None
        locked_round.save(update_fields=["tie_break_criterion"])
        _bump_results(locked_round)
    round_.tie_break_criterion = locked_round.tie_break_criterion
    return saved
