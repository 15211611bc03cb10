"""question.ask, question.upvote, question.answer, question.hide."""

from .. import services


async def ask(consumer, frame: dict) -> None:
    asked = await consumer.call(services.question_ask, text=frame.get("text"), client_id=frame.get("client_id"))
    if asked.get("duplicate"):
        await consumer.send_json(asked)


async def upvote(consumer, frame: dict) -> None:
    await consumer.call(services.question_upvote, question_id=frame.get("question_id"))


async def answer(consumer, frame: dict) -> None:
    await consumer.call(services.question_mark_answered, question_id=frame.get("question_id"))


async def hide(consumer, frame: dict) -> None:
    await consumer.call(services.question_hide, question_id=frame.get("question_id"))


ACTIONS = {"question.ask": ask, "question.upvote": upvote, "question.answer": answer, "question.hide": hide}
