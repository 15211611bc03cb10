"""reaction.send: counted by the room hub and pushed in aggregate, never one frame per reaction."""

from .. import hub, services


async def send(consumer, frame: dict) -> None:
    kind = await consumer.call(services.reaction_check, kind=frame.get("kind"))
    hub.add_reaction(consumer.room.pk, kind)


ACTIONS = {"reaction.send": send}
