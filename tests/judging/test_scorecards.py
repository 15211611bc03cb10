"""Scorecards: drafts, submission, bad input, the round window, locking, reopening, audit, live scoring."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from judging import services
from judging.models import Assignment, Conflict, Round, Scorecard, ScorecardChange
from notifications.models import Notification
from tests.factories import UserFactory

from .conftest import assign, make_judge, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def error_dict(exc_info) -> dict[str, list[str]]:
    return {name: [m for e in errors for m in e.messages] for name, errors in exc_info.value.error_dict.items()}


def card_state(card: Scorecard) -> tuple:
    card.refresh_from_db()
    scores = dict(card.scores.values_list("criterion__name_en", "value"))
    return card.status, card.locked, scores, card.comment_to_organisers, card.feedback_to_entrant


def audit(card: Scorecard) -> list[tuple]:
    return list(
        ScorecardChange.objects.filter(scorecard=card)
        .order_by("id")
        .values_list("changed_by__email", "field", "old_value", "new_value", "reason")
    )


@pytest.fixture
def setup(round_, judges, entries):
    assign(round_, entries[0], judges[0], judges[1])
    criteria = list(round_.criteria.order_by("position"))
    return round_, entries[0], judges[0], criteria


def test_a_draft_keeps_partial_scores_and_every_change_is_audited(setup):
    round_, entry, judge, (innovation, market, team) = setup
    card = services.scorecard_save_draft(
        round=round_,
        entry=entry,
        judge=judge,
        scores={innovation.pk: "7.5", market.pk: ""},
        feedback_to_entrant=" Good ",
    )
    assert card_state(card) == ("draft", False, {"Innovation": Decimal("7.50")}, "", "Good")
    services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={innovation.pk: "8", team.pk: 6})
    assert card_state(card)[2] == {"Innovation": Decimal("8.00"), "Team": Decimal("6.00")}
    services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={team.pk: ""})
    assert card_state(card)[2] == {"Innovation": Decimal("8.00")}
    assert audit(card) == [
        ("judge1@example.org", f"score:{innovation.pk}", "", "7.50", ""),
        ("judge1@example.org", "feedback_to_entrant", "", "Good", ""),
        ("judge1@example.org", f"score:{innovation.pk}", "7.50", "8.00", ""),
        ("judge1@example.org", f"score:{team.pk}", "", "6.00", ""),
        ("judge1@example.org", f"score:{team.pk}", "6.00", "", ""),
    ]


def test_submitting_needs_every_criterion_and_saves_nothing_otherwise(setup):
    round_, entry, judge, (innovation, market, team) = setup
    card = services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={innovation.pk: 7})
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_submit(round=round_, entry=entry, judge=judge, scores={market.pk: 8})
    assert error_dict(exc_info) == {f"score_{team.pk}": ["Score “Team” before submitting."]}
    assert card_state(card) == ("draft", False, {"Innovation": Decimal("7.00")}, "", "")


def test_bad_scores_get_clear_messages_and_nothing_is_lost(setup):
    round_, entry, judge, (innovation, market, team) = setup
    card = services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 5, 5, 5))
    before = card_state(card)
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_submit(
            round=round_,
            entry=entry,
            judge=judge,
            scores={innovation.pk: "11", market.pk: "seven", team.pk: "6.555", 999: "5"},
        )
    assert error_dict(exc_info) == {
        f"score_{innovation.pk}": ["Enter a score from 0 to 10."],
        f"score_{market.pk}": ["Enter a number."],
        f"score_{team.pk}": ["Use at most two decimal places."],
        "scores": ["“999” is not a criterion of this round."],
    }
    for bad in ("-1", "NaN", "Infinity", "1e400", True, [7]):
        with pytest.raises(ValidationError):
            services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={innovation.pk: bad})
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_save_draft(
            round=round_, entry=entry, judge=judge, scores={}, comment_to_organisers="x" * 5001
        )
    assert error_dict(exc_info) == {"comment_to_organisers": ["Keep this to at most 5,000 characters (it has 5001)."]}
    assert card_state(card) == before
    assert ScorecardChange.objects.filter(scorecard=card).count() == 3


def test_submit_is_idempotent_and_a_submitted_card_can_change_until_the_round_closes(setup):
    round_, entry, judge, (_innovation, market, _team) = setup
    card = services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 7, 8, 9))
    assert card.status == "submitted" and card.submitted_at is not None
    submitted_at = card.submitted_at
    changes = audit(card)
    assert changes[-1] == ("judge1@example.org", "status", "draft", "submitted", "")
    again = services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 7, 8, 9))
    assert (again.pk, again.submitted_at) == (card.pk, submitted_at)
    assert audit(card) == changes
    services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={market.pk: "6.5"})
    assert card_state(card)[:3] == ("submitted", False, {"Innovation": 7, "Market": Decimal("6.5"), "Team": 9})
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores={market.pk: ""})
    assert error_dict(exc_info) == {f"score_{market.pk}": ["Score “Market” before submitting."]}
    assert Scorecard.objects.filter(round=round_, entry=entry, judge=judge).count() == 1


def test_scoring_outside_the_window_is_refused(setup):
    round_, entry, judge, _criteria = setup
    card = services.scorecard_save_draft(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 5, 5, 5))
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    round_.refresh_from_db()
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_submit(round=round_, entry=entry, judge=judge)
    assert exc_info.value.code == "round_closed"
    assert exc_info.value.messages[0].startswith("Scoring for this round closed on ")
    assert exc_info.value.messages[0].endswith("(China time); nothing was changed.")
    assert card_state(card)[0] == "draft"
    Round.objects.filter(pk=round_.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=1), closes_at=timezone.now() + dt.timedelta(days=2)
    )
    round_.refresh_from_db()
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_submit(round=round_, entry=entry, judge=judge)
    assert exc_info.value.code == "not_open_yet"


def test_closing_locks_cards_and_only_an_organiser_reopens_one_with_a_reason(
    setup, organiser, judges, django_capture_on_commit_callbacks
):
    round_, entry, judge, (innovation, _market, _team) = setup
    card = services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 7, 8, 9))
    draft = services.scorecard_save_draft(round=round_, entry=entry, judge=judges[1], scores={innovation.pk: 3})
    assert services.round_close(round=round_, closed_by=organiser) == 2
    assert services.round_close(round=round_, closed_by=organiser) == 0
    assert card_state(card)[:2] == ("submitted", True)
    assert card_state(draft)[:2] == ("draft", True)
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_submit(round=round_, entry=entry, judge=judge, scores={innovation.pk: 1})
    assert exc_info.value.messages == [
        "This card is locked: the round has closed. Ask an organiser to reopen it if something must change."
    ]
    assert card_state(card)[2]["Innovation"] == 7

    with pytest.raises(PermissionDenied):
        services.scorecard_reopen(card=card, reopened_by=judge, reason="I erred")
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_reopen(card=card, reopened_by=organiser, reason="  ")
    assert error_dict(exc_info) == {"reason": ["Give the reason for reopening the card."]}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.scorecard_reopen(card=card, reopened_by=organiser, reason="Typo in market score")
    assert card_state(card)[:2] == ("submitted", False)
    assert [m.to for m in mail.outbox] == [["judge1@example.org"]]
    assert mail.outbox[0].subject == "First round: a card was reopened for you"
    assert "Typo in market score" in mail.outbox[0].body
    assert Notification.objects.get(user=judge).kind == "judging.card_reopened"
    with pytest.raises(ValidationError) as exc_info:
        services.scorecard_save_draft(round=round_, entry=entry, judge=judges[1], scores={innovation.pk: 4})
    assert exc_info.value.code == "locked"

    services.scorecard_submit(round=round_, entry=entry, judge=judge, scores={innovation.pk: "6"})
    assert card_state(card)[:3] == ("submitted", True, {"Innovation": 6, "Market": 8, "Team": 9})


def test_the_audit_trail_of_a_reopened_card_is_complete(setup, organiser):
    round_, entry, judge, (innovation, market, team) = setup
    card = services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 7, 8, 9))
    services.round_close(round=round_, closed_by=organiser)
    services.scorecard_reopen(card=card, reopened_by=organiser, reason="Typo")
    services.scorecard_submit(round=round_, entry=entry, judge=judge, scores={innovation.pk: "6"})
    assert audit(card) == [
        ("judge1@example.org", f"score:{innovation.pk}", "", "7.00", ""),
        ("judge1@example.org", f"score:{market.pk}", "", "8.00", ""),
        ("judge1@example.org", f"score:{team.pk}", "", "9.00", ""),
        ("judge1@example.org", "status", "draft", "submitted", ""),
        ("organiser@example.org", "locked", "False", "True", ""),
        ("organiser@example.org", "locked", "True", "False", "Typo"),
        ("judge1@example.org", f"score:{innovation.pk}", "7.00", "6.00", ""),
        ("judge1@example.org", "locked", "False", "True", ""),
    ]


def test_a_judge_can_never_score_another_judges_card_or_an_unassigned_entry(setup, judges, entries, event):
    round_, entry, judge, _criteria = setup
    services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 7, 8, 9))
    with pytest.raises(PermissionDenied):  # judge 3 is not assigned to this entry
        services.scorecard_save_draft(round=round_, entry=entry, judge=judges[2], scores=scores_for(round_, 1, 1, 1))
    with pytest.raises(PermissionDenied):  # nobody is assigned to entry 2
        services.scorecard_submit(round=round_, entry=entries[1], judge=judge, scores=scores_for(round_, 1, 1, 1))
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.scorecard_submit(round=round_, entry=entry, judge=outsider, scores=scores_for(round_, 1, 1, 1))
    # Judge 2 saving their own card never touches judge 1's.
    services.scorecard_submit(round=round_, entry=entry, judge=judges[1], scores=scores_for(round_, 1, 1, 1))
    totals = {
        card.judge.email: services.card_total(card)
        for card in Scorecard.objects.filter(round=round_, entry=entry).select_related("judge")
    }
    assert totals == {"judge1@example.org": Decimal("7.9"), "judge2@example.org": Decimal("1")}


def test_live_rounds_take_scores_from_any_judge_without_a_conflict(event, organiser, judges, entries):
    live = open_round(event, organiser, name_en="Final roadshow", live=True)
    result = services.live_score_submit(
        round=live, entry=entries[0], judge=judges[2], scores=scores_for(live, 9, 8, 7.5)
    )
    card = Scorecard.objects.get(round=live)
    assert result == {
        "scorecard_id": card.pk,
        "entry_id": entries[0].pk,
        "judge_id": judges[2].pk,
        "status": "submitted",
        "total": "8.25",
    }
    assert Assignment.objects.filter(round=live, entry=entries[0], judge=judges[2]).exists()
    Conflict.objects.create(judge=judges[1], entry=entries[0], reason="Former student")
    with pytest.raises(PermissionDenied):
        services.live_score_submit(round=live, entry=entries[0], judge=judges[1], scores=scores_for(live, 1, 1, 1))
    with pytest.raises(PermissionDenied):
        services.live_score_submit(round=live, entry=entries[0], judge=UserFactory(), scores=scores_for(live, 1, 1, 1))
    with pytest.raises(ValidationError) as exc_info:
        services.live_score_submit(round=live, entry=entries[1], judge=judges[0], scores=scores_for(live, 11, 1, 1))
    assert exc_info.value.messages == ["Enter a score from 0 to 10."]
    plain = open_round(event, organiser, name_en="Online round")
    with pytest.raises(ValidationError) as exc_info:
        services.live_score_submit(round=plain, entry=entries[0], judge=judges[0], scores=scores_for(plain, 1, 1, 1))
    assert exc_info.value.code == "not_live"


def test_scheduled_closing_locks_due_rounds_only(event, organiser, judges, entries):
    due = open_round(event, organiser, name_en="Due")
    later = open_round(event, organiser, name_en="Later")
    Round.objects.filter(pk=due.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))
    assert services.rounds_close_due() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.closed_at is not None and later.closed_at is None


def test_a_judge_from_another_event_cannot_score(setup, event):
    round_, entry, _judge, _criteria = setup
    from tests.factories import EventFactory

    stranger = make_judge(EventFactory())
    Assignment.objects.create(round=round_, entry=entry, judge=stranger)
    with pytest.raises(PermissionDenied):
        services.scorecard_save_draft(round=round_, entry=entry, judge=stranger, scores=scores_for(round_, 1, 1, 1))
