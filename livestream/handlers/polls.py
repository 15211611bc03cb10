"""poll.open, poll.vote, poll.close."""

from .. import hub, services


async def open_poll(consumer, frame: dict) -> None:
    await consumer.call(
        services.poll_open,
        question_zh=frame.get("question_zh", ""),
        question_en=frame.get("question_en", ""),
        options=frame.get("options"),
    )


async def vote(consumer, frame: dict) -> None:
    voted = await consumer.call(services.poll_vote, poll_id=frame.get("poll_id"), option_id=frame.get("option_id"))
    # Counts reach everyone in aggregate, once per tick, however many vote at once.
    hub.mark_poll_voted(consumer.room.pk, voted["poll_id"])
    await consumer.send_json(voted)


async def close(consumer, frame: dict) -> None:
    await consumer.call(services.poll_close, poll_id=frame.get("poll_id"))


ACTIONS = {"poll.open": open_poll, "poll.vote": vote, "poll.close": close}
