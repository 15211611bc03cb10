"""Organisers move the agenda: pitch.next, pitch.extend, pitch.end, agenda.reorder."""

from .. import services


async def next_pitch(consumer, frame: dict) -> None:
    await consumer.call(services.pitch_start, slot_id=frame.get("slot_id"))


async def extend(consumer, frame: dict) -> None:
    await consumer.call(services.pitch_extend, seconds=frame.get("seconds"))


async def end(consumer, frame: dict) -> None:
    await consumer.call(services.pitch_end)


async def reorder(consumer, frame: dict) -> None:
    await consumer.call(services.agenda_reorder, slot_ids=frame.get("slot_ids"))


ACTIONS = {"pitch.next": next_pitch, "pitch.extend": extend, "pitch.end": end, "agenda.reorder": reorder}
