"""Judging e-mails and site notifications, sent by Celery in the recipient's language, and the
scheduled closing of rounds. Tasks take ids, load the objects and call services.

Each message carries a ``once`` key (``notifications.models.Delivery``): a task redelivered after
its worker died sends no one the same e-mail twice."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from notifications.services import task_key, user_notify

from . import selectors, services
from .models import Round, RoundOutcome, Scorecard


@shared_task(bind=True)
def send_judge_reminder(self, round_id: int, judge_id: int) -> None:
    """Remind one judge how many cards of the round they still have to submit."""
    round_ = Round.objects.select_related("event").filter(pk=round_id).first()
    judge = User.objects.filter(pk=judge_id).first()
    if round_ is None or judge is None:
        return
    rows = selectors.judge_rows(round_, judge)
    remaining = sum(1 for row in rows if row.state != Scorecard.Status.SUBMITTED)
    if not remaining:
        return
    with translation.override(judge.language or settings.LANGUAGE_CODE):
        closes_at = services.china_time(round_.closes_at)
    user_notify(
        user=judge,
        event=round_.event,
        template="judging/email/reminder",
        kind="judging.reminder",
        url=reverse("judging:round_judge", kwargs={"slug": round_.event.slug, "number": round_.number}),
        context={
            "round": round_,
            "remaining": remaining,
            "assigned": len(rows),
            "submitted": len(rows) - remaining,
            "closes_at": closes_at,
        },
        once=task_key(self),
    )


@shared_task(bind=True)
def notify_card_reopened(self, card_id: int) -> None:
    """Tell a judge that an organiser reopened one of their cards, and why."""
    card = Scorecard.objects.select_related("round__event", "judge", "entry").filter(pk=card_id).first()
    if card is None:
        return
    reason = card.changes.filter(field="locked").order_by("-changed_at", "-id").values_list("reason", flat=True).first()
    user_notify(
        user=card.judge,
        event=card.round.event,
        template="judging/email/card_reopened",
        kind="judging.card_reopened",
        url=reverse(
            "judging:score",
            kwargs={"slug": card.round.event.slug, "number": card.round.number, "entry_id": card.entry_id},
        ),
        context={"round": card.round, "card": card, "reason": reason or ""},
        body=reason or "",
        once=task_key(self),
    )


@shared_task
def notify_not_advanced(outcome_ids: list[int]) -> None:
    """Tell each entrant whose entry did not advance (those that did hear from registration)."""
    outcomes = RoundOutcome.objects.filter(pk__in=outcome_ids, advanced=False).select_related(
        "round__event", "entry__owner", "entry__event"
    )
    for outcome in outcomes:
        entry = outcome.entry
        user_notify(
            user=entry.owner,
            event=outcome.round.event,
            template="judging/email/not_advanced",
            kind="judging.not_advanced",
            url=entry.get_absolute_url(),
            context={"round": outcome.round, "entry": entry},
            once=f"judging.not_advanced:{outcome.pk}",
        )


@shared_task(bind=True)
def notify_results_released(self, round_id: int) -> None:
    """Tell the entrants of the round that its results (and any feedback for them) are out."""
    round_ = Round.objects.select_related("event").filter(pk=round_id).first()
    if round_ is None:
        return
    entries = selectors.pool_entries(round_).select_related("owner").order_by("pk")
    url = reverse("judging:my_results", kwargs={"slug": round_.event.slug})
    for entry in entries:
        user_notify(
            user=entry.owner,
            event=round_.event,
            template="judging/email/results_released",
            kind="judging.results_released",
            url=url,
            context={"round": round_, "entry": entry},
            once=task_key(self, entry.pk),
        )


@shared_task
def close_due_rounds() -> int:
    """Celery beat: close (and lock the cards of) every round whose closing time has passed."""
    return services.rounds_close_due()
