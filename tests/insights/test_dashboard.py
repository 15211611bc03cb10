"""The programme dashboard: figures equal independent counts, breakdowns, constant queries."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from docking.models import Deal
from events.models import Event, Role
from insights import services
from landing.models import CadenceTask, LandedCompany
from registration.models import Entry
from tests.factories import (
    DealFactory,
    EventFactory,
    LandedCompanyFactory,
    MeetingFactory,
    TrackFactory,
    UserFactory,
)

from .conftest import add_entry, add_task, expected_funnel, role

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_event_funnel_equals_independent_counts(programme):
    dashboard = services.event_dashboard_build(user=programme.organiser, event=programme.event)
    expected = expected_funnel(Entry.objects.filter(event=programme.event))
    assert dashboard.funnel == expected
    assert expected == {
        "registered": 9,
        "screened_in": 6,
        "finalists": 3,
        "met": 2,
        "signed": 2,
        "landed": 3,
        "production": 1,
    }


def test_event_deals_and_ledger_equal_independent_counts(programme):
    dashboard = services.event_dashboard_build(user=programme.organiser, event=programme.event)
    deals = Deal.objects.filter(event=programme.event)
    signed = [deal for deal in deals if deal.stage == "signed"]
    assert dashboard.deals.signed == len(signed) == 3
    assert dashboard.deals.signed_amount == sum(d.amount_cny or 0 for d in signed) == Decimal("1500000.50")
    assert dashboard.deals.intent == 1
    assert dashboard.deals.cancelled == 1
    companies = list(LandedCompany.objects.filter(event=programme.event))
    assert (dashboard.ledger.red, dashboard.ledger.yellow, dashboard.ledger.blue) == (
        sum(c.status == "red" for c in companies),
        sum(c.status == "yellow" for c in companies),
        sum(c.status == "blue" for c in companies),
    )
    assert (dashboard.ledger.red, dashboard.ledger.yellow, dashboard.ledger.blue) == (2, 1, 1)
    today = timezone.localdate()
    overdue = [
        task
        for task in CadenceTask.objects.filter(company__event=programme.event)
        if task.due_on < today and task.done_at is None
    ]
    assert dashboard.ledger.overdue_checks == len(overdue) == 2


def test_breakdowns_by_track_country_and_year(programme):
    with translation.override("en"):
        dashboard = services.event_dashboard_build(user=programme.organiser, event=programme.event)
    entries = list(Entry.objects.filter(event=programme.event))
    one, two = programme.tracks
    by_track = {row.key: row.counts for row in dashboard.by_track}
    assert list(by_track) == [one, two, None]
    for track in (one, two, None):
        assert by_track[track] == expected_funnel([e for e in entries if e.track == track])
    assert by_track[one]["registered"] == 4
    by_country = {row.key: row for row in dashboard.by_country}
    assert [row.key for row in dashboard.by_country] == ["DE", "US", "CN", ""]
    assert by_country["US"].label == "United States of America"
    assert by_country[""].label == "Not given"
    for code in ("DE", "US", "CN"):
        members = [e for e in entries if e.team.get(is_lead=True).country == code]
        assert by_country[code].counts == expected_funnel(members)
    assert [(row.label, row.counts["registered"]) for row in dashboard.by_year] == [("2026", 9)]
    assert dashboard.by_event == []


def test_programme_dashboard_spans_the_users_events(programme):
    staff = UserFactory(is_staff=True)
    dashboard = services.programme_dashboard_build(user=staff)
    assert dashboard.funnel == expected_funnel(Entry.objects.all())
    assert [row.key for row in dashboard.by_event] == [programme.event, programme.other]
    assert [(row.label, row.counts["registered"]) for row in dashboard.by_year] == [("2025", 1), ("2026", 9)]
    assert dashboard.deals.signed == 4
    assert dashboard.ledger.blue == 2
    assert dashboard.ledger.overdue_checks == 3

    both = programme.organiser
    role(programme.other, Role.LEDGER_EDITOR, user=both)
    assert [e.pk for e in services.programme_dashboard_build(user=both).events] == [
        programme.event.pk,
        programme.other.pk,
    ]
    mine = services.programme_dashboard_build(user=programme.other_organiser)
    assert mine.events == [programme.other]
    assert mine.funnel == expected_funnel(Entry.objects.filter(event=programme.other))
    assert mine.deals.signed_amount == Decimal("9999")


def test_dashboard_page_shows_figures_tables_and_chart_data(client, programme):
    client.force_login(programme.organiser)
    response = client.get(reverse("insights:event_dashboard", kwargs={"slug": programme.event.slug}))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div class="fs-4 fw-semibold" id="figure-registered">9</div>' in html
    assert '<div class="fs-4 fw-semibold" id="figure-overdue">2</div>' in html
    assert "¥1,500,000" in html
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html
    embedded = html.split('<script id="insights-charts" type="application/json">')[1].split("</script>")[0]
    charts = json.loads(embedded)
    assert charts == response.context["charts"]
    assert [point["value"] for point in charts["funnel"]] == [9, 6, 3, 2, 2, 3, 1]
    assert [point["value"] for point in charts["ledger"]] == [2, 1, 1]
    keys = [table.key for table in response.context["tables"]]
    assert keys == ["funnel", "tracks", "countries", "years", "deals", "ledger", "companies"]
    history = reverse(
        "insights:entry_history", kwargs={"slug": programme.event.slug, "pk": programme.entries["awarded"].pk}
    )
    assert f'href="{history}"' in html


def test_ledger_editor_sees_no_entry_links(client, programme):
    client.force_login(programme.ledger_editor)
    response = client.get(reverse("insights:event_dashboard", kwargs={"slug": programme.event.slug}))
    assert response.status_code == 200
    assert "/insights/entries/" not in response.content.decode()


def _dataset(size: int) -> tuple[Event, object]:
    event = EventFactory(slug=f"count-{size}")
    organiser = role(event, Role.ORGANISER)
    today = timezone.localdate()
    for n in range(size):
        track = TrackFactory(event=event)
        entry = add_entry(event, status="finalist", track=track, country=["DE", "US", "FR", "CN", "JP"][n])
        MeetingFactory(entry=entry, status="held")
        DealFactory(entry=entry, stage="signed", signed_on=dt.date(2026, 11, 1))
        company = LandedCompanyFactory(entry=entry, status=["red", "yellow", "blue"][n % 3])
        add_task(company, due_on=today - dt.timedelta(days=2))
    return event, organiser


@pytest.mark.parametrize("page", ["event", "programme"])
def test_dashboard_queries_do_not_grow_with_entries(client, page):
    counts = []
    for size in (1, 5):
        event, organiser = _dataset(size)
        client.force_login(organiser)
        url = (
            reverse("insights:event_dashboard", kwargs={"slug": event.slug})
            if page == "event"
            else reverse("insights:programme_dashboard")
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["dashboard"].funnel["signed"] == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_event_page_and_navigation_link_to_the_dashboards(client, programme):
    client.force_login(programme.ledger_editor)
    html = client.get(programme.event.get_absolute_url()).content.decode()
    assert f'href="{reverse("insights:event_dashboard", kwargs={"slug": programme.event.slug})}"' in html
    assert 'id="nav-programme-dashboard"' in html
    client.force_login(role(programme.event, Role.AUDIENCE))
    html = client.get(programme.event.get_absolute_url()).content.decode()
    assert "/insights/" not in html
    assert 'id="nav-programme-dashboard"' not in html


@pytest.mark.parametrize(
    ("language", "html_lang", "title"),
    [("zh-hans", "zh-Hans", "海智创新大赛"), ("en", "en", "Haizhi Innovation Contest")],
)
def test_dashboards_render_in_both_languages(client, settings, programme, language, html_lang, title):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    programme.organiser.language = language
    programme.organiser.save(update_fields=["language"])
    client.force_login(programme.organiser)
    for url in (
        reverse("insights:event_dashboard", kwargs={"slug": programme.event.slug}),
        reverse("insights:programme_dashboard"),
    ):
        html = client.get(url).content.decode()
        assert f'<html lang="{html_lang}">' in html
        assert title in html
        assert '<div class="fs-4 fw-semibold" id="figure-registered">9</div>' in html
    if language == "en":
        assert "Met in docking (meeting held)" in html
