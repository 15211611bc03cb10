"""A room's transcript: its chat messages and questions in ``seq`` order, for the replay, the CSV and the API."""

import heapq
import itertools
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import pick_language
from registration.exports import defuse, write_csv

from . import selectors
from .models import ChatMessage, Question, RoadshowRoom
from .services import person_frame

CHUNK = 1000


def _chat_entry(message: ChatMessage) -> dict:
    return {
        "seq": message.seq,
        "kind": "chat",
        "created_at": message.created_at,
        "user": person_frame(message.user),
        "text": message.text,
        "votes": None,
        "answered": None,
        "hidden": message.hidden,
    }


def _question_entry(question: Question) -> dict:
    return {
        "seq": question.seq,
        "kind": "question",
        "created_at": question.created_at,
        "user": person_frame(question.user),
        "text": question.text,
        "votes": question.votes,
        "answered": question.answered,
        "hidden": question.hidden,
    }


def transcript(
    room: RoadshowRoom, *, include_hidden: bool, after_seq: int = 0, limit: int | None = None
) -> Iterator[dict]:
    """Chat messages and questions after ``after_seq``, oldest first (two queries, read in chunks).

    Hidden ones are left out unless ``include_hidden`` (organisers' exports keep them, marked).
    """
    chat = selectors.transcript_chat(room, include_hidden=include_hidden).filter(seq__gt=after_seq)
    questions = selectors.transcript_questions(room, include_hidden=include_hidden).filter(seq__gt=after_seq)
    if limit is not None:
        chat, questions = chat[:limit], questions[:limit]
    merged = heapq.merge(
        map(_chat_entry, chat.iterator(chunk_size=CHUNK)),
        map(_question_entry, questions.iterator(chunk_size=CHUNK)),
        key=lambda entry: entry["seq"],
    )
    return itertools.islice(merged, limit) if limit is not None else merged


def transcript_csv(room: RoadshowRoom) -> bytes:
    """The whole transcript, hidden entries included and marked, as CSV in the active language."""
    header = [
        _("Seq"),
        _("Time"),
        _("Kind"),
        _("Name"),
        _("Organisation"),
        _("Text"),
        _("Votes"),
        _("Answered"),
        _("Hidden"),
    ]
    kinds = {"chat": _("Chat message"), "question": _("Question")}

    def rows():
        for entry in transcript(room, include_hidden=True):
            person = entry["user"]
            yield [
                entry["seq"],
                timezone.localtime(entry["created_at"]).strftime("%Y-%m-%d %H:%M:%S"),
                kinds[entry["kind"]],
                defuse(pick_language(person["name_zh"], person["name_en"])),
                defuse(pick_language(person["organisation_zh"], person["organisation_en"])),
                defuse(entry["text"]),
                entry["votes"],
                "" if entry["answered"] is None else (_("yes") if entry["answered"] else _("no")),
                _("yes") if entry["hidden"] else _("no"),
            ]

    return write_csv(header, rows())
