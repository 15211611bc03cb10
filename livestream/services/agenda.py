"""The agenda and its pitches: who pitches when, and the pitch on stage with its timer."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import broadcast, selectors
from ..models import MAX_PITCH_MINUTES, AgendaSlot, PitchSignals, RoadshowRoom
from .common import LiveError, _fresh, _iso, _next_seq, _require_action, _require_not_ended, _store

PITCH_EXTEND_STEP_MAX = 600


def _slot_dict(slot: AgendaSlot) -> dict:
    """How a slot appears in frames: the entry's titles and track in both languages, the timer's times."""
    entry, track = slot.entry, slot.entry.track
    # An entry without a title (drafts may lack one) shows its reference rather than nothing.
    untitled = f"#{entry.reference}"
    return {
        "id": slot.pk,
        "position": slot.position,
        "entry": {
            "id": entry.pk,
            "title_zh": entry.title_zh or entry.title_en or untitled,
            "title_en": entry.title_en or entry.title_zh or untitled,
            "track_zh": (track.name_zh or track.name_en) if track else "",
            "track_en": (track.name_en or track.name_zh) if track else "",
        },
        "planned_start": _iso(slot.planned_start),
        "duration_minutes": slot.duration_minutes,
        "state": slot.state,
        "started_at": _iso(slot.started_at),
        "ends_at": _iso(slot.ends_at),
        "extended_seconds": slot.extended_seconds,
    }


def agenda_list(room: RoadshowRoom) -> list[dict]:
    """The room's agenda as sent in frames, in order."""
    return [_slot_dict(slot) for slot in selectors.agenda(room)]


def _agenda_items(items) -> list[tuple[int, int, datetime | None]]:
    """Check the shape of an agenda: (entry id, minutes, planned start) per slot, each entry once."""
    if not isinstance(items, list) or len(items) > settings.LIVESTREAM_AGENDA_MAX_SLOTS:
        raise LiveError(
            "bad_request",
            _("An agenda is a list of at most %(limit)d pitches."),
            limit=settings.LIVESTREAM_AGENDA_MAX_SLOTS,
        )
    parsed = []
    for item in items:
        entry_id = item.get("entry_id") if isinstance(item, dict) else None
        minutes = item.get("duration_minutes") if isinstance(item, dict) else None
        planned = item.get("planned_start") if isinstance(item, dict) else None
        if not isinstance(entry_id, int) or isinstance(entry_id, bool):
            raise LiveError("bad_request", _("Each pitch needs an entry."))
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_PITCH_MINUTES:
            raise LiveError("bad_request", _("A pitch lasts 1 to %(limit)d minutes."), limit=MAX_PITCH_MINUTES)
        if planned is not None and (not isinstance(planned, datetime) or timezone.is_naive(planned)):
            raise LiveError("bad_request", _("A planned start must be a date and time with its time zone."))
        parsed.append((entry_id, minutes, planned))
    if len({entry_id for entry_id, _minutes, _planned in parsed}) != len(parsed):
        raise LiveError("bad_request", _("An entry can pitch only once in a room."))
    return parsed


def agenda_set(*, room: RoadshowRoom, user, items: list[dict]) -> dict:
    """The organiser sets who pitches in the room, in which order, for how long and when.

    ``items`` is the whole agenda in order: ``{"entry_id", "duration_minutes", "planned_start"}``.
    Rules: organisers only (``room.run``); not in an ended room; at most
    ``LIVESTREAM_AGENDA_MAX_SLOTS`` pitches of 1–120 minutes; each an entry of the room's event
    that is submitted and neither withdrawn nor screened out, at most once. Slots of entries
    left out are removed, except pitches that have started: those stay on the agenda (they may
    move; entries already on the agenda may stay whatever their status became). Everyone gets
    ``agenda.updated`` with the new agenda.
    """
    _require_action(room, user, "room.run")
    _fresh(room)
    _require_not_ended(room)
    parsed = _agenda_items(items)
    wanted = [entry_id for entry_id, _minutes, _planned in parsed]
    # Entries already on the agenda may stay whatever became of them since (a pitch that happened stays).
    known = set(selectors.agenda_candidates(room.event).filter(pk__in=wanted).values_list("pk", flat=True))
    known |= set(AgendaSlot.objects.filter(room=room, entry_id__in=wanted).values_list("entry_id", flat=True))
    for entry_id in wanted:
        if entry_id not in known:
            raise LiveError(
                "not_found",
                _("Entry %(entry)s is not a submitted entry of this event, so it cannot pitch."),
                entry=entry_id,
            )
    with transaction.atomic():
        seq = _next_seq(room)
        existing = {slot.entry_id: slot for slot in AgendaSlot.objects.filter(room=room)}
        if any(slot.state != AgendaSlot.State.PENDING for entry_id, slot in existing.items() if entry_id not in known):
            raise LiveError("bad_state", _("A pitch that has started cannot be taken off the agenda."))
        AgendaSlot.objects.filter(room=room).exclude(entry_id__in=known).delete()
        for position, (entry_id, minutes, planned) in enumerate(parsed):
            slot = existing.get(entry_id) or AgendaSlot(room=room, entry_id=entry_id)
            slot.position, slot.duration_minutes, slot.planned_start = position, minutes, planned
            slot.save()
        event = _store(room, seq, "agenda.updated", {"agenda": agenda_list(room)})
    return broadcast.event_frame(event)


