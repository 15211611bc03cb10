"""Landing ledger jobs: the daily cadence run (create, remind, flag overdue) and status notices.

Tasks take primitive arguments, load the objects and call services.
"""

from datetime import date

from celery import shared_task

from . import services
from .models import LedgerChange


@shared_task
def run_cadence(today: str | None = None) -> dict[str, int]:
    """Create the current periods' checks, send reminders and flag overdue checks (daily by beat).

    ``today`` is an ISO date for re-running a missed day; by default the local date.
    """
    day = date.fromisoformat(today) if today else None
    return {
        "created": services.cadence_tasks_create(today=day),
        "reminded": services.cadence_reminders_send(today=day),
        "flagged": services.cadence_overdue_flag(today=day),
    }


@shared_task
def notify_status_change(change_id: int) -> None:
    change = (
        LedgerChange.objects.select_related("company__event", "company__responsible", "changed_by")
        .filter(pk=change_id)
        .first()
    )
    if change is not None:
        services.status_change_notify(change=change)
