"""Ledger API: read for organisers and ledger editors only, writes through the services, and the schema."""

import datetime as dt

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, validate

from events.models import Role
from landing.models import LandedCompany, LedgerChange
from tests.factories import DealFactory, EntryFactory, EventFactory, LandedCompanyFactory

from .conftest import person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
LIST_QUERIES = 7


def api(event, *rest):
    return "/api/v1/events/" + event.slug + "/ledger/" + "".join(f"{part}/" for part in rest)


@pytest.mark.parametrize("count", [1, 3])
def test_list_for_ledger_editors_with_constant_queries(client, event, editor, django_assert_num_queries, count):
    for _ in range(count):
        LandedCompanyFactory(entry__event=event, event=event, responsible=editor)
    LandedCompanyFactory()  # another event's company
    client.force_login(editor)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(api(event))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == count
    assert {row["overdue_count"] for row in body["results"]} == {0}
    assert {row["responsible"] for row in body["results"]} == {editor.pk}


@pytest.mark.parametrize("role", [Role.ENTRANT, Role.ENTERPRISE, Role.JUDGE])
def test_other_roles_and_other_events_get_403(client, event, company, role):
    client.force_login(person(event, role))
    assert client.get(api(event)).status_code == 403
    assert client.get(api(event, company.pk)).status_code == 403
    client.force_login(person(EventFactory(), Role.LEDGER_EDITOR))
    assert client.get(api(event)).status_code == 403
    client.logout()
    assert client.get(api(event)).status_code == 403


def test_create_refuses_bad_codes_and_negative_amounts_then_records(client, event, editor):
    entry = EntryFactory(event=event, status="awarded", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    deal = DealFactory(entry=entry, event=event)
    client.force_login(editor)
    data = {
        "name_en": "Haicheng Storage Ltd",
        "credit_code": "91350100M000100Y44",
        "incorporated_on": "2026-10-08",
        "registered_capital_cny": "-1",
        "entry": entry.pk,
        "deals": [deal.pk],
    }
    response = client.post(api(event), data, content_type="application/json", **EN)
    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "credit_code": ["The check character of this credit code is wrong; check for a typo."],
            "registered_capital_cny": ["An amount cannot be negative."],
        }
    }
    assert LandedCompany.objects.count() == 0
    data.update(credit_code="91350100M000100Y43", registered_capital_cny="1000000.00")
    response = client.post(api(event), data, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["credit_code"], body["status"], body["entry"], body["deals"]) == (
        "91350100M000100Y43",
        "red",
        entry.pk,
        [deal.pk],
    )
    assert len(body["changes"]) == 1


def test_foreign_links_are_refused(client, event, editor):
    other_entry = EntryFactory(status="awarded", submitted_at=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))
    client.force_login(editor)
    response = client.post(
        api(event),
        {"name_en": "X", "credit_code": "91350100M000100Y43", "incorporated_on": "2026-10-08", "entry": other_entry.pk},
        content_type="application/json",
        **EN,
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"entry": ["The project must belong to this event."]}}


def test_update_and_status_change_are_audited(client, event, organiser, company):
    client.force_login(organiser)
    response = client.patch(api(event, company.pk), {"employees": 55}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["employees"] == 55
    response = client.post(
        api(event, company.pk, "status"), {"to_status": "blue", "note": ""}, content_type="application/json", **EN
    )
    assert response.status_code == 400
    assert response.json() == {"errors": {"note": ["Say why the status changes (e.g. what the inspection found)."]}}
    response = client.post(
        api(event, company.pk, "status"), {"to_status": "blue", "note": "已投产"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "blue"
    assert list(LedgerChange.objects.filter(company=company).values_list("from_status", "to_status", "changes")) == [
        ("", "", {"employees": [12, 55]}),
        ("red", "blue", {}),
    ]


def test_readers_cannot_write(client, event, company):
    entrant = person(event, Role.ENTRANT)
    client.force_login(entrant)
    response = client.patch(api(event, company.pk), {"employees": 1}, content_type="application/json")
    assert response.status_code == 403


def test_schema_lists_the_ledger_endpoints_and_validates(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    # The ledger's part on its own (other apps' paths are checked by tests/core/test_api_schema.py).
    ledger_paths = {path: item for path, item in spec["paths"].items() if "/ledger/" in path}
    validate({**spec, "paths": ledger_paths}, cls=OpenAPIV30SpecValidator)
    assert set(spec["paths"]["/api/v1/events/{slug}/ledger/"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/events/{slug}/ledger/{company_id}/"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/events/{slug}/ledger/{company_id}/status/"]) == {"post"}
