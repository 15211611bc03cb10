"""The data the dashboard's charts draw, as plain JSON-ready values (embedded with ``json_script``).

The charts repeat the tables beside them, which stay the accessible source: the page works
without JavaScript.
"""

from django.utils.translation import gettext as _

from landing.models import LedgerStatus

from .selectors import FUNNEL_STAGES, FunnelRow
from .services import Dashboard

BAR_STAGES = ("registered", "finalists", "signed", "landed")
BAR_ROWS_MAX = 15
LEDGER_COLOURS = {LedgerStatus.RED: "#dc3545", LedgerStatus.YELLOW: "#ffc107", LedgerStatus.BLUE: "#0d6efd"}


def _bars(rows: list[FunnelRow]) -> dict:
    shown = sorted(rows, key=lambda row: -row.counts["registered"])[:BAR_ROWS_MAX]
    labels = dict(FUNNEL_STAGES)
    return {
        "categories": [row.label for row in shown],
        "series": [{"name": str(labels[key]), "data": [row.counts[key] for row in shown]} for key in BAR_STAGES],
    }


def dashboard_charts(dashboard: Dashboard) -> dict:
    ledger = dashboard.ledger
    return {
        "funnel": [{"name": str(label), "value": dashboard.funnel[key]} for key, label in FUNNEL_STAGES],
        "tracks": _bars(dashboard.by_track),
        "countries": _bars(dashboard.by_country),
        "ledger": [
            {"name": str(label), "value": getattr(ledger, value), "color": LEDGER_COLOURS[value]}
            for value, label in LedgerStatus.choices
        ],
        "labels": {"noData": _("No data yet.")},
    }
