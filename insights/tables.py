"""The dashboard's and the report's tables, built once and shown as HTML or written as XLSX.

A page and its spreadsheet read the same ``Table``, so an export always says what the page
says. Text that a spreadsheet would run as a formula is defused on the way out.
"""

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from events.models import Event
from landing.models import LedgerStatus
from landing.templatetags.landing_tags import status_label
from registration.exports import defuse
from registration.templatetags.registration_tags import cny

from .selectors import FUNNEL_STAGES, FunnelRow
from .services import Dashboard, MonthlyReport

SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Cell:
    """A value with an optional link and text to show for it (both for the page only)."""

    value: object
    url: str = ""
    display: str = ""

    def __str__(self) -> str:
        if self.display:
            return self.display
        return "" if self.value is None else str(self.value)


def money_cell(amount) -> Cell:
    """An amount of CNY: a number in the spreadsheet, ¥ with thousands separators on the page."""
    if amount is None:
        return Cell(None)
    return Cell(float(amount), display=cny(amount))


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    numeric_from: int = 1  # columns from this index on are numbers (right-aligned)
    note: str = ""

    def cells(self) -> list[list[Cell]]:
        return [[value if isinstance(value, Cell) else Cell(value) for value in row] for row in self.rows]


def colour_name(status: str) -> str:
    """A ledger status value in words ("—" for none)."""
    return str(status_label(status))


def _stage_headers(first: str) -> list[str]:
    return [first, *[str(label) for _key, label in FUNNEL_STAGES]]


