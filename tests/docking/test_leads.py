"""Leads: by hand, from a match, from the room's "I'm interested" button (live and imported),
status changes and who sees which leads."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from docking.models import CuratedMatch, Lead
from docking.selectors.meetings import leads_visible_to
from docking.services import leads as services
from events.models import Role
from livestream import services as live_services
from tests.factories import (
    AgendaSlotFactory,
    NeedFactory,
    RoadshowRoomFactory,
    RoomInterestFactory,
)

from .meetings_setup import make_fair, person

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def fair():
    return make_fair()


def test_organiser_records_a_lead_with_the_persons_enterprise(fair):
    lead = services.lead_create(
        event=fair.event, entry=fair.entry, person=fair.enterprise_user, created_by=fair.organiser, notes=" call "
    )
    assert (lead.source, lead.enterprise, lead.status, lead.notes) == ("manual", fair.enterprise, "new", "call")
    with pytest.raises(ValidationError) as caught:
        services.lead_create(event=fair.event, entry=fair.entry, person=fair.enterprise_user, created_by=fair.organiser)
    assert caught.value.message_dict == {"person": ["This person is already a lead for this project."]}
    with pytest.raises(ValidationError) as caught:
        services.lead_create(event=fair.event, entry=fair.entry, person=fair.talent, created_by=fair.organiser)
    assert caught.value.message_dict == {"person": ["This person owns the project."]}


def test_only_organisers_record_leads_by_hand(fair):
    for user in (fair.enterprise_user, fair.talent, fair.ledger_editor, make_fair("other").organiser):
        with pytest.raises(PermissionDenied):
            services.lead_create(event=fair.event, entry=fair.entry, person=fair.investor, created_by=user)


def test_lead_from_a_match(fair):
    need = NeedFactory(event=fair.event, enterprise=fair.enterprise, posted_by=fair.enterprise_user)
    match = CuratedMatch.objects.create(event=fair.event, need=need, entry=fair.entry, explanation="same field")
    lead = services.lead_from_match(match=match, created_by=fair.organiser)
    assert (lead.source, lead.person, lead.need, lead.enterprise, lead.notes) == (
        "match",
        fair.enterprise_user,
        need,
        fair.enterprise,
        "same field",
    )
    assert services.lead_from_match(match=match, created_by=fair.enterprise_user) == lead
    with pytest.raises(PermissionDenied):
        services.lead_from_match(match=match, created_by=fair.talent, person=fair.enterprise_user)


@pytest.fixture
def room(fair):
    return RoadshowRoomFactory(event=fair.event)


def test_marking_interest_in_a_room_creates_a_lead(fair, room, django_capture_on_commit_callbacks):
    organiser = fair.organiser
    slot = AgendaSlotFactory(room=room, entry=fair.entry)
    live_services.pitch_start(room=room, user=organiser)
    with django_capture_on_commit_callbacks(execute=True):
        live_services.interest_mark(room=room, user=fair.enterprise_user, slot_id=slot.pk)
    lead = Lead.objects.get()
    assert (lead.entry, lead.person, lead.enterprise, lead.source, lead.event) == (
        fair.entry,
        fair.enterprise_user,
        fair.enterprise,
        "room",
        fair.event,
    )
    assert lead.room_interest.user == fair.enterprise_user


def test_a_room_interest_links_an_existing_lead_once(fair, room):
    lead = services.lead_create(
        event=fair.event, entry=fair.entry, person=fair.enterprise_user, created_by=fair.organiser
    )
    interest = RoomInterestFactory(slot__room=room, slot__entry=fair.entry, user=fair.enterprise_user)
    assert services.lead_from_room_interest(interest=interest) == lead
    assert services.lead_from_room_interest(interest=interest) == lead
    lead.refresh_from_db()
    assert (lead.room_interest, lead.source, Lead.objects.count()) == (interest, "manual", 1)


def test_import_existing_interests(fair, room):
    viewers = [person(fair.event, Role.AUDIENCE) for _ in range(3)]
    slot = AgendaSlotFactory(room=room, entry=fair.entry, state="done", started_at=timezone.now())
    for viewer in viewers:
        RoomInterestFactory(slot=slot, user=viewer)
    other = make_fair("other")
    RoomInterestFactory(slot__room=RoadshowRoomFactory(event=other.event), slot__entry=other.entry)
    with pytest.raises(PermissionDenied):
        services.leads_import_room_interests(event=fair.event, imported_by=other.organiser)
    assert services.leads_import_room_interests(event=fair.event, imported_by=fair.organiser) == 3
    assert services.leads_import_room_interests(event=fair.event, imported_by=fair.organiser) == 0
    assert sorted(Lead.objects.values_list("person_id", flat=True)) == sorted(v.pk for v in viewers)
    assert set(Lead.objects.values_list("event_id", "source")) == {(fair.event.pk, "room")}


def test_enterprise_sees_only_its_own_leads(fair):
    own = services.lead_create(
        event=fair.event, entry=fair.entry, person=fair.enterprise_user, created_by=fair.organiser
    )
    colleague = person(fair.event, Role.ENTERPRISE)
    fair.enterprise.contacts.add(colleague)
    services.lead_create(event=fair.event, entry=fair.entry, person=fair.investor, created_by=fair.organiser)
    assert list(leads_visible_to(fair.enterprise_user, fair.event)) == [own]
    assert list(leads_visible_to(colleague, fair.event)) == [own]
    assert leads_visible_to(fair.organiser, fair.event).count() == 2
    assert leads_visible_to(make_fair("other").organiser, fair.event).count() == 0


def test_status_change_by_organiser_or_own_enterprise_only(fair):
    lead = services.lead_create(
        event=fair.event, entry=fair.entry, person=fair.enterprise_user, created_by=fair.organiser
    )
    services.lead_status_change(lead=lead, status="contacted", changed_by=fair.enterprise_user, notes="called")
    assert (Lead.objects.get(pk=lead.pk).status, Lead.objects.get(pk=lead.pk).notes) == ("contacted", "called")
    with pytest.raises(PermissionDenied):
        services.lead_status_change(lead=lead, status="closed", changed_by=fair.investor)
    with pytest.raises(ValidationError):
        services.lead_status_change(lead=lead, status="bogus", changed_by=fair.organiser)
