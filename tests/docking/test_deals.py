"""Deals: recording, stage transitions, the audit trail, amounts and dates, documents, permissions,
and signed counts coming from Deal rows."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from docking.models import Deal, DealChange, DealDocument, Lead
from docking.selectors.deals import signed_deals
from docking.services import deals as services
from tests.factories import DealFactory, LeadFactory

from .meetings_setup import make_fair

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fair():
    return make_fair()


def _record(fair, by=None, **fields):
    values = {"entry": fair.entry, "kind": "investment", "amount_cny": "3000000", "enterprise": fair.enterprise}
    values.update(fields)
    return services.deal_create(event=fair.event, recorded_by=by or fair.organiser, **values)


def test_record_an_intent_with_an_audited_first_change(fair):
    deal = _record(fair, parties="Haicheng Angel Fund")
    assert (deal.stage, deal.amount_cny, deal.signed_on) == ("intent", Decimal("3000000"), None)
    change = DealChange.objects.get(deal=deal)
    assert (change.changed_by, change.from_stage, change.to_stage) == (fair.organiser, "", "intent")
    assert change.changes == {
        "entry": [None, str(fair.entry.pk)],
        "enterprise": [None, str(fair.enterprise.pk)],
        "kind": [None, "investment"],
        "amount_cny": [None, "3000000.00"],
        "parties": [None, "Haicheng Angel Fund"],
    }


def test_negative_amount_is_refused_and_nothing_is_stored(fair):
    with pytest.raises(ValidationError) as caught:
        _record(fair, amount_cny="-1")
    assert caught.value.message_dict == {"amount_cny": ["An amount cannot be negative."]}
    assert (Deal.objects.count(), DealChange.objects.count()) == (0, 0)


def test_a_signed_deal_needs_a_date_not_in_the_future(fair):
    with pytest.raises(ValidationError) as caught:
        _record(fair, stage="signed")
    assert caught.value.message_dict == {"signed_on": ["A signed deal needs its signing date."]}
    with pytest.raises(ValidationError) as caught:
        _record(fair, stage="signed", signed_on=timezone.localdate() + dt.timedelta(days=1))
    assert caught.value.message_dict == {"signed_on": ["The signing date cannot be in the future."]}
    deal = _record(fair, stage="signed", signed_on=timezone.localdate())
    assert deal.stage == "signed"
    assert Deal.objects.count() == 1


def test_a_new_deal_cannot_start_cancelled(fair):
    with pytest.raises(ValidationError) as caught:
        _record(fair, stage="cancelled")
    assert caught.value.message_dict == {"stage": ["A new deal is a letter of intent or signed."]}


def test_transitions_are_audited_and_only_the_allowed_ones(fair):
    deal = _record(fair)
    signed_on = timezone.localdate() - dt.timedelta(days=2)
    services.deal_transition(deal=deal, to_stage="signed", changed_by=fair.ledger_editor, signed_on=signed_on)
    deal.refresh_from_db()
    assert (deal.stage, deal.signed_on) == ("signed", signed_on)
    with pytest.raises(ValidationError) as caught:
        services.deal_transition(deal=deal, to_stage="intent", changed_by=fair.organiser)
    assert caught.value.message_dict == {"stage": ["A deal cannot move from “Signed” to “Letter of intent”."]}
    with pytest.raises(ValidationError) as caught:
        services.deal_transition(deal=deal, to_stage="cancelled", changed_by=fair.organiser)
    assert caught.value.message_dict == {"reason": ["Give the reason for cancelling the deal."]}
    services.deal_transition(deal=deal, to_stage="cancelled", changed_by=fair.organiser, reason="Investor withdrew.")
    changes = list(DealChange.objects.filter(deal=deal).order_by("pk"))
    assert [(c.from_stage, c.to_stage, c.changed_by, c.reason) for c in changes] == [
        ("", "intent", fair.organiser, ""),
        ("intent", "signed", fair.ledger_editor, ""),
        ("signed", "cancelled", fair.organiser, "Investor withdrew."),
    ]
    assert changes[1].changes == {"stage": ["intent", "signed"], "signed_on": [None, signed_on.isoformat()]}
    with pytest.raises(ValidationError) as caught:
        services.deal_transition(deal=deal, to_stage="signed", changed_by=fair.organiser, signed_on=signed_on)
    assert caught.value.message_dict == {"stage": ["A deal cannot move from “Cancelled” to “Signed”."]}
    with pytest.raises(ValidationError) as caught:
        services.deal_update(deal=deal, changed_by=fair.organiser, notes="late")
    assert caught.value.messages == ["A cancelled deal can no longer be changed."]


def test_intent_can_be_cancelled(fair):
    deal = _record(fair)
    services.deal_transition(deal=deal, to_stage="cancelled", changed_by=fair.organiser, reason="No budget.")
    assert Deal.objects.get(pk=deal.pk).stage == "cancelled"


def test_update_audits_only_the_changed_fields(fair):
    deal = _record(fair)
    services.deal_update(deal=deal, changed_by=fair.organiser, amount_cny=Decimal("3000000"), parties="")
    assert DealChange.objects.filter(deal=deal).count() == 1
    services.deal_update(deal=deal, changed_by=fair.ledger_editor, amount_cny="4500000.50", kind="cooperation")
    change = DealChange.objects.filter(deal=deal).latest("pk")
    assert change.changed_by == fair.ledger_editor
    assert change.changes == {"amount_cny": ["3000000.00", "4500000.50"], "kind": ["investment", "cooperation"]}
    with pytest.raises(ValidationError) as caught:
        services.deal_update(deal=deal, changed_by=fair.organiser, amount_cny=-5)
    assert caught.value.message_dict == {"amount_cny": ["An amount cannot be negative."]}
    assert Deal.objects.get(pk=deal.pk).amount_cny == Decimal("4500000.50")


def test_a_deal_moves_its_lead_on(fair):
    lead = LeadFactory(entry=fair.entry, event=fair.event, person=fair.enterprise_user)
    _record(fair, lead=lead)
    assert Lead.objects.get(pk=lead.pk).status == "deal"


def test_lead_and_meeting_must_match_event_and_project(fair):
    other = make_fair("other")
    foreign_lead = LeadFactory(entry=other.entry, event=other.event)
    with pytest.raises(ValidationError) as caught:
        _record(fair, lead=foreign_lead)
    assert caught.value.message_dict == {"lead": ["Choose a lead of this event on this project."]}
    with pytest.raises(ValidationError) as caught:
        _record(fair, entry=other.entry)
    assert caught.value.message_dict == {"entry": ["Choose a submitted project taking part in this event."]}


def test_who_may_record_deals(fair):
    _record(fair, by=fair.ledger_editor)
    for outsider in (fair.enterprise_user, fair.talent, make_fair("other").organiser):
        with pytest.raises(PermissionDenied):
            _record(fair, by=outsider)


def test_signed_counts_come_from_deal_rows(fair):
    other = make_fair("other")
    DealFactory(event=fair.event, entry=fair.entry, stage="signed", signed_on=dt.date(2026, 1, 5))
    DealFactory(event=fair.event, entry=fair.entry, stage="signed", signed_on=dt.date(2026, 1, 6))
    DealFactory(event=fair.event, entry=fair.entry, stage="intent")
    DealFactory(event=other.event, entry=other.entry, stage="signed", signed_on=dt.date(2026, 1, 6))
    DealFactory(event=other.event, entry=other.entry, stage="cancelled", signed_on=dt.date(2026, 1, 6))
    assert signed_deals(fair.event).count() == 2
    assert signed_deals().count() == 3


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile("agreement scan.png", buffer.getvalue(), content_type="image/png")


def test_documents_are_checked_kept_privately_and_audited(fair, settings):
    deal = _record(fair)
    document = services.deal_document_add(deal=deal, upload=_png(), uploaded_by=fair.organiser)
    assert (document.original_name, document.size > 0) == ("agreement scan.png", True)
    assert document.file.name.startswith(f"deals/{fair.event.pk}/")
    assert not str(document.file.path).startswith(str(settings.MEDIA_ROOT))
    assert DealChange.objects.filter(deal=deal).latest("pk").changes == {"documents": [None, "agreement scan.png"]}
    with pytest.raises(ValidationError) as caught:
        services.deal_document_add(
            deal=deal, upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00binary"), uploaded_by=fair.organiser
        )
    assert caught.value.messages == ["Upload a PDF or an image (JPEG, PNG, WebP or GIF)."]
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * services.DEAL_DOCUMENT_MAX_BYTES)
    with pytest.raises(ValidationError):
        services.deal_document_add(deal=deal, upload=big, uploaded_by=fair.organiser)
    assert DealDocument.objects.count() == 1
