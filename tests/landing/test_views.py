"""Ledger pages: who may see them, the board's columns and filters (constant queries), the
company page's timeline, and the forms (errors shown, nothing stored)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events.models import Role
from landing import services
from landing.models import CadenceTask, Inspection, LandedCompany, LedgerChange, Milestone
from tests.factories import DealFactory, EntryFactory, EventFactory, LandedCompanyFactory, MilestoneFactory

from .conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BOARD_QUERIES = 7
COMPANY_QUERIES = 15


def url(name, event, **kwargs):
    return reverse(f"landing:{name}", kwargs={"slug": event.slug, **kwargs})


def make_companies(event, editor, count):
    companies = []
    for index in range(count):
        company = LandedCompanyFactory(
            entry__event=event, event=event, responsible=editor, status=["red", "yellow", "blue"][index % 3]
        )
        CadenceTask.objects.create(
            company=company, kind="check", period_start=dt.date(2020, 1, 1), due_on=dt.date(2020, 1, 15)
        )
        companies.append(company)
    services.cadence_tasks_create(today=timezone.localdate())
    return companies


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.ENTERPRISE, Role.JUDGE, Role.AUDIENCE])
def test_other_roles_cannot_see_the_ledger(client, event, company, role):
    client.force_login(person(event, role))
    for path in (url("board", event), company.get_absolute_url(), url("company_create", event)):
        assert client.get(path).status_code == 403


def test_a_ledger_editor_of_another_event_sees_nothing_here(client, event, company):
    other = EventFactory()
    outsider = person(other, Role.LEDGER_EDITOR)
    client.force_login(outsider)
    assert client.get(url("board", other)).status_code == 200
    assert client.get(url("board", event)).status_code == 403
    assert client.get(company.get_absolute_url()).status_code == 403
    # The company does not exist in the editor's own event either.
    assert client.get(url("company_detail", other, pk=company.pk)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, event):
    response = client.get(url("board", event))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("count", [1, 3])
def test_board_uses_the_same_number_of_queries_whatever_the_number_of_companies(
    client, event, editor, django_assert_num_queries, count
):
    make_companies(event, editor, count)
    client.force_login(editor)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(url("board", event))
    assert response.status_code == 200
    columns = {column.status: len(column.companies) for column in response.context["columns"]}
    assert columns == {"red": 1, "yellow": 1 if count > 1 else 0, "blue": 1 if count > 2 else 0}
    assert all(c.overdue_count == 1 for column in response.context["columns"] for c in column.companies)


def test_board_filters_by_park_base_and_overdue(client, event, editor):
    overdue, fine, offshore = make_companies(event, editor, 3)
    CadenceTask.objects.filter(company__in=[fine, offshore], due_on__lt=timezone.localdate()).update(
        done_at=timezone.now()
    )
    LandedCompany.objects.filter(pk=fine.pk).update(park="临港园区")
    LandedCompany.objects.filter(pk=offshore.pk).update(base="offshore", base_name="硅谷离岸孵化基地")
    client.force_login(editor)

    def names(params):
        response = client.get(url("board", event), params)
        return sorted(c.pk for column in response.context["columns"] for c in column.companies)

    assert names({}) == sorted([overdue.pk, fine.pk, offshore.pk])
    assert names({"park": "临港园区"}) == [fine.pk]
    assert names({"base": "offshore"}) == [offshore.pk]
    assert names({"overdue": "1"}) == [overdue.pk]
    response = client.get(url("board", event), {"overdue": "1"}, **EN)
    assert "1 overdue" in response.content.decode()


def test_company_page_shows_the_whole_timeline(client, event, organiser, editor, company):
    deal = DealFactory(entry=company.entry, event=event, stage="signed", signed_on=dt.date(2026, 10, 2))
    services.company_update(company=company, changed_by=organiser, deals=[deal], employees=20)
    services.company_status_change(company=company, changed_by=organiser, to_status="yellow", note="厂房开工")
    MilestoneFactory(company=company, title_en="Line installed", done_on=dt.date(2026, 11, 1))
    services.inspection_record(
        company=company, recorded_by=editor, inspected_on=dt.date(2026, 11, 2), findings="设备到货"
    )
    CadenceTask.objects.create(
        company=company, kind="check", period_start=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 15)
    )
    client.force_login(editor)
    response = client.get(company.get_absolute_url(), **EN)
    assert response.status_code == 200
    kinds = [row.kind for row in response.context["timeline"]]
    assert sorted(kinds) == ["change", "inspection", "milestone", "status", "task"]
    html = response.content.decode()
    assert "厂房开工" in html
    assert "设备到货" in html
    assert "Line installed" in html
    assert "Red: not started" in html and "Yellow: under construction" in html
    assert "<li>Employees: 12 → 20</li>" in html
    assert str(deal.entry.title) in html
    assert company.entry.reference in html


def test_company_form_records_a_company_and_shows_bad_codes(client, event, editor):
    entry = EntryFactory(event=event, status="awarded", submitted_at=timezone.now())
    client.force_login(editor)
    data = {
        "name_zh": "海城储能科技有限公司",
        "credit_code": "91350100M000100Y44",
        "incorporated_on": "2026-10-08",
        "base": "local",
        "registered_capital_cny": "-100",
        "entry": entry.pk,
        "responsible": editor.pk,
    }
    response = client.post(url("company_create", event), data, **EN)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["credit_code"] == ["The check character of this credit code is wrong; check for a typo."]
    assert form.errors["registered_capital_cny"] == ["An amount cannot be negative."]
    assert LandedCompany.objects.count() == 0
    data.update(credit_code="91350100m000100y43", registered_capital_cny="1000000")
    response = client.post(url("company_create", event), data)
    company = LandedCompany.objects.get()
    assert response.status_code == 302
    assert response["Location"] == company.get_absolute_url()
    assert (company.credit_code, company.entry, company.responsible, company.created_by) == (
        "91350100M000100Y43",
        entry,
        editor,
        editor,
    )


def test_edit_form_audits_the_change(client, event, editor, company):
    client.force_login(editor)
    response = client.get(url("company_edit", event, pk=company.pk))
    form = response.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["incorporated_on"] = company.incorporated_on.isoformat()
    data["responsible"] = company.responsible_id
    data["deals"] = []
    data["employees"] = 40
    response = client.post(url("company_edit", event, pk=company.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    assert LedgerChange.objects.get(company=company).changes == {"employees": [12, 40]}


def test_status_form_needs_a_note(client, event, editor, company):
    client.force_login(editor)
    response = client.post(url("company_status", event, pk=company.pk), {"to_status": "yellow", "note": ""}, **EN)
    assert response.status_code == 400
    assert response.context["status_form"].errors == {
        "note": ["Say why the status changes (e.g. what the inspection found)."]
    }
    response = client.post(url("company_status", event, pk=company.pk), {"to_status": "yellow", "note": "开工"})
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.status == "yellow"


def test_inspection_form_with_photos_and_a_check(client, event, editor, company):
    task = CadenceTask.objects.create(
        company=company, kind="check", period_start=dt.date(2026, 11, 1), due_on=dt.date(2026, 11, 15)
    )
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    client.force_login(editor)
    response = client.post(
        url("inspection_add", event, pk=company.pk),
        {
            "inspected_on": timezone.localdate().isoformat(),
            "findings": "已投产",
            "task": task.pk,
            "photos": [
                SimpleUploadedFile("a.jpg", buffer.getvalue(), "image/jpeg"),
                SimpleUploadedFile("b.jpg", buffer.getvalue(), "image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.photos.count() == 2
    task.refresh_from_db()
    assert task.done_at is not None
    photo = inspection.photos.first()
    response = client.get(url("photo", event, pk=photo.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    client.force_login(person(event, Role.ENTRANT))
    assert client.get(url("photo", event, pk=photo.pk)).status_code == 403


def test_inspection_form_refuses_a_future_date(client, event, editor, company):
    client.force_login(editor)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url("inspection_add", event, pk=company.pk), {"inspected_on": tomorrow.isoformat(), "findings": "x"}, **EN
    )
    assert response.status_code == 400
    assert response.context["inspection_form"].errors == {
        "inspected_on": ["The inspection date cannot be in the future."]
    }
    assert Inspection.objects.count() == 0


def test_milestone_and_check_forms(client, event, editor, company):
    task = CadenceTask.objects.create(
        company=company, kind="review", period_start=dt.date(2026, 10, 1), due_on=dt.date(2026, 12, 31)
    )
    client.force_login(editor)
    response = client.post(
        url("milestone_add", event, pk=company.pk), {"title_zh": "首批产品下线", "due_on": "2027-03-31"}
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    response = client.post(url("milestone_done", event, pk=company.pk, milestone_id=milestone.pk))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    response = client.post(url("task_done", event, pk=company.pk, task_id=task.pk), {"notes": "复盘完成"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.done_by, task.notes) == (editor, "复盘完成")


def test_event_page_links_the_ledger_for_its_readers_only(client, event, editor):
    client.force_login(editor)
    assert url("board", event) in client.get(event.get_absolute_url()).content.decode()
    client.force_login(person(event, Role.ENTRANT))
    assert url("board", event) not in client.get(event.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_company_page_uses_the_same_number_of_queries_whatever_its_history(
    client, event, editor, company, django_assert_num_queries, count
):
    for index in range(count):
        MilestoneFactory(company=company, due_on=dt.date(2026, 12, 1) + dt.timedelta(days=index))
        services.company_status_change(
            company=company, changed_by=editor, to_status=["yellow", "blue", "red"][index], note=f"第{index}次"
        )
        inspection = services.inspection_record(
            company=company, recorded_by=editor, inspected_on=dt.date(2026, 11, 1), findings=f"发现{index}"
        )
        inspection.photos.create(image=f"inspections/{company.pk}/{index}.jpg")
        CadenceTask.objects.create(
            company=company,
            kind="check",
            period_start=dt.date(2026, 1 + index, 1),
            due_on=dt.date(2026, 1 + index, 15),
            assignee=editor,
        )
        DealFactory(entry=company.entry, event=event).landed_companies.add(company)
    client.force_login(editor)
    with django_assert_num_queries(COMPANY_QUERIES):
        response = client.get(company.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["timeline"]) == 4 * count
