"""chat.send, chat.hide (and chat.to_question, handled with the moderators' actions)."""

from .. import services
from .moderation import chat_to_question


async def send(consumer, frame: dict) -> None:
    message = await consumer.call(services.chat_send, text=frame.get("text"), client_id=frame.get("client_id"))
    if message.get("duplicate"):
        # Stored before: nobody else is told again, the sender learns it arrived.
        await consumer.send_json(message)


async def hide(consumer, frame: dict) -> None:
    await consumer.call(services.chat_hide, message_seq=frame.get("message_seq"))


ACTIONS = {"chat.send": send, "chat.hide": hide, "chat.to_question": chat_to_question}
