"""The monthly supervision report lists exactly the month's items, in both languages."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from events.models import Role
from insights import services
from landing.models import CadenceTask, Inspection, LedgerChange
from tests.factories import DealFactory, EntryFactory, EventFactory, LandedCompanyFactory

from .conftest import add_task, role

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CHINA = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=CHINA)


def china(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CHINA)


def _change(company, *, at, from_status, to_status, note=""):
    change = LedgerChange.objects.create(company=company, from_status=from_status, to_status=to_status, note=note)
    LedgerChange.objects.filter(pk=change.pk).update(changed_at=at)
    return change


@pytest.fixture
def month(db, clock):
    clock.freeze(NOW)
    event = EventFactory(title_zh="海智创新大赛", title_en="Haizhi Innovation Contest")
    organiser = role(event, Role.ORGANISER)
    # Names of their own: the report sorts by name, and the factory's numbered names sort "公司10" before
    # "公司9", so the order would depend on how many companies earlier tests made.
    red = LandedCompanyFactory(entry__event=event, status="red", name_en="Red Co", name_zh="1 红色科技")
    yellow = LandedCompanyFactory(entry__event=event, status="yellow", name_en="Yellow Co", name_zh="2 黄色科技")
    blue = LandedCompanyFactory(entry__event=event, status="blue", name_en="Blue Co", name_zh="3 蓝色科技")
    other_event_company = LandedCompanyFactory(status="red")

    nov = dt.date(2026, 11, 1)
    changes = {
        "before": _change(yellow, at=china(dt.date(2026, 10, 31), 23), from_status="", to_status="red"),
        "first": _change(yellow, at=china(nov, 0), from_status="red", to_status="yellow", note="Workshop rented"),
        "last": _change(blue, at=china(dt.date(2026, 11, 30), 23), from_status="yellow", to_status="blue"),
        "edit_only": _change(red, at=china(dt.date(2026, 11, 15)), from_status="", to_status=""),
        "after": _change(blue, at=china(dt.date(2026, 12, 1), 0), from_status="blue", to_status="yellow"),
    }
    _change(other_event_company, at=china(dt.date(2026, 11, 15)), from_status="red", to_status="yellow")

    def inspect(company, day):
        return Inspection.objects.create(company=company, inspected_on=day, findings="Visited", inspectors="Li, Wang")

    inspections = {
        "before": inspect(red, dt.date(2026, 10, 31)),
        "first": inspect(red, nov),
        "last": inspect(yellow, dt.date(2026, 11, 30)),
        "after": inspect(yellow, dt.date(2026, 12, 1)),
        "other": inspect(other_event_company, dt.date(2026, 11, 10)),
    }

    def deal(day, stage="signed", amount=1_000_000):
        entry = EntryFactory(event=event, status="finalist", submitted_at=china(dt.date(2026, 9, 1)))
        return DealFactory(entry=entry, stage=stage, signed_on=day, amount_cny=amount)

    deals = {
        "before": deal(dt.date(2026, 10, 31)),
        "first": deal(nov, amount=2_000_000),
        "last": deal(dt.date(2026, 11, 30), amount=500_000),
        "after": deal(dt.date(2026, 12, 1)),
        "cancelled": deal(nov, stage="cancelled"),
    }

    tasks = {
        "open": add_task(red, due_on=dt.date(2026, 11, 20)),
        "done_in_time": add_task(yellow, due_on=dt.date(2026, 11, 20), done_at=china(dt.date(2026, 11, 25))),
        "done_late": add_task(blue, due_on=dt.date(2026, 11, 20), done_at=china(dt.date(2026, 12, 2))),
        "due_next_month": add_task(red, due_on=dt.date(2026, 12, 1), kind=CadenceTask.Kind.MONTHLY_COORDINATION),
        "older_open": add_task(yellow, due_on=dt.date(2026, 10, 5), kind=CadenceTask.Kind.QUARTERLY_REVIEW),
        "other_event": add_task(other_event_company, due_on=dt.date(2026, 11, 3)),
    }
    return {
        "event": event,
        "organiser": organiser,
        "companies": (red, yellow, blue),
        "changes": changes,
        "inspections": inspections,
        "deals": deals,
        "tasks": tasks,
    }


def test_report_lists_exactly_the_months_items(month):
    report = services.monthly_report_build(user=month["organiser"], event=month["event"], first=dt.date(2026, 11, 1))
    red, yellow, blue = month["companies"]
    assert [(value, [line.company for line in lines]) for value, _label, lines in report.companies_by_colour] == [
        ("red", [red]),
        ("yellow", [yellow]),
        ("blue", [blue]),
    ]
    assert [change.pk for change in report.changes] == [month["changes"]["first"].pk, month["changes"]["last"].pk]
    lines = {line.company: line.changes for _value, _label, lines in report.companies_by_colour for line in lines}
    assert lines[yellow] == [month["changes"]["first"]]
    assert lines[blue] == [month["changes"]["last"]]
    assert lines[red] == []
    assert [i.pk for i in report.inspections] == [month["inspections"]["first"].pk, month["inspections"]["last"].pk]
    assert [d.pk for d in report.deals] == [month["deals"]["first"].pk, month["deals"]["last"].pk]
    assert report.signed_amount == 2_500_000
    assert [t.pk for t in report.overdue] == [
        month["tasks"]["older_open"].pk,
        month["tasks"]["open"].pk,
        month["tasks"]["done_late"].pk,
    ]
    assert report.cutoff == dt.date(2026, 12, 1)
    assert report.funnel["signed"] == 4  # a snapshot now: every signed deal counts, whatever its month


def test_current_month_counts_checks_open_now(month):
    report = services.monthly_report_build(user=month["organiser"], event=month["event"], first=dt.date(2026, 12, 1))
    assert report.cutoff == dt.date(2026, 12, 5)
    assert [t.pk for t in report.overdue] == [
        month["tasks"]["older_open"].pk,
        month["tasks"]["open"].pk,
        month["tasks"]["due_next_month"].pk,
    ]
    assert [d.pk for d in report.deals] == [month["deals"]["after"].pk]
    assert [c.pk for c in report.changes] == [month["changes"]["after"].pk]


@pytest.mark.parametrize(
    ("language", "heading", "title"),
    [("en", "Monthly supervision report", "Haizhi Innovation Contest"), ("zh-hans", None, "海智创新大赛")],
)
def test_report_page_renders_in_both_languages(client, month, language, heading, title):
    client.force_login(month["organiser"])
    url = reverse("insights:monthly_report", kwargs={"slug": month["event"].slug})
    response = client.get(url, {"month": "2026-11", "lang": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{"en" if language == "en" else "zh-Hans"}">' in html
    assert title in html
    if heading:
        assert f'<h1 class="h3 mb-1">{heading}</h1>' in html
    assert "@media print" in html
    assert 'href="?month=2026-11&amp;lang=zh-hans"' in html
    assert 'href="?month=2026-11&amp;lang=en"' in html
    assert '<strong id="report-deals">2</strong>' in html
    assert '<strong id="report-overdue">3</strong>' in html
    assert '<strong id="report-inspections">2</strong>' in html
    assert '<strong id="report-changes">2</strong>' in html
    assert "Workshop rented" not in html  # notes stay in the ledger; the report lists the moves


def test_report_in_english_names_the_colours(client, month):
    client.force_login(month["organiser"])
    url = reverse("insights:monthly_report", kwargs={"slug": month["event"].slug})
    html = client.get(url, {"month": "2026-11", "lang": "en"}).content.decode()
    assert "2026-11-01 Red: not started → Yellow: under construction" in html
    assert "2026-11-30 Yellow: under construction → Blue: in production" in html


@pytest.mark.parametrize("bad", ["2026-13", "November", "2027-01", "1999-12"])
def test_a_bad_month_is_a_clear_message(client, month, bad):
    client.force_login(month["organiser"])
    url = reverse("insights:monthly_report", kwargs={"slug": month["event"].slug})
    with translation.override("en"):
        response = client.get(url, {"month": bad, "lang": "en"})
    assert response.status_code == 400
    assert response.context["error"] in (
        "Give the month as year and month, e.g. 2026-12.",
        "Choose a month between 2000 and this month.",
    )
    export = reverse("insights:report_export", kwargs={"slug": month["event"].slug})
    assert client.get(export, {"month": bad}).status_code == 400


def test_report_export_has_the_months_rows(client, month, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(month["organiser"])
    url = reverse("insights:report_export", kwargs={"slug": month["event"].slug})
    response = client.get(url, {"month": "2026-11"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == [
        "Ledger by colour",
        "Inspections this month",
        "Overdue checks",
        "Deals signed this month",
        "Funnel",
    ]
    deals = list(book["Deals signed this month"].iter_rows(values_only=True))
    assert [(row[0], row[4]) for row in deals[1:]] == [("2026-11-01", 2000000.0), ("2026-11-30", 500000.0)]
    overdue = list(book["Overdue checks"].iter_rows(values_only=True))
    assert [row[0] for row in overdue[1:]] == ["2026-10-05", "2026-11-20", "2026-11-20"]
    assert overdue[3][4] == "2026-12-02"


def test_report_queries_do_not_grow_with_the_months_rows(client, clock):
    clock.freeze(NOW)
    counts = []
    for size in (1, 3):
        event = EventFactory()
        organiser = role(event, Role.ORGANISER)
        for n in range(size):
            company = LandedCompanyFactory(entry__event=event, status=["red", "yellow", "blue"][n])
            _change(company, at=china(dt.date(2026, 11, 2 + n)), from_status="red", to_status="yellow")
            Inspection.objects.create(company=company, inspected_on=dt.date(2026, 11, 3), findings="ok")
            add_task(company, due_on=dt.date(2026, 11, 10))
            DealFactory(entry=company.entry, stage="signed", signed_on=dt.date(2026, 11, 4))
        client.force_login(organiser)
        url = reverse("insights:monthly_report", kwargs={"slug": event.slug})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"month": "2026-11"})
        assert response.status_code == 200
        assert len(response.context["report"].deals) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