def _breakdown(key: str, title: str, first: str, rows: list[FunnelRow], url=None) -> Table:
    return Table(
        key=key,
        title=title,
        headers=_stage_headers(first),
        rows=[[Cell(row.label, url(row) if url else ""), *row.values] for row in rows],
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "—"


def funnel_table(funnel: dict[str, int]) -> Table:
    registered = funnel["registered"]
    return Table(
        key="funnel",
        title=_("Funnel"),
        headers=[_("Stage"), _("Entries"), _("Share of registered")],
        rows=[[str(label), funnel[key], _percent(funnel[key], registered)] for key, label in FUNNEL_STAGES],
    )


def dashboard_tables(dashboard: Dashboard, *, entry_links: Callable[[Event], bool]) -> list[Table]:
    """Every table of a dashboard page, in page order.

    ``entry_links(event)`` says whether projects of that event link to their history page.
    """
    ledger = dashboard.ledger
    tables = [funnel_table(dashboard.funnel)]
    if dashboard.event is None:
        tables.append(
            _breakdown(
                "events",
                _("By event"),
                _("Event"),
                dashboard.by_event,
                url=lambda row: reverse("insights:event_dashboard", kwargs={"slug": row.key.slug}),
            )
        )
    tables += [
        _breakdown("tracks", _("By track"), _("Track"), dashboard.by_track),
        _breakdown("countries", _("By country/region (team lead)"), _("Country/region"), dashboard.by_country),
        _breakdown("years", _("By year"), _("Year"), dashboard.by_year),
        Table(
            key="deals",
            title=_("Deals"),
            headers=[_("Signed deals"), _("Signed amount (CNY)"), _("Letters of intent"), _("Cancelled")],
            rows=[
                [
                    dashboard.deals.signed,
                    money_cell(dashboard.deals.signed_amount),
                    dashboard.deals.intent,
                    dashboard.deals.cancelled,
                ]
            ],
            numeric_from=0,
        ),
        Table(
            key="ledger",
            title=_("Landing ledger"),
            headers=[*(str(label) for label in LedgerStatus.labels), _("Overdue checks")],
            rows=[[ledger.red, ledger.yellow, ledger.blue, ledger.overdue_checks]],
            numeric_from=0,
            note=_("Overdue: scheduled checks due before %(today)s and not done.") % {"today": dashboard.today},
        ),
        companies_table(dashboard, entry_links=entry_links),
    ]
    return tables


def _entry_cell(entry, *, link: bool) -> Cell:
    if entry is None:
        return Cell("")
    url = reverse("insights:entry_history", kwargs={"slug": entry.event.slug, "pk": entry.pk}) if link else ""
    return Cell(f"{entry.reference} {entry.title}".strip(), url)


def companies_table(dashboard: Dashboard, *, entry_links: Callable[[Event], bool]) -> Table:
    headers = [_("Company"), _("Unified social credit code"), _("Project"), _("Ledger status"), _("Incorporated")]
    if dashboard.event is None:
        headers.insert(0, _("Event"))
    rows = []
    for company in dashboard.companies:
        row = [
            company.name,
            company.credit_code,
            _entry_cell(_with_event(company.entry, company.event), link=entry_links(company.event)),
            company.get_status_display(),
            company.incorporated_on.isoformat(),
        ]
        if dashboard.event is None:
            row.insert(0, company.event.title)
        rows.append(row)
    return Table(key="companies", title=_("Landed companies"), headers=headers, rows=rows, numeric_from=len(headers))


def report_tables(report: MonthlyReport, *, entry_links: bool) -> list[Table]:
    """The monthly report's tables: ledger by colour with the month's moves, inspections, overdue checks, deals."""
    ledger_rows = []
    for _value, label, lines in report.companies_by_colour:
        for line in lines:
            moves = "; ".join(
                f"{timezone.localdate(change.changed_at).isoformat()} {colour_name(change.from_status)} → "
                f"{colour_name(change.to_status)}"
                for change in line.changes
            )
            entry = _with_event(line.company.entry, report.event)
            ledger_rows.append(
                [str(label), line.company.name, line.company.credit_code, _entry_cell(entry, link=entry_links), moves]
            )
    return [
        Table(
            key="ledger",
            title=_("Ledger by colour"),
            headers=[
                _("Status"),
                _("Company"),
                _("Unified social credit code"),
                _("Project"),
                _("Status changes this month"),
            ],
            rows=ledger_rows,
            numeric_from=5,
        ),
        Table(
            key="inspections",
            title=_("Inspections this month"),
            headers=[_("Date"), _("Company"), _("Who inspected"), _("Findings"), _("Photos")],
            rows=[
                [i.inspected_on.isoformat(), i.company.name, i.inspectors, i.findings, i.photo_count]
                for i in report.inspections
            ],
            numeric_from=4,
        ),
        Table(
            key="overdue",
            title=_("Overdue checks"),
            headers=[_("Due on"), _("Company"), _("Check"), _("Responsible"), _("Done")],
            rows=[
                [
                    task.due_on.isoformat(),
                    task.company.name,
                    task.get_kind_display(),
                    task.assignee.display_name if task.assignee else "",
                    task.done_at.date().isoformat() if task.done_at else "",
                ]
                for task in report.overdue
            ],
            numeric_from=5,
        ),
        Table(
            key="deals",
            title=_("Deals signed this month"),
            headers=[_("Signing date"), _("Project"), _("Enterprise or investor"), _("Kind"), _("Amount (CNY)")],
            rows=[
                [
                    deal.signed_on.isoformat(),
                    _entry_cell(_with_event(deal.entry, report.event), link=entry_links),
                    deal.enterprise.name if deal.enterprise else "",
                    deal.get_kind_display(),
                    money_cell(deal.amount_cny),
                ]
                for deal in report.deals
            ],
            numeric_from=4,
        ),
        funnel_table(report.funnel),
    ]


def _with_event(entry, event):
    """The entry with its event set from what the page already holds (spares a query per row)."""
    if entry is not None:
        entry.event = event
    return entry


def _sheet_title(title: str, used: set[str]) -> str:
    base = SHEET_TITLE_FORBIDDEN.sub(" ", title)[:SHEET_TITLE_MAX].strip() or "Sheet"
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" {n}"
        name, n = base[: SHEET_TITLE_MAX - len(suffix)] + suffix, n + 1
    used.add(name.casefold())
    return name


def _plain(value):
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, Decimal):
        return float(value)
    return defuse(value)


def workbook_bytes(tables: list[Table]) -> bytes:
    """An XLSX file with one sheet per table: the header row, then the rows."""
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([defuse(header) for header in table.headers])
        for row in table.rows:
            sheet.append([_plain(value) for value in row])
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()
