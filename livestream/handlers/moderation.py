"""Moderators and organisers: user.mute, room.slow_mode, room.go_live, room.end, chat.to_question."""

from .. import services


async def mute(consumer, frame: dict) -> None:
    await consumer.call(services.user_mute, target_id=frame.get("user_id"), muted=frame.get("muted", True) is not False)


async def slow_mode(consumer, frame: dict) -> None:
    await consumer.call(services.slow_mode_set, seconds=frame.get("seconds"))


async def go_live(consumer, frame: dict) -> None:
    await consumer.call(services.room_go_live)


async def end(consumer, frame: dict) -> None:
    await consumer.call(services.room_end)


async def chat_to_question(consumer, frame: dict) -> None:
    """Routed by its ``chat.`` prefix: the chat module lists it among its actions."""
    converted = await consumer.call(services.chat_to_question, message_seq=frame.get("message_seq"))
    if converted.get("duplicate"):
        # Converted before: nobody else is told again, the moderator learns it is done.
        await consumer.send_json(converted)


ACTIONS = {"user.mute": mute, "room.slow_mode": slow_mode, "room.go_live": go_live, "room.end": end}
