"""Demo roadshow rooms (see core.demo) on the 2026 contest:

- the final: a live public room with chat, Q&A, a closed poll, an agenda of the contest's
  finalists waiting to pitch, and the judging demo's live final round (the judges score the
  pitches in the room);
- the semi-final roadshow, already over: the projects that went on from the preliminary round
  pitched in it. During each pitch the room hubs' ticks recorded the viewers and reactions
  (``pitch_signals_record``), and viewers asked and upvoted questions and marked interest, so
  the live signals shown beside the judges' scores (the preliminary round's results, an entry's
  history) come from the same rows the room keeps.

Everything goes through the live-layer services, so the demo log has real seqs. Each chat
message and question has a fixed ``client_id``: a second run is answered as a resend and
stores nothing; votes already cast are skipped; an agenda is set only while the room has none,
and the semi-final is run only while the room is not over. Numbers come from seeded generators.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from core.demo import DemoContext
from events.services import audience_join
from judging import selectors as judging_selectors
from judging.models import Round
from judging.services import results_compute
from registration.models import Entry, Status

from . import services
from .models import (
    AgendaSlot,
    PitchSignals,
    Poll,
    Question,
    QuestionVote,
    RoadshowRoom,
    RoomEvent,
    RoomInterest,
)

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
SEMI_FINAL_ROOM = {
    "slug": "haicheng-2026-semi-final-roadshow",
    "title_zh": "2026 海城大赛复赛 · 云路演",
    "title_en": "2026 Haicheng Contest Semi-final · Online Roadshow",
}
TICKS = 48  # one sample every 10 s of an 8-minute pitch
CHINA = ZoneInfo("Asia/Shanghai")
SEMI_FINAL_DAYS_AGO = 5  # the semi-final roadshow was held that many days before the demo, in the evening
SEMI_FINAL_START = time(19, 30)


@dataclass(frozen=True)
class PitchPlan:
    """What happened during one pitch. People are talents by their index in ``ctx.users["talents"]``
    or a named demo user; questions are (asker, client_id, text, voters)."""

    peak_viewers: int
    reactions: dict[str, int]
    questions: list[tuple[int | str, str, str, list[int | str]]] = field(default_factory=list)
    interested: list[int | str] = field(default_factory=list)


# The semi-final's pitches, in the order of the preliminary round's ranking (best first).
PITCHES = [
    PitchPlan(
        peak_viewers=947,
        reactions={"applause": 268, "heart": 131, "fire": 74, "idea": 59},
        questions=[
            (
                "investor",
                "demo-semi-1-q-1",
                "目前的融资进展如何？计划出让多少股权？ How far is the funding round, and for what stake?",
                [1, 3, 6, 8, 10, 11, "enterprise", "audience"],
            ),
            (7, "demo-semi-1-q-2", "有没有医院已经在做临床验证？ Is any hospital running clinical trials yet?", [2, 9]),
        ],
        interested=["investor", 1, 3, 6, 8, 11, 13, 15],
    ),
    PitchPlan(
        peak_viewers=512,
        reactions={"applause": 143, "heart": 38, "fire": 22, "idea": 41},
        questions=[(12, "demo-semi-2-q-1", "Could the team relocate the R&D lab to Haicheng within a year?", [4, 13])],
        interested=["enterprise", 2, 4, 9],
    ),
    PitchPlan(
        peak_viewers=608,
        reactions={"applause": 171, "heart": 56, "fire": 49, "idea": 33},
        questions=[
            (
                "enterprise",
                "demo-semi-3-q-1",
                "碳纤维部件的单件成本能降到多少？ How low can the cost per part go?",
                [1, 5, 8, "investor"],
            ),
            (3, "demo-semi-3-q-2", "What does one production line cost at 10,000 parts a year?", [5, 8]),
        ],
        interested=["enterprise", "investor", 5, 10, 14],
    ),
    PitchPlan(
        peak_viewers=386,
        reactions={"applause": 96, "heart": 27, "fire": 12, "idea": 18},
        interested=["investor", 6, 16],
    ),
    PitchPlan(
        peak_viewers=431,
        reactions={"applause": 118, "heart": 45, "fire": 30, "idea": 26},
        questions=[(5, "demo-semi-5-q-1", "材料的耐候性测试做了多久？ How long did the weathering tests run?", [3])],
        interested=["investor", 7, 12],
    ),
]


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
    _semi_final(ctx, event)


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


def _person(ctx: DemoContext, who: int | str):
    return ctx.users["talents"][who] if isinstance(who, int) else ctx.users[who]


def _viewer_curve(rng: random.Random, peak: int) -> list[int]:
    """Viewers per tick: people join through the first half of the pitch, a few leave near the end."""
    curve = []
    for tick in range(TICKS):
        progress = tick / (TICKS - 1)
        share = 0.55 + 0.45 * min(1.0, progress / 0.6) - 0.12 * max(0.0, progress - 0.75) / 0.25
        curve.append(round(peak * share * rng.uniform(0.96, 1.0)))
    curve[round(0.6 * (TICKS - 1))] = peak
    return curve


def _reaction_ticks(rng: random.Random, reactions: dict[str, int]) -> list[dict[str, int]]:
    """Spread each kind's total over the ticks at random, so the ticks add up to exactly the total."""
    ticks: list[dict[str, int]] = [{} for _tick in range(TICKS)]
    for kind, total in reactions.items():
        for tick in rng.choices(range(TICKS), k=total):
            ticks[tick][kind] = ticks[tick].get(kind, 0) + 1
    return ticks