def agenda_reorder(*, room: RoadshowRoom, user, slot_ids: list[int]) -> dict:
    """The organiser puts the room's slots in a new order; ``slot_ids`` must name each slot once."""
    _require_action(room, user, "room.run")
    _fresh(room)
    _require_not_ended(room)
    if not isinstance(slot_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in slot_ids):
        raise LiveError("bad_request", _("Send the ids of all the agenda's pitches in their new order."))
    with transaction.atomic():
        seq = _next_seq(room)
        slots = {slot.pk: slot for slot in AgendaSlot.objects.filter(room=room)}
        if sorted(slot_ids) != sorted(slots):
            raise LiveError("bad_request", _("Send the ids of all the agenda's pitches in their new order."))
        for position, slot_id in enumerate(slot_ids):
            if slots[slot_id].position != position:
                AgendaSlot.objects.filter(pk=slot_id).update(position=position)
        event = _store(room, seq, "agenda.updated", {"agenda": agenda_list(room)})
    return broadcast.event_frame(event)


def _presenting_slot(room: RoadshowRoom) -> AgendaSlot | None:
    return (
        AgendaSlot.objects.filter(room=room, state=AgendaSlot.State.PRESENTING).select_related("entry__track").first()
    )


def _slot_finish(slot: AgendaSlot) -> None:
    slot.state, slot.ended_at = AgendaSlot.State.DONE, timezone.now()
    slot.save(update_fields=["state", "ended_at"])


def pitch_start(*, room: RoadshowRoom, user, slot_id: int | None = None) -> dict:
    """The organiser starts the next pitch (or the pending slot ``slot_id``) and its timer.

    Rules: organisers only; the room must be live. The pitch on stage, if any, ends first.
    Everyone gets ``pitch.started`` with the slot (``started_at``, ``ends_at``) and the slot that ended.
    """
    _require_action(room, user, "room.run")
    _fresh(room)
    if room.status != RoadshowRoom.Status.LIVE:
        raise LiveError("bad_state", _("Go live before starting a pitch."))
    if slot_id is not None and (not isinstance(slot_id, int) or isinstance(slot_id, bool)):
        raise LiveError("bad_request", _("There is no such pitch on the agenda."))
    with transaction.atomic():
        seq = _next_seq(room)
        pending = AgendaSlot.objects.filter(room=room, state=AgendaSlot.State.PENDING).select_related("entry__track")
        if slot_id is not None:
            pending = pending.filter(pk=slot_id)
        slot = pending.order_by("position", "pk").first()
        if slot is None:
            if slot_id is not None:
                raise LiveError("not_found", _("This pitch is not waiting on the agenda."))
            raise LiveError("not_found", _("No pitch is left on the agenda."))
        ended = _presenting_slot(room)
        if ended is not None:
            _slot_finish(ended)
        slot.state, slot.started_at = AgendaSlot.State.PRESENTING, timezone.now()
        slot.save(update_fields=["state", "started_at"])
        # The room hubs add their samples to this row while the pitch is on stage.
        PitchSignals.objects.get_or_create(slot=slot)
        event = _store(
            room, seq, "pitch.started", {"slot": _slot_dict(slot), "ended": _slot_dict(ended) if ended else None}
        )
    return broadcast.event_frame(event)


def pitch_extend(*, room: RoadshowRoom, user, seconds: int) -> dict:
    """The organiser gives the pitch on stage more time: 1–600 s at a time, at most
    ``LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS`` in all. Everyone gets ``pitch.extended`` with the new ``ends_at``."""
    _require_action(room, user, "room.run")
    if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= PITCH_EXTEND_STEP_MAX:
        raise LiveError("bad_request", _("Extend a pitch by 1 to 600 seconds at a time."))
    with transaction.atomic():
        seq = _next_seq(room)
        slot = _presenting_slot(room)
        if slot is None:
            raise LiveError("not_found", _("No pitch is on stage."))
        if slot.extended_seconds + seconds > settings.LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS:
            raise LiveError(
                "bad_request",
                _("A pitch can be extended by at most %(minutes)d minutes in all."),
                minutes=settings.LIVESTREAM_PITCH_MAX_EXTENSION_SECONDS // 60,
            )
        slot.extended_seconds += seconds
        slot.save(update_fields=["extended_seconds"])
        event = _store(room, seq, "pitch.extended", {"slot": _slot_dict(slot)})
    return broadcast.event_frame(event)


def pitch_end(*, room: RoadshowRoom, user) -> dict:
    """The organiser ends the pitch on stage (its timer may still run). Everyone gets ``pitch.ended``."""
    _require_action(room, user, "room.run")
    with transaction.atomic():
        seq = _next_seq(room)
        slot = _presenting_slot(room)
        if slot is None:
            raise LiveError("not_found", _("No pitch is on stage."))
        _slot_finish(slot)
        event = _store(room, seq, "pitch.ended", {"slot": _slot_dict(slot)})
    return broadcast.event_frame(event)
