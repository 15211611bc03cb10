"""The people and the checks of the contest-day scenarios, run INSIDE the site's Django (``manage.py
shell -c``) so that setting up hundreds of accounts and reading back what was stored takes seconds:

    prepare(entrants=300, judges=50, ...)  # accounts, their sessions, judge assignments; prints JSON
    check_rush(entry_ids)                  # what the database and the file storage hold; prints JSON
    check_judging(pairs)                   # the judges' cards

Accounts are made with ``bulk_create`` and one password hash (the demo password), and signed in by
creating their sessions directly (a login through the form hashes the password: half a second of
CPU each, minutes for 300 people). Each function prints one line ``CONTEST_DATA=<json>``.
"""

import json
from datetime import timedelta

MARK = "CONTEST_DATA="
CONTEST = "haicheng-innovation-contest-2026"
ORGANISER = "organiser@haizhi.example"
JUDGING_ROUND = 2  # the demo's open semi-final


def _emit(data) -> None:
    print(MARK + json.dumps(data), flush=True)


def _session_for(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare(
    *, entrants: int = 0, judges: int = 0, per_judge: int = 3, tag: str = "bench", close_in_minutes: float = 0
) -> dict:
    """Make ``entrants`` entrant and ``judges`` judge accounts with sessions; assign each judge
    ``per_judge`` entries of the open judging round. With ``close_in_minutes``, registration and
    that round close that many minutes from now (the scenarios run in the last minutes)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from events.models import Event, EventRole, Role
    from judging.models import Assignment, Round
    from registration.models import Question, RegistrationSettings, Track

    User = get_user_model()
    event = Event.objects.get(slug=CONTEST)
    password = make_password("haizhi-demo-2026")

    def accounts(kind: str, count: int) -> list:
        emails = [f"{tag}-{kind}{n}@load.example" for n in range(count)]
        User.objects.bulk_create(
            [
                User(email=email, name_en=f"{kind.title()} {n}", country="CN", password=password, is_active=True)
                for n, email in enumerate(emails)
            ]
        )
        return list(User.objects.filter(email__in=emails).order_by("pk"))

    data: dict = {"organiser": _session_for(User.objects.get(email=ORGANISER))}
    if close_in_minutes:
        closes = timezone.now() + timedelta(minutes=close_in_minutes)
        RegistrationSettings.objects.filter(event=event).update(closes_at=closes)
        Round.objects.filter(event=event, number=JUDGING_ROUND).update(closes_at=closes)
        data["closes_at"] = closes.isoformat()

    if entrants:
        people = accounts("entrant", entrants)
        data["entrants"] = [_session_for(user) for user in people]
        data["tracks"] = list(Track.objects.filter(event=event).values_list("pk", flat=True))
        answers = {}
        for question in Question.objects.filter(event=event):
            if question.kind == Question.Kind.SINGLE:
                choice = (question.eligible_choices or [question.choices[0]["value"]])[0]
                answers[f"answers-q_{question.pk}"] = choice
            elif question.kind == Question.Kind.NUMBER:
                answers[f"answers-q_{question.pk}"] = "5"
        data["answers"] = answers

    if judges:
        round_ = Round.objects.get(event=event, number=JUDGING_ROUND)
        entry_ids = sorted(set(Assignment.objects.filter(round=round_).values_list("entry_id", flat=True)))
        people = accounts("judge", judges)
        EventRole.objects.bulk_create([EventRole(event=event, user=user, role=Role.JUDGE) for user in people])
        pairs = []
        for index, user in enumerate(people):
            for offset in range(min(per_judge, len(entry_ids))):
                pairs.append((user, entry_ids[(index * per_judge + offset) % len(entry_ids)]))
        Assignment.objects.bulk_create([Assignment(round=round_, entry_id=entry, judge=user) for user, entry in pairs])
        data["judges"] = [
            {"session": _session_for(user), "judge": user.pk, "entries": [e for u, e in pairs if u == user]}
            for user in people
        ]
        data["round"] = JUDGING_ROUND
        data["criteria"] = list(round_.criteria.order_by("position", "pk").values_list("pk", flat=True))
        data["scale"] = [str(round_.scale_min), str(round_.scale_max)]
    _emit(data)
    return data


def check_rush(entry_ids: list[int]) -> dict:
    """Per entry: status, stored summary, and its decks with whether each file is on disk."""
    from registration.models import Attachment, Entry

    found = {}
    for entry in Entry.objects.filter(pk__in=entry_ids).prefetch_related("attachments"):
        decks = [a for a in entry.attachments.all() if a.kind == Attachment.Kind.DECK]
        found[entry.pk] = {
            "status": entry.status,
            "summary": entry.summary,
            "decks": [{"name": a.file.name, "on_disk": a.file.storage.exists(a.file.name)} for a in decks],
        }
    _emit(found)
    return found


def check_judging(pairs: list[tuple[int, int]]) -> dict:
    """Per (judge, entry): the card's status and its scores by criterion, in the open judging round."""
    from judging.models import Round, Scorecard

    round_ = Round.objects.get(event__slug=CONTEST, number=JUDGING_ROUND)
    wanted = {(judge, entry) for judge, entry in pairs}
    cards = {}
    for card in Scorecard.objects.filter(round=round_, judge_id__in={j for j, _e in wanted}).prefetch_related("scores"):
        if (card.judge_id, card.entry_id) in wanted:
            cards[f"{card.judge_id}:{card.entry_id}"] = {
                "status": card.status,
                "scores": {str(s.criterion_id): str(s.value) for s in card.scores.all()},
            }
    _emit(cards)
    return cards
