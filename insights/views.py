"""Dashboard, report and entry-history pages: parse the request, ask the service, render.

Dashboards and reports answer 403 to anyone without ``insights.view``; an entry's history
does not exist (404) for people who may not see it, as the entry itself does not.
"""

import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.models import Event
from events.services import can, require

from . import services
from .charts import dashboard_charts
from .selectors import FUNNEL_STAGES
from .tables import Table, dashboard_tables, report_tables, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(tables: list[Table], wanted: str, filename: str) -> FileResponse:
    """The tables as a workbook; ``wanted`` names one table (by key), or nothing for all of them."""
    if wanted:
        tables = [table for table in tables if table.key == wanted]
        if not tables:
            raise Http404(_("No such table."))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    suffix = f"-{wanted}" if wanted else ""
    return FileResponse(
        io.BytesIO(workbook_bytes(tables)),
        as_attachment=True,
        filename=f"{filename}{suffix}-{stamp}.xlsx",
        content_type=XLSX,
    )


def _entry_links(user):
    return lambda event: can(user, "entry.view_all", event)


def _dashboard_page(request, dashboard, *, export_url: str):
    tables = dashboard_tables(dashboard, entry_links=_entry_links(request.user))
    return render(
        request,
        "insights/dashboard.html",
        {
            "dashboard": dashboard,
            "event": dashboard.event,
            "tables": tables,
            "charts": dashboard_charts(dashboard),
            "stages": FUNNEL_STAGES,
            "export_url": export_url,
        },
    )


def _event(slug: str) -> Event:
    return get_object_or_404(Event, slug=slug)


@login_required
def event_dashboard(request, slug: str):
    """One event's funnel, breakdowns, deals and ledger (organisers and ledger editors)."""
    dashboard = services.event_dashboard_build(user=request.user, event=_event(slug))
    return _dashboard_page(request, dashboard, export_url=reverse("insights:event_export", kwargs={"slug": slug}))


@login_required
def event_export(request, slug: str):
    event = _event(slug)
    dashboard = services.event_dashboard_build(user=request.user, event=event)
    tables = dashboard_tables(dashboard, entry_links=_entry_links(request.user))
    return _xlsx(tables, request.GET.get("table", ""), f"{event.slug}-dashboard")


@login_required
def programme_dashboard(request):
    """The same figures across every event the visitor organises or keeps the ledger of (all for staff)."""
    dashboard = services.programme_dashboard_build(user=request.user)
    return _dashboard_page(request, dashboard, export_url=reverse("insights:programme_export"))


@login_required
def programme_export(request):
    dashboard = services.programme_dashboard_build(user=request.user)
    tables = dashboard_tables(dashboard, entry_links=_entry_links(request.user))
    return _xlsx(tables, request.GET.get("table", ""), "programme-dashboard")


def _report(request, event: Event):
    """The report for ``?month=YYYY-MM`` (this month by default), or the month's error."""
    require(request.user, "insights.view", event)
    today = timezone.localdate()
    try:
        first = services.month_parse(request.GET.get("month"), today=today)
    except ValidationError as exc:
        return None, exc.messages[0]
    return services.monthly_report_build(user=request.user, event=event, first=first, today=today), ""


@login_required
def monthly_report(request, slug: str):
    """The printable monthly supervision report, in the site language or the one ``?lang=`` names."""
    event = _event(slug)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("lang", "")
    with translation.override(language if language in languages else translation.get_language()):
        report, error = _report(request, event)
        tables = report_tables(report, entry_links=can(request.user, "entry.view_all", event)) if report else []
        return render(
            request,
            "insights/report.html",
            {
                "event": event,
                "report": report,
                "error": error,
                "month": request.GET.get("month", ""),
                "tables": tables,
                "report_languages": languages,
            },
            status=400 if error else 200,
        )


@login_required
def report_export(request, slug: str):
    event = _event(slug)
    report, error = _report(request, event)
    if error:
        return HttpResponseBadRequest(error)
    tables = report_tables(report, entry_links=False)
    return _xlsx(tables, request.GET.get("table", ""), f"{event.slug}-report-{report.month}")


def entry_history(request, slug: str, pk: int):
    """One entry's whole history, from registration to the landing ledger."""
    event = _event(slug)
    entry = services.entry_of_event(event, pk)
    if entry is None or not services.entry_history_visible(request.user, entry):
        raise Http404(_("No such entry."))
    history = services.entry_history_build(user=request.user, entry=entry)
    return render(request, "insights/entry_history.html", {"event": event, "entry": entry, "history": history})