def _run_pitch(ctx: DemoContext, room: RoadshowRoom, slot: AgendaSlot, plan: PitchPlan, position: int) -> None:
    """One pitch as the room lived it: the hubs' ticks, then the questions, votes and interest marks."""
    services.pitch_start(room=room, user=ctx.users["organiser"], slot_id=slot.pk)
    rng = random.Random(f"semi-final-pitch-{position}")
    ticks = zip(_viewer_curve(rng, plan.peak_viewers), _reaction_ticks(rng, plan.reactions), strict=True)
    for viewers, reactions in ticks:
        services.pitch_signals_record(room_id=room.pk, viewers=viewers, reactions=reactions)
    # The hubs add the same reactions to the room's running totals (kept in the cache).
    services.reaction_totals_add(room.pk, plan.reactions)
    for asker, client_id, text, voters in plan.questions:
        asked = services.question_ask(room=room, user=_person(ctx, asker), text=text, client_id=client_id)
        ctx.count("questions")
        for voter in voters:
            services.question_upvote(room=room, user=_person(ctx, voter), question_id=asked["question"]["id"])
    for who in plan.interested:
        person = _person(ctx, who)
        if person.pk == slot.entry.owner_id:
            continue
        services.interest_mark(room=room, user=person, slot_id=slot.pk)
        ctx.count("room interests")


def _semi_final(ctx: DemoContext, event) -> None:
    """The semi-final roadshow of the projects that went on from the preliminary round, run once
    from start to end: every pitch over, the room ended."""
    round_1 = judging_selectors.round_of(event, 1)
    if round_1 is None or not round_1.advancement_confirmed:
        return
    room, created = RoadshowRoom.objects.get_or_create(
        slug=SEMI_FINAL_ROOM["slug"],
        defaults={**SEMI_FINAL_ROOM, "event": event, "status": RoadshowRoom.Status.LIVE, "started_at": timezone.now()},
    )
    if created:
        ctx.count("roadshow rooms")
    if room.status == RoadshowRoom.Status.ENDED:
        return
    result = results_compute(round_1).of(round_1.method)
    ranked = [line.entry.entry_id for line in result.overall[: round_1.advancement_count]] if result else []
    entries = Entry.objects.in_bulk(ranked)
    organiser = ctx.users["organiser"]
    start = room.started_at or timezone.now()
    services.agenda_set(
        room=room,
        user=organiser,
        items=[
            {
                "entry_id": entry_id,
                "duration_minutes": PITCH_MINUTES,
                "planned_start": start + timedelta(minutes=PITCH_GAP_MINUTES * position),
            }
            for position, entry_id in enumerate(ranked)
            if entry_id in entries
        ],
    )
    slots = list(AgendaSlot.objects.filter(room=room).select_related("entry").order_by("position", "pk"))
    ctx.count("agenda slots", len(slots))
    for who in sorted({who for plan in PITCHES for who in plan.interested if isinstance(who, int)}):
        audience_join(event=event, user=ctx.users["talents"][who])
    for position, (slot, plan) in enumerate(zip(slots, PITCHES, strict=False)):
        _run_pitch(ctx, room, slot, plan, position)
    services.room_end(room=room, user=organiser)
    _as_held(room)


def _as_held(room: RoadshowRoom) -> None:
    """Move the semi-final, run in a few seconds by the services above, to the evening it was held.

    History, so it is written as it stands (the services stamp everything "now", as they should):
    each pitch gets its planned eight minutes, ten minutes apart, and every stamp of the room's
    rows moves with it by one order-preserving map, so what was asked or marked during a pitch
    stays inside that pitch (the live signals read question votes and interest by time).
    """
    day = timezone.localdate() - timedelta(days=SEMI_FINAL_DAYS_AGO)
    opened = datetime.combine(day, SEMI_FINAL_START, tzinfo=CHINA)
    slots = list(AgendaSlot.objects.filter(room=room).order_by("position", "pk"))
    ran, held = [room.started_at], [opened]
    for slot in slots:
        planned = opened + timedelta(minutes=PITCH_GAP_MINUTES * slot.position + 1)
        length = timedelta(minutes=PITCH_MINUTES, seconds=random.Random(f"semi-final-{slot.position}").randint(-40, 70))
        ran += [slot.started_at, slot.ended_at]
        held += [planned, planned + length]
    # The room ends as its last pitch does (room_end stamps the room just before it closes that pitch).
    closed = held[-1] + timedelta(minutes=2)
    ran.append(max(room.ended_at, ran[-1]))
    held.append(closed)

    def when(moment):
        """Piecewise linear from the run's stamps (increasing) to the evening's."""
        if moment is None:
            return None
        index = min(max(bisect_right(ran, moment) - 1, 0), len(ran) - 2)
        span = (ran[index + 1] - ran[index]).total_seconds()
        share = min(max((moment - ran[index]).total_seconds() / span, 0.0), 1.0) if span > 0 else 0.0
        return held[index] + share * (held[index + 1] - held[index])

    RoadshowRoom.objects.filter(pk=room.pk).update(scheduled_start=opened, started_at=opened, ended_at=closed)
    for slot in slots:
        AgendaSlot.objects.filter(pk=slot.pk).update(
            planned_start=when(slot.started_at), started_at=when(slot.started_at), ended_at=when(slot.ended_at)
        )
        PitchSignals.objects.filter(slot=slot).update(updated_at=when(slot.ended_at))
    for model, rows in (
        (Question, Question.objects.filter(room=room)),
        (QuestionVote, QuestionVote.objects.filter(question__room=room)),
        (RoomInterest, RoomInterest.objects.filter(room=room)),
        (RoomEvent, RoomEvent.objects.filter(room=room)),
    ):
        for pk, created_at in rows.values_list("pk", "created_at"):
            model.objects.filter(pk=pk).update(created_at=when(created_at))
