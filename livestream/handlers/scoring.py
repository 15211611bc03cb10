"""Live judging: score.submit (judges), score.reveal (organisers). Values never reach everyone before a reveal."""

from django.utils import translation

from .. import services


async def submit(consumer, frame: dict) -> None:
    # The judging rules' messages are made in the database thread: in the socket's language.
    with translation.override(consumer.language):
        submitted = await consumer.call(
            services.live_score,
            slot_id=frame.get("slot_id"),
            scores=frame.get("scores"),
            client_id=frame.get("client_id"),
        )
    await consumer.send_json(submitted)


async def reveal(consumer, frame: dict) -> None:
    await consumer.call(services.score_reveal, slot_id=frame.get("slot_id"))


ACTIONS = {"score.submit": submit, "score.reveal": reveal}
