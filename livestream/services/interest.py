"""Interest in a pitched project: the marks, and the counts organisers and entrants see."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from events.services import can

from .. import selectors, signals
from ..models import AgendaSlot, RoadshowRoom, RoomInterest, Visibility
from .common import LiveError, _iso, _require_rate, _signed_in


def _interested_entries(user, entry_ids: list[int]) -> list[int]:
    return sorted(RoomInterest.objects.filter(user=user, entry_id__in=entry_ids).values_list("entry_id", flat=True))


def interest_mark(*, room: RoadshowRoom, user, slot_id: int) -> dict:
    """A viewer marks interest in the project pitching (or that pitched) in slot ``slot_id``: a lead for docking.

    Rules: signed in; a role that may mark interest in the event (``room.mark_interest``:
    audience, enterprise, organiser); the slot's pitch has started; not one's own entry; within
    the rate. Once per person per entry: a second mark stores nothing and answers
    ``"duplicate": true``. Counts reach the organisers and the entrant in aggregate.
    """
    if not _signed_in(user):
        raise LiveError("not_signed_in", _("Sign in to take part in the room."))
    if not (selectors.room_can_watch(user, room) and can(user, "room.mark_interest", room.event)):
        raise LiveError(
            "not_allowed", _("Only the event's audience, enterprises and investors can mark interest in a project.")
        )
    slot = (
        AgendaSlot.objects.filter(room=room, pk=slot_id if isinstance(slot_id, int) else None)
        .exclude(state=AgendaSlot.State.PENDING)
        .select_related("entry")
        .first()
    )
    if slot is None:
        raise LiveError("not_found", _("This project has not pitched in this room."))
    if slot.entry.owner_id == user.pk:
        raise LiveError("not_allowed", _("This is your own project."))
    answer = {"type": "interest.marked", "slot_id": slot.pk, "entry_id": slot.entry_id}
    if RoomInterest.objects.filter(entry_id=slot.entry_id, user=user).exists():
        return {**answer, "duplicate": True}
    _require_rate("vote", room, user)
    try:
        with transaction.atomic():
            interest = RoomInterest.objects.create(room=room, slot=slot, entry_id=slot.entry_id, user=user)
    except IntegrityError:
        return {**answer, "duplicate": True}
    # Docking follows each new mark up as a lead (its receiver); a failure there never undoes the mark.
    transaction.on_commit(lambda: signals.interest_marked.send(sender=RoomInterest, interest=interest), robust=True)
    return {**answer, "duplicate": False}


def person_frame(person) -> dict:
    """A person with both names and their organisation's (organisers' lists; select ``organisation`` with it)."""
    organisation = person.organisation
    return {
        "id": person.pk,
        "name_zh": person.name_zh or person.name_en,
        "name_en": person.name_en or person.name_zh,
        "organisation_zh": (organisation.name_zh or organisation.name_en) if organisation else "",
        "organisation_en": (organisation.name_en or organisation.name_zh) if organisation else "",
    }


def interest_summary(*, entry_ids: list[int], with_people: bool) -> list[dict]:
    """How many people marked interest in each entry (``{"entry_id", "total"}``, in the order given);
    with ``with_people`` also who, newest first, at most ``LIVESTREAM_INTEREST_LIST_MAX`` each."""
    if not entry_ids:
        return []
    totals = dict(
        RoomInterest.objects.filter(entry_id__in=entry_ids)
        .values("entry_id")
        .annotate(total=Count("pk"))
        .values_list("entry_id", "total")
    )
    summary = {entry_id: {"entry_id": entry_id, "total": totals.get(entry_id, 0)} for entry_id in entry_ids}
    if with_people:
        for item in summary.values():
            item["people"] = []
        for interest in selectors.interests_of_entries(entry_ids):
            people = summary[interest.entry_id]["people"]
            if len(people) < settings.LIVESTREAM_INTEREST_LIST_MAX:
                people.append({**person_frame(interest.user), "marked_at": _iso(interest.created_at)})
    return list(summary.values())


def interest_frames(*, room_id: int, entry_ids: list[int]) -> list[tuple[str, int | None, dict]]:
    """The aggregated ``interest`` frames a hub pushes after marks in ``entry_ids``: ``(tier, user_id, frame)``.

    Organisers (the moderators tier) get the count and who; each entry's owner gets the count
    for their own entry; nobody else is sent anything.
    """
    owners = dict(
        AgendaSlot.objects.filter(room_id=room_id, entry_id__in=entry_ids).values_list("entry_id", "entry__owner_id")
    )
    frames: list[tuple[str, int | None, dict]] = []
    for item in interest_summary(entry_ids=list(entry_ids), with_people=True):
        frames.append((Visibility.MODERATORS, None, {"type": "interest", **item}))
        if item["entry_id"] in owners:
            count_only = {"type": "interest", "entry_id": item["entry_id"], "total": item["total"]}
            frames.append((Visibility.ALL, owners[item["entry_id"]], count_only))
    return frames
