"""Small helpers every part of the judging services shares."""

from decimal import Decimal

from django.db.models import F

from core.tasks import enqueue
from registration import services as registration_services

from ..models import Round, Scorecard


def china_time(moment) -> str:
    return registration_services.china_time(moment)


def _bump_results(round_: Round) -> None:
    """Mark the round's cached results stale (in the caller's transaction)."""
    Round.objects.filter(pk=round_.pk).update(results_version=F("results_version") + 1)


def _has_submitted_cards(round_: Round) -> bool:
    return Scorecard.objects.filter(round=round_, status=Scorecard.Status.SUBMITTED).exists()


def plain(number: Decimal) -> str:
    """A decimal without trailing zeros or an exponent: 30.00 → "30", 7.50 → "7.5"."""
    return f"{number.normalize():f}"


def _queue(task_name: str, *args) -> None:
    from .. import tasks  # the tasks module calls these services

    enqueue(getattr(tasks, task_name), *args)
