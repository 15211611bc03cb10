"""Leads: someone on the enterprise or investor side is interested in a project.

A lead comes from the roadshow room's "I'm interested" button (one per ``RoomInterest``),
from a curated match, or is entered by hand by an organiser. There is at most one lead per
person and project. A lead moves forward on its own when a meeting is arranged about it or a
deal references it; organisers (and the people it belongs to) change its status by hand.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event
from events.services import can, require
from livestream.models import RoomInterest
from registration.models import Entry

from ..models import CuratedMatch, EnterpriseProfile, Lead, Need
from ..selectors.meetings import docking_entries, enterprise_of

# A lead only ever moves forward on its own: a meeting does not undo a recorded deal.
FORWARD = [Lead.Status.NEW, Lead.Status.CONTACTED, Lead.Status.MEETING, Lead.Status.DEAL]


def lead_advance(*, lead: Lead | None, status: str) -> None:
    """Move ``lead`` on to ``status`` (meeting or deal) unless it is already there or further."""
    if lead is None or lead.status not in FORWARD:
        return
    if FORWARD.index(lead.status) < FORWARD.index(status):
        lead.status = status
        lead.save(update_fields=["status", "updated_at"])


def _check_entry(event: Event, entry: Entry) -> None:
    if not docking_entries(event).filter(pk=entry.pk).exists():
        raise ValidationError({"entry": _("Choose a submitted project taking part in this event.")}, code="bad_entry")


def lead_create(
    *,
    event: Event,
    entry: Entry,
    person: User,
    created_by: User,
    source: str = Lead.Source.MANUAL,
    enterprise: EnterpriseProfile | None = None,
    need: Need | None = None,
    notes: str = "",
) -> Lead:
    """Record a lead (organisers). One lead per person and project; nobody is a lead on their own project.

    Without an enterprise, the person's own enterprise profile (if they are a contact of one) is used.
    """
    require(created_by, "docking.manage", event)
    if source not in Lead.Source.values:
        raise ValueError(f"Unknown lead source {source!r}")
    _check_entry(event, entry)
    if entry.owner_id == person.pk:
        raise ValidationError({"person": _("This person owns the project.")}, code="own_project")
    if need is not None and need.event_id != event.pk:
        raise ValidationError({"need": _("Choose a need of this event.")}, code="bad_need")
    if Lead.objects.filter(entry=entry, person=person).exists():
        raise ValidationError({"person": _("This person is already a lead for this project.")}, code="duplicate_lead")
    lead = Lead(
        event=event,
        entry=entry,
        person=person,
        enterprise=enterprise or enterprise_of(person),
        need=need,
        source=source,
        notes=notes.strip(),
        created_by=created_by,
    )
    lead.full_clean(exclude=["room_interest"])
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        raise ValidationError(
            {"person": _("This person is already a lead for this project.")}, code="duplicate_lead"
        ) from None
    return lead


def lead_from_match(*, match: CuratedMatch, created_by: User, person: User | None = None) -> Lead:
    """Follow a curated project match up as a lead: the need's enterprise is interested in the project.

    Organisers may do it for any contact of the enterprise; a contact of the enterprise for themself.
    An existing lead of the same person and project is returned (and linked to the need) instead.
    """
    if match.entry_id is None:
        raise ValidationError(_("Only a match with a project can become a lead."), code="talent_match")
    need = match.need
    contacts = need.enterprise.contacts.all()
    if person is None:
        person = created_by if contacts.filter(pk=created_by.pk).exists() else (need.posted_by or contacts.first())
    if person is None or not contacts.filter(pk=person.pk).exists():
        raise ValidationError({"person": _("Choose one of the enterprise's contact people.")}, code="not_a_contact")
    if not (can(created_by, "docking.manage", match.event) or person.pk == created_by.pk):
        raise PermissionDenied(_("You do not have permission to do this in this event."))
    existing = Lead.objects.filter(entry_id=match.entry_id, person=person).first()
    if existing is not None:
        if existing.need_id is None:
            existing.need = need
            existing.save(update_fields=["need", "updated_at"])
        return existing
    _check_entry(match.event, match.entry)
    lead = Lead(
        event=match.event,
        entry=match.entry,
        person=person,
        enterprise=need.enterprise,
        need=need,
        source=Lead.Source.MATCH,
        notes=match.explanation,
        created_by=created_by,
    )
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        return Lead.objects.get(entry_id=match.entry_id, person=person)
    return lead


def lead_from_room_interest(*, interest: RoomInterest) -> Lead | None:
    """The lead for a room's "I'm interested" mark: created (source room) or, if the person is
    already a lead for the project, linked to the mark. Running it twice changes nothing.

    The enterprise is the person's own enterprise profile, if they are a contact of one.
    """
    linked = Lead.objects.filter(room_interest=interest).first()
    if linked is not None:
        return linked
    existing = Lead.objects.filter(entry_id=interest.entry_id, person_id=interest.user_id).first()
    if existing is not None:
        if existing.room_interest_id is None:
            existing.room_interest = interest
            existing.save(update_fields=["room_interest", "updated_at"])
        return existing
    person = interest.user
    if interest.entry.owner_id == person.pk:
        return None
    lead = Lead(
        event_id=interest.room.event_id,
        entry_id=interest.entry_id,
        person=person,
        enterprise=enterprise_of(person),
        source=Lead.Source.ROOM,
        room_interest=interest,
    )
    try:
        with transaction.atomic():
            lead.save()
    except IntegrityError:
        return Lead.objects.filter(entry_id=interest.entry_id, person_id=interest.user_id).first()
    return lead


def leads_import_room_interests(*, event: Event, imported_by: User | None) -> int:
    """Turn every interest marked in the event's rooms that has no lead yet into one (organisers).

    Returns how many interests were newly linked. ``imported_by=None`` is the system (demo, tasks).
    """
    if imported_by is not None:
        require(imported_by, "docking.manage", event)
    interests = (
        RoomInterest.objects.filter(room__event=event, lead__isnull=True)
        .select_related("room", "entry", "user")
        .order_by("created_at", "pk")
    )
    linked = 0
    for interest in interests:
        lead = lead_from_room_interest(interest=interest)
        if lead is not None and lead.room_interest_id == interest.pk:
            linked += 1
    return linked


def lead_status_change(*, lead: Lead, status: str, changed_by: User, notes: str | None = None) -> Lead:
    """Set a lead's status (and notes): the event's organisers, the interested person, or a contact
    of the lead's enterprise."""
    if not (
        can(changed_by, "docking.manage", lead.event)
        or lead.person_id == changed_by.pk
        or (lead.enterprise_id and lead.enterprise.contacts.filter(pk=changed_by.pk).exists())
    ):
        raise PermissionDenied(_("You do not have permission to do this in this event."))
    if status not in Lead.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")}, code="bad_status")
    lead.status = status
    fields = ["status", "updated_at"]
    if notes is not None:
        lead.notes = notes.strip()
        fields.append("notes")
    lead.full_clean(exclude=["room_interest"])
    lead.save(update_fields=fields)
    return lead
