"""interest.mark: stored once per person per project; counts reach organisers and the entrant per tick."""

from .. import hub, services


async def mark(consumer, frame: dict) -> None:
    marked = await consumer.call(services.interest_mark, slot_id=frame.get("slot_id"))
    if not marked["duplicate"]:
        hub.mark_interest(consumer.room.pk, marked["entry_id"])
    await consumer.send_json(marked)


ACTIONS = {"interest.mark": mark}
