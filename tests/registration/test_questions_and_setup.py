"""Organiser set-up (tracks, window, questions) and answers to extra questions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from registration import services
from registration.models import Answer, Question, Status
from tests.factories import EntryFactory, QuestionFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CHOICES = [
    {"value": "yes", "zh": "是", "en": "Yes"},
    {"value": "no", "zh": "否", "en": "No"},
]


def test_tracks_are_created_in_order_by_organisers_only(event, organiser, entrant):
    first = services.track_create(event=event, created_by=organiser, name_zh="生物医药", name_en="Biomedicine")
    second = services.track_create(event=event, created_by=organiser, name_zh="新能源", name_en="")
    assert (first.position, second.position) == (1, 2)
    with pytest.raises(ValidationError):
        services.track_create(event=event, created_by=organiser, name_zh=" ", name_en="")
    with pytest.raises(PermissionDenied):
        services.track_create(event=event, created_by=entrant, name_zh="x", name_en="x")


def test_a_track_in_use_cannot_be_deleted(event, organiser):
    track = TrackFactory(event=event)
    EntryFactory(event=event, track=track)
    with pytest.raises(ValidationError) as exc:
        services.track_delete(track=track, deleted_by=organiser)
    assert exc.value.code == "track_in_use"
    empty = TrackFactory(event=event)
    services.track_delete(track=empty, deleted_by=organiser)
    assert list(event.tracks.values_list("pk", flat=True)) == [track.pk]


def test_window_needs_aware_times_that_close_after_opening(event, organiser):
    now = timezone.now()
    with pytest.raises(ValueError, match="time-zone aware"):
        services.registration_settings_set(
            event=event, changed_by=organiser, opens_at=dt.datetime(2026, 9, 1), closes_at=dt.datetime(2026, 10, 1)
        )
    with pytest.raises(ValidationError) as exc:
        services.registration_settings_set(event=event, changed_by=organiser, opens_at=now, closes_at=now)
    assert list(exc.value.message_dict) == ["closes_at"]


def test_moving_the_deadline_re_arms_the_reminder(event, organiser, entrant):
    window = event.registration_settings
    window.reminder_sent_at = timezone.now()
    window.save()
    services.registration_settings_set(
        event=event,
        changed_by=organiser,
        opens_at=window.opens_at,
        closes_at=window.closes_at + dt.timedelta(days=7),
        max_team_members=3,
    )
    window.refresh_from_db()
    assert (window.reminder_sent_at, window.max_team_members) == (None, 3)
    with pytest.raises(PermissionDenied):
        services.registration_settings_set(
            event=event, changed_by=entrant, opens_at=window.opens_at, closes_at=window.closes_at
        )


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"kind": "single", "choices": CHOICES[:1]}, "choices"),
        ({"kind": "single", "choices": [CHOICES[0], CHOICES[0]]}, "choices"),
        ({"kind": "text", "choices": CHOICES}, "choices"),
        ({"kind": "text", "is_eligibility": True}, "is_eligibility"),
        (
            {"kind": "single", "choices": CHOICES, "is_eligibility": True, "eligible_choices": ["maybe"]},
            "eligible_choices",
        ),
        ({"kind": "number", "min_value": Decimal(10), "max_value": Decimal(1)}, "max_value"),
        ({"kind": "text", "label_zh": "", "label_en": " "}, "label_zh"),
    ],
)
def test_bad_questions_are_refused(event, organiser, fields, error_field):
    fields = {"label_zh": "问题", "label_en": "Question", **fields}
    with pytest.raises(ValidationError) as exc:
        services.question_create(event=event, created_by=organiser, **fields)
    assert list(exc.value.message_dict) == [error_field]
    assert Question.objects.count() == 0


@pytest.fixture
def questions(event, organiser):
    make = services.question_create
    return {
        "text": make(event=event, created_by=organiser, kind="text", label_en="Motivation", max_length=20),
        "number": make(
            event=event,
            created_by=organiser,
            kind="number",
            label_en="Employees",
            min_value=Decimal(0),
            max_value=Decimal(10000),
            required=True,
        ),
        "single": make(event=event, created_by=organiser, kind="single", label_en="Has company", choices=CHOICES),
        "multiple": make(
            event=event,
            created_by=organiser,
            kind="multiple",
            label_en="Markets",
            choices=[
                {"value": "cn", "zh": "中国", "en": "China"},
                {"value": "eu", "zh": "欧洲", "en": "Europe"},
                {"value": "us", "zh": "美国", "en": "USA"},
            ],
        ),
        "eligible": make(
            event=event,
            created_by=organiser,
            kind="single",
            label_zh="是否在海外工作三年以上？",
            label_en="Three years or more abroad?",
            choices=CHOICES,
            is_eligibility=True,
            eligible_choices=["yes"],
        ),
    }


@pytest.mark.parametrize(
    ("kind", "raw", "message_part"),
    [
        ("text", "x" * 21, "20"),
        ("number", "many", ""),
        ("number", "-1", "0"),
        ("number", "10001", "10000"),
        ("number", "Infinity", ""),
        ("single", "perhaps", ""),
        ("multiple", ["cn", "mars"], ""),
    ],
)
def test_bad_answers_are_refused_with_the_question_key(questions, entrant, event, kind, raw, message_part):
    entry = EntryFactory(event=event, owner=entrant)
    question = questions[kind]
    with pytest.raises(ValidationError) as exc:
        services.answers_save(
            entry=entry, changed_by=entrant, answers={questions["single"].pk: "yes", question.pk: raw}
        )
    assert list(exc.value.message_dict) == [f"q_{question.pk}"]
    assert message_part in exc.value.message_dict[f"q_{question.pk}"][0]
    assert Answer.objects.count() == 0


def test_answers_are_cleaned_stored_and_updated(questions, entrant, event):
    entry = EntryFactory(event=event, owner=entrant)
    services.answers_save(
        entry=entry,
        changed_by=entrant,
        answers={
            questions["text"].pk: "  To land in Haicheng ",
            questions["number"].pk: "1,200.50",
            questions["single"].pk: "no",
            questions["multiple"].pk: ["eu", "cn", "eu"],
            questions["eligible"].pk: "yes",
        },
    )
    stored = {a.question_id: a.value for a in entry.answers.all()}
    assert stored == {
        questions["text"].pk: "To land in Haicheng",
        questions["number"].pk: "1200.5",
        questions["single"].pk: "no",
        questions["multiple"].pk: ["eu", "cn"],
        questions["eligible"].pk: "yes",
    }
    services.answers_save(entry=entry, changed_by=entrant, answers={questions["number"].pk: "12"})
    assert entry.answers.get(question=questions["number"]).value == "12"
    assert entry.answers.count() == 5
    assert services.entry_missing(entry) == []


def test_required_and_eligibility_questions_block_submission(questions, entrant, event):
    entry = EntryFactory(event=event, owner=entrant)
    assert [m.key for m in services.entry_missing(entry)] == [
        f"q_{questions['number'].pk}",
        f"q_{questions['eligible'].pk}",
    ]
    services.answers_save(
        entry=entry, changed_by=entrant, answers={questions["number"].pk: "3", questions["eligible"].pk: "no"}
    )
    missing = services.entry_missing(entry)
    assert [m.key for m in missing] == [f"q_{questions['eligible'].pk}"]
    assert "Three years or more abroad?" in missing[0].message or "三年" in missing[0].message
    with pytest.raises(services.EntryIncomplete):
        services.entry_submit(entry=entry, submitted_by=entrant)

    services.answers_save(entry=entry, changed_by=entrant, answers={questions["eligible"].pk: "yes"})
    assert services.entry_submit(entry=entry, submitted_by=entrant).status == "submitted"


def test_changed_choices_ask_for_a_new_answer(questions, entrant, event, organiser):
    entry = EntryFactory(event=event, owner=entrant)
    services.answers_save(entry=entry, changed_by=entrant, answers={questions["single"].pk: "no"})
    services.question_update(
        question=questions["single"],
        changed_by=organiser,
        choices=[{"value": "yes", "zh": "是", "en": "Yes"}, {"value": "soon", "zh": "筹备中", "en": "Soon"}],
    )
    keys = [m.key for m in services.entry_missing(entry)]
    assert f"q_{questions['single'].pk}" in keys


def test_a_file_question_is_not_answered_through_answers_save(event, entrant):
    question = QuestionFactory(event=event, kind="file")
    entry = EntryFactory(event=event, owner=entrant)
    with pytest.raises(ValueError, match="not a non-file question"):
        services.answers_save(entry=entry, changed_by=entrant, answers={question.pk: "x"})


def test_team_members_are_limited_and_the_lead_stays(event, entrant):
    entry = EntryFactory(event=event, owner=entrant)
    lead = entry.team.get()
    added = [
        services.team_member_add(entry=entry, changed_by=entrant, name=f"Member {i}", email=f"m{i}@example.org")
        for i in range(4)
    ]
    assert [m.position for m in added] == [1, 2, 3, 4]
    with pytest.raises(ValidationError) as exc:
        services.team_member_add(entry=entry, changed_by=entrant, name="Sixth")
    assert exc.value.code == "team_full"
    with pytest.raises(ValidationError) as exc:
        services.team_member_remove(member=lead, changed_by=entrant)
    assert exc.value.code == "lead"
    services.team_member_remove(member=added[0], changed_by=entrant)
    assert entry.team.count() == 4

    services.team_member_update(member=lead, changed_by=entrant, email="New.Lead@Example.org")
    entry.refresh_from_db()
    assert entry.lead_email == "new.lead@example.org"
    assert entry.status == Status.DRAFT


def test_team_member_fields_are_validated(event, entrant):
    entry = EntryFactory(event=event, owner=entrant)
    with pytest.raises(ValidationError) as exc:
        services.team_member_add(entry=entry, changed_by=entrant, name="", email="not-an-address", years_abroad=99)
    assert sorted(exc.value.message_dict) == ["email", "name", "years_abroad"]
