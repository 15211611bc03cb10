"""Deal pages and the deals and meetings API: forms, errors, documents behind the permission
check, who may see what, query counts, and the OpenAPI schema."""

import datetime as dt
import io

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openapi_spec_validator import OpenAPIV30SpecValidator, validate
from PIL import Image

from docking.models import Deal, DealChange, DealDocument
from docking.services import deals as services
from docking.services import meetings as meeting_services
from tests.factories import DealFactory

from .meetings_setup import at, make_fair, project

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def fair():
    return make_fair()


def _url(name: str, fair, *args) -> str:
    return reverse(f"docking:{name}", args=[fair.event.slug, *args])


def _form(fair, **overrides) -> dict:
    data = {
        "entry": fair.entry.pk,
        "enterprise": fair.enterprise.pk,
        "kind": "investment",
        "stage": "intent",
        "amount_cny": "5000000",
        "parties": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_ledger_editor_records_and_signs_a_deal_through_the_pages(client, fair):
    client.force_login(fair.ledger_editor)
    response = client.post(_url("deal_create", fair), _form(fair))
    deal = Deal.objects.get()
    assert response["Location"] == _url("deal_detail", fair, deal.pk)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(_url("deal_stage", fair, deal.pk), {"to_stage": "signed", "signed_on": yesterday})
    assert response.status_code == 302
    page = client.get(_url("deal_detail", fair, deal.pk)).content.decode()
    assert "¥5,000,000" in page and "Letter of intent → Signed" in page
    assert "amount (CNY): — → 5000000.00" in page
    listing = client.get(_url("deals", fair)).content.decode()
    assert "1 signed deal" in listing


def test_negative_amount_shows_on_the_form_and_stores_nothing(client, fair):
    client.force_login(fair.organiser)
    response = client.post(_url("deal_create", fair), _form(fair, amount_cny="-100"))
    assert response.status_code == 200
    assert response.context["form"].errors["amount_cny"] == ["An amount cannot be negative."]
    assert Deal.objects.count() == 0


def test_cancelling_without_a_reason_is_refused_on_the_page(client, fair):
    deal = services.deal_create(event=fair.event, recorded_by=fair.organiser, entry=fair.entry, kind="talent")
    client.force_login(fair.organiser)
    response = client.post(_url("deal_stage", fair, deal.pk), {"to_stage": "cancelled"})
    assert response.status_code == 400
    assert response.context["stage_form"].errors["reason"] == ["Give the reason for cancelling the deal."]
    assert Deal.objects.get().stage == "intent"


def test_edit_page_audits_changes(client, fair):
    deal = services.deal_create(event=fair.event, recorded_by=fair.organiser, entry=fair.entry, kind="talent")
    client.force_login(fair.organiser)
    data = _form(fair, kind="talent", amount_cny="", notes="Signed at the fair desk")
    data.pop("stage")
    data.pop("enterprise")
    assert client.post(_url("deal_edit", fair, deal.pk), data).status_code == 302
    assert DealChange.objects.filter(deal=deal).latest("pk").changes == {"notes": ["", "Signed at the fair desk"]}


def _pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


def test_documents_download_only_for_deal_recorders(client, fair):
    deal = services.deal_create(event=fair.event, recorded_by=fair.organiser, entry=fair.entry, kind="talent")
    client.force_login(fair.organiser)
    response = client.post(
        _url("deal_document_upload", fair, deal.pk), {"file": SimpleUploadedFile("agreement.pdf", _pdf())}
    )
    assert response.status_code == 302
    document = DealDocument.objects.get()
    url = _url("deal_document", fair, deal.pk, document.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="agreement.pdf"'
    for outsider in (fair.enterprise_user, fair.talent, make_fair("other").organiser):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        assert client.get(_url("deals", fair)).status_code == 403
    client.force_login(fair.organiser)
    bad = client.post(_url("deal_document_upload", fair, deal.pk), {"file": SimpleUploadedFile("x.txt", b"hello")})
    assert bad.status_code == 400
    assert bad.context["document_form"].errors["__all__"] == ["Upload a PDF or an image (JPEG, PNG, WebP or GIF)."]


def test_deal_list_uses_a_fixed_number_of_queries(client, fair, django_assert_num_queries):
    client.force_login(fair.organiser)
    DealFactory(event=fair.event, entry=fair.entry)
    with CaptureQueriesContext(connection) as one:
        client.get(_url("deals", fair))
    DealFactory(event=fair.event, entry=project(fair.event))
    DealFactory(event=fair.event, entry=project(fair.event), enterprise=None)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(_url("deals", fair))


# --- API ------------------------------------------------------------------------------------------


def _api(fair) -> str:
    return f"/api/v1/events/{fair.event.slug}/deals/"


def test_api_records_lists_and_moves_deals(client, fair):
    client.force_login(fair.ledger_editor)
    response = client.post(
        _api(fair), {"entry": fair.entry.pk, "kind": "cooperation", "amount_cny": "1200000.00"}, "application/json"
    )
    assert response.status_code == 201
    deal_id = response.json()["id"]
    assert response.json()["stage"] == "intent"
    listing = client.get(_api(fair)).json()
    assert [row["id"] for row in listing["results"]] == [deal_id]
    today = timezone.localdate().isoformat()
    moved = client.patch(
        f"{_api(fair)}{deal_id}/", {"stage": "signed", "signed_on": today}, content_type="application/json"
    )
    assert (moved.status_code, moved.json()["stage"], moved.json()["signed_on"]) == (200, "signed", today)
    assert client.get(_api(fair) + "?stage=signed").json()["count"] == 1


def test_api_refuses_bad_input_with_400(client, fair):
    client.force_login(fair.organiser)
    negative = client.post(
        _api(fair), {"entry": fair.entry.pk, "kind": "investment", "amount_cny": "-5"}, "application/json"
    )
    assert negative.status_code == 400
    assert negative.json() == {"errors": {"amount_cny": ["An amount cannot be negative."]}}
    deal = DealFactory(event=fair.event, entry=fair.entry, stage="intent")
    back = client.patch(f"{_api(fair)}{deal.pk}/", {"stage": "cancelled"}, content_type="application/json")
    assert back.json() == {"errors": {"reason": ["Give the reason for cancelling the deal."]}}
    foreign = client.post(_api(fair), {"entry": make_fair("other").entry.pk, "kind": "investment"}, "application/json")
    assert foreign.json() == {"errors": {"entry": ["Not found in this event."]}}
    assert Deal.objects.count() == 1


def test_api_permissions(client, fair):
    deal = DealFactory(event=fair.event, entry=fair.entry)
    for outsider in (fair.enterprise_user, make_fair("other").organiser):
        client.force_login(outsider)
        assert client.get(_api(fair)).status_code == 403
        assert client.get(f"{_api(fair)}{deal.pk}/").status_code == 403
        assert client.get(f"/api/v1/events/{fair.event.slug}/meetings/").status_code == 403
    client.logout()
    assert client.get(_api(fair)).status_code == 403


def test_api_meetings_for_organisers_and_my_meetings(client, fair):
    meeting = meeting_services.fair_meeting_create(
        event=fair.event,
        entry=fair.entry,
        person=fair.enterprise_user,
        table=fair.tables[0],
        starts_at=at(1),
        ends_at=at(2),
        created_by=fair.organiser,
    )
    client.force_login(fair.organiser)
    rows = client.get(f"/api/v1/events/{fair.event.slug}/meetings/").json()["results"]
    assert [(row["id"], row["table"], len(row["participants"])) for row in rows] == [(meeting.pk, "A1", 2)]
    client.force_login(fair.enterprise_user)
    mine = client.get("/api/v1/docking/my-meetings/").json()["results"]
    assert [(row["id"], row["event"]) for row in mine] == [(meeting.pk, fair.event.slug)]
    client.force_login(fair.investor)
    assert client.get("/api/v1/docking/my-meetings/").json()["results"] == []


@pytest.mark.parametrize("path", ["deals", "meetings"])
def test_api_lists_use_a_fixed_number_of_queries(client, fair, django_assert_num_queries, path):
    def add(n):
        for _ in range(n):
            entry = project(fair.event)
            DealFactory(event=fair.event, entry=entry)
            meeting_services.fair_meeting_create(
                event=fair.event,
                entry=entry,
                person=fair.enterprise_user,
                table=fair.tables[0],
                starts_at=at(Deal.objects.count()),
                ends_at=at(Deal.objects.count(), 30),
                created_by=fair.organiser,
            )

    client.force_login(fair.organiser)
    add(1)
    url = f"/api/v1/events/{fair.event.slug}/{path}/"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(2)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).json()["count"] == 3


def test_schema_lists_the_docking_endpoints_and_validates(client):
    spec = yaml.safe_load(client.get("/api/schema/").content)
    # Validate the document with the docking deal and meeting paths only (tests/core checks the whole).
    spec["paths"] = {path: item for path, item in spec["paths"].items() if "/deals/" in path or "meetings/" in path}
    validate(spec, cls=OpenAPIV30SpecValidator)
    assert set(spec["paths"]["/api/v1/events/{slug}/deals/"]) == {"get", "post"}
    assert set(spec["paths"]["/api/v1/events/{slug}/deals/{deal_id}/"]) == {"get", "patch"}
    assert set(spec["paths"]["/api/v1/events/{slug}/meetings/"]) == {"get"}
    assert set(spec["paths"]["/api/v1/docking/my-meetings/"]) == {"get"}
