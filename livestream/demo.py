"""Demo roadshow room (see core.demo): a live public room on the 2026 contest with chat, Q&A, a
closed poll, an agenda of the contest's finalists and the judging demo's live final round (the
judges score the pitches in the room).

Everything goes through the live-layer services, so the demo log has real seqs. Each chat
message and question has a fixed ``client_id``: a second run is answered as a resend and
stores nothing; votes already cast are skipped; the agenda is set only while the room has none.
"""

from datetime import timedelta

from django.utils import timezone

from core.demo import DemoContext
from judging.models import Round
from registration.models import Entry, Status

from . import services
from .models import AgendaSlot, Poll, RoadshowRoom

ROOM = {
    "slug": "haicheng-2026-final-roadshow",
    "title_zh": "2026 海城大赛决赛 · 云路演",
    "title_en": "2026 Haicheng Contest Final · Online Roadshow",
}

# user key, client_id, text
CHAT = [
    ("organiser", "demo-chat-1", "欢迎各位来到决赛云路演！Welcome to the final roadshow!"),
    ("audience", "demo-chat-2", "期待固态电池项目的路演 👏"),
    ("enterprise", "demo-chat-3", "We are looking for energy-storage partners — great to see this track."),
    ("investor", "demo-chat-4", "请问路演结束后可以预约对接吗？"),
    ("judge2", "demo-chat-5", "Audio is clear here, thanks to the organisers."),
]
QUESTIONS = [
    ("enterprise", "demo-q-1", "What is the cycle life of the solid-state cell at 45 °C?", ["audience", "investor"]),
    ("investor", "demo-q-2", "项目落地海城需要多大的场地和多少启动资金？", ["audience", "enterprise", "judge2"]),
    ("audience", "demo-q-3", "Is the team planning to move to Haicheng full time?", []),
]
POLL = {
    "question_zh": "您最看好哪个赛道？",
    "question_en": "Which track do you find most promising?",
    "options": [
        {"label_zh": "新能源", "label_en": "New energy"},
        {"label_zh": "生物医药", "label_en": "Biomedicine"},
        {"label_zh": "高端装备", "label_en": "Advanced equipment"},
    ],
}
POLL_VOTES = [("audience", 0), ("enterprise", 0), ("investor", 1), ("judge2", 2)]
# The agenda: the contest's finalists (and any already awarded), in this order of status, at most this many.
AGENDA_STATUSES = [Status.FINALIST, Status.AWARDED]
AGENDA_MAX = 8
PITCH_MINUTES = 8
PITCH_GAP_MINUTES = 10


def seed(ctx: DemoContext) -> None:
    event = ctx.events["haicheng-innovation-contest-2026"]
    room, created = RoadshowRoom.objects.get_or_create(
        slug=ROOM["slug"],
        defaults={**ROOM, "event": event, "status": RoadshowRoom.Status.LIVE, "started_at": timezone.now()},
    )
    if created:
        ctx.count("roadshow rooms")
    if room.judging_round_id is None:
        # The judging demo's live final round is scored from this room.
        live_round = Round.objects.filter(event=event, live=True).order_by("number").first()
        if live_round is not None:
            room.judging_round = live_round
            room.save(update_fields=["judging_round"])
    organiser = ctx.users["organiser"]
    for user_key, client_id, text in CHAT:
        message = services.chat_send(room=room, user=ctx.users[user_key], text=text, client_id=client_id)
        if not message.get("duplicate"):
            ctx.count("chat messages")
    for user_key, client_id, text, voters in QUESTIONS:
        asked = services.question_ask(room=room, user=ctx.users[user_key], text=text, client_id=client_id)
        if asked.get("duplicate"):
            continue
        ctx.count("questions")
        for voter in voters:
            services.question_upvote(room=room, user=ctx.users[voter], question_id=asked["question"]["id"])
    if not Poll.objects.filter(room=room, question_en=POLL["question_en"]).exists():
        opened = services.poll_open(room=room, user=organiser, **POLL)["poll"]
        for user_key, option in POLL_VOTES:
            services.poll_vote(
                room=room, user=ctx.users[user_key], poll_id=opened["id"], option_id=opened["options"][option]["id"]
            )
        services.poll_close(room=room, user=organiser, poll_id=opened["id"])
        ctx.count("polls")
    _agenda(ctx, room)


def _agenda(ctx: DemoContext, room: RoadshowRoom) -> None:
    """Put the finalists on the agenda, ten minutes apart from the start; none if the contest has none yet."""
    if AgendaSlot.objects.filter(room=room).exists():
        return
    finalists = sorted(
        Entry.objects.filter(event=room.event, status__in=AGENDA_STATUSES),
        key=lambda entry: (AGENDA_STATUSES.index(entry.status), entry.pk),
    )[:AGENDA_MAX]
    if not finalists:
        return
    start = room.started_at or timezone.now()
    services.agenda_set(
        room=room,
        user=ctx.users["organiser"],
        items=[
            {
                "entry_id": entry.pk,
                "duration_minutes": PITCH_MINUTES,
                "planned_start": start + timedelta(minutes=PITCH_GAP_MINUTES * position),
            }
            for position, entry in enumerate(finalists)
        ],
    )
    ctx.count("agenda slots", len(finalists))
