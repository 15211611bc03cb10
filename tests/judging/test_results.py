"""Results, advancement and release on a hand-worked round.

Weights 40/30/30 on a 0–10 scale; every judge gives one value to all three criteria except entry C:

    entry (track)   judge 1       judge 2   judge 3      mean  trimmed  median
    A (materials)   8             7         9            8     8        8
    B (biomed)      6             5         10           7     6        6      (σ 2.16 > 1.5: disagreement)
    C (materials)   10/5/5 = 7    7 = 10/5/5 7 = 10/5/5  7     7        7      (innovation mean 10 beats B's 7)
    D (biomed)      4             5         —            4.5   4.5      4.5    (two cards: nothing trimmed)
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from judging import services
from judging.models import Round, RoundOutcome, Scorecard
from notifications.models import Notification
from registration.models import Entry, Status, StatusChange
from tests.factories import UserFactory

from .conftest import assign, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CARDS = {
    "A": [(8, 8, 8), (7, 7, 7), (9, 9, 9)],
    "B": [(6, 6, 6), (5, 5, 5), (10, 10, 10)],
    "C": [(10, 5, 5), (10, 5, 5), (10, 5, 5)],
    "D": [(4, 4, 4), (5, 5, 5)],
}


@pytest.fixture
def scored(event, organiser, judges, entries):
    """The round above, open, with every card submitted; returns (round, {letter: entry})."""
    round_ = open_round(event, organiser, k=3)
    by_letter = dict(zip("ABCD", entries, strict=True))  # entries alternate tracks: A, C materials; B, D biomed
    for letter, cards in CARDS.items():
        entry = by_letter[letter]
        for judge, values in zip(judges, cards, strict=False):
            assign(round_, entry, judge)
            services.scorecard_submit(
                round=round_,
                entry=entry,
                judge=judge,
                scores=scores_for(round_, *values),
                feedback_to_entrant=f"Feedback from {judge.email} on {letter}",
            )
    return round_, by_letter


def ranking(result, by_letter):
    letters = {entry.pk: letter for letter, entry in by_letter.items()}
    return [(ranked.rank, letters[ranked.entry.entry_id], ranked.entry.value) for ranked in result.overall]


def test_results_under_every_method_with_statistics(scored, organiser, judges):
    round_, by_letter = scored
    results = services.round_results(round=round_, viewer=organiser)
    assert results.error == ""
    assert ranking(results.of("weighted_mean"), by_letter) == [
        (1, "A", 8.0),
        (2, "C", 7.0),
        (3, "B", 7.0),
        (4, "D", 4.5),
    ]
    assert ranking(results.of("trimmed_mean"), by_letter) == [
        (1, "A", 8.0),
        (2, "C", 7.0),
        (3, "B", 6.0),
        (4, "D", 4.5),
    ]
    assert ranking(results.of("median"), by_letter) == [(1, "A", 8.0), (2, "C", 7.0), (3, "B", 6.0), (4, "D", 4.5)]
    b = results.of("weighted_mean").entries[by_letter["B"].pk]
    assert (b.card_count, b.spread_range, round(b.spread_std, 4), b.disagreement) == (3, 5.0, 2.1602, True)
    a = results.of("weighted_mean").entries[by_letter["A"].pk]
    assert a.disagreement is False
    c_means = results.of("weighted_mean").entries[by_letter["C"].pk].criterion_means
    assert sorted(c_means.values()) == [5.0, 5.0, 10.0]
    tracks = {group: [r.entry.entry_id for r in ranked] for group, ranked in results.of("median").by_group.items()}
    assert tracks == {
        by_letter["A"].track_id: [by_letter["A"].pk, by_letter["C"].pk],
        by_letter["B"].track_id: [by_letter["B"].pk, by_letter["D"].pk],
    }
    judge_3 = results.of("weighted_mean").judges[judges[2].pk]
    assert (judge_3.cards_done, round(judge_3.leniency, 6)) == (3, round(4 / 3, 6))


def test_results_are_recomputed_when_a_card_changes(scored, organiser, judges):
    round_, by_letter = scored
    before = services.round_results(round=round_, viewer=organiser).of("weighted_mean")
    assert before.entries[by_letter["D"].pk].value == 4.5
    services.scorecard_submit(round=round_, entry=by_letter["D"], judge=judges[1], scores=scores_for(round_, 9, 9, 9))
    after = services.round_results(round=round_, viewer=organiser).of("weighted_mean")
    assert after.entries[by_letter["D"].pk].value == 6.5


def test_drafts_do_not_count_and_incomplete_criteria_are_explained(event, organiser, judges, entries):
    round_ = open_round(event, organiser)
    assign(round_, entries[0], judges[0])
    services.scorecard_save_draft(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 9, 9, 9))
    assert services.round_results(round=round_, viewer=organiser).of("median").overall == ()
    Round.objects.filter(pk=round_.pk).update(results_version=99)
    round_.criteria.filter(position=3).update(weight=0)
    results = services.round_results(round=round_, viewer=organiser)
    assert (results.by_method, results.error) == (
        {},
        "The round's criteria are not complete: their weights must total 100 %.",
    )


def test_results_are_hidden_from_judges_and_entrants_until_released(scored, organiser, judges):
    round_, by_letter = scored
    entrant = by_letter["A"].owner
    for person in (judges[0], entrant, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.round_results(round=round_, viewer=person)
        with pytest.raises(PermissionDenied):
            services.advancement_preview(round=round_, viewer=person)
        assert services.results_visible_to(person, round_) is False
    assert services.entrant_results(user=entrant, event=round_.event) == []
    with pytest.raises(ValidationError) as exc_info:
        services.results_release(round=round_, released_by=organiser)
    assert exc_info.value.messages == ["Close the round before releasing its results."]
    with pytest.raises(PermissionDenied):
        services.results_release(round=round_, released_by=judges[0])


@pytest.mark.parametrize(
    ("rule", "count", "threshold", "advancing"),
    [
        ("top_overall", 2, None, "AC"),
        ("top_overall", 1, None, "A"),
        ("top_per_track", 1, None, "AB"),
        ("threshold", None, "7", "ABC"),
        ("threshold", None, "7.01", "A"),
    ],
)
def test_advancement_preview_follows_the_rule(scored, organiser, rule, count, threshold, advancing):
    round_, by_letter = scored
    services.round_update(
        round=round_,
        changed_by=organiser,
        advancement_rule=rule,
        advancement_count=count,
        advancement_threshold=Decimal(threshold) if threshold else None,
    )
    lines = services.advancement_preview(round=round_, viewer=organiser)
    letters = {entry.pk: letter for letter, entry in by_letter.items()}
    assert "".join(sorted(letters[line.entry_id] for line in lines if line.advances)) == advancing


def test_entries_tied_at_the_cut_all_advance(event, organiser, judges, entries):
    round_ = open_round(event, organiser, k=1, tie_break=None, advancement_count=1)
    for entry in entries[:2]:
        assign(round_, entry, judges[0])
        services.scorecard_submit(round=round_, entry=entry, judge=judges[0], scores=scores_for(round_, 6, 6, 6))
    lines = services.advancement_preview(round=round_, viewer=organiser)
    assert [(line.rank, line.advances) for line in lines] == [(1, True), (1, True), (None, False), (None, False)]


def test_confirming_advancement_moves_entries_marks_the_rest_and_tells_everyone(
    scored, organiser, django_capture_on_commit_callbacks
):
    round_, by_letter = scored
    for letter, language in (("A", "en"), ("B", "en"), ("C", "zh-hans"), ("D", "zh-hans")):
        owner = by_letter[letter].owner
        owner.language = language
        owner.save(update_fields=["language"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = services.advancement_confirm(round=round_, confirmed_by=organiser)
    letters = {entry.pk: letter for letter, entry in by_letter.items()}
    assert sorted((letters[o.entry_id], o.rank, o.advanced) for o in outcomes) == [
        ("A", 1, True),
        ("B", 3, False),
        ("C", 2, True),
        ("D", 4, False),
    ]
    statuses = {letters[e.pk]: (e.status, e.round_number) for e in Entry.objects.filter(pk__in=letters)}
    assert statuses == {
        "A": (Status.IN_ROUND, 2),
        "B": (Status.SCREENED_IN, None),
        "C": (Status.IN_ROUND, 2),
        "D": (Status.SCREENED_IN, None),
    }
    change = StatusChange.objects.get(entry=by_letter["A"], to_status=Status.IN_ROUND)
    assert (change.changed_by, change.round_number) == (organiser, 2)
    assert change.reason.endswith("Advanced from “First round”.")
    round_.refresh_from_db()
    assert round_.closed_at is not None and round_.advancement_confirmed_by == organiser
    assert not Scorecard.objects.filter(round=round_, locked=False).exists()

    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {by_letter[letter].owner.email for letter in "ABCD"}
    b_mail = to[by_letter["B"].owner.email]
    assert b_mail.subject == f"Your entry “{by_letter['B'].title_en}”: result of First round"
    assert "did not advance beyond “First round”" in b_mail.body
    # Each entrant reads it in their own language: the Chinese-speaking entrant sees the Chinese title.
    assert by_letter["D"].title_zh in to[by_letter["D"].owner.email].subject
    kinds = dict(Notification.objects.values_list("user__email", "kind"))
    assert kinds[by_letter["B"].owner.email] == "judging.not_advanced"
    assert kinds[by_letter["A"].owner.email] == "entry.in_round"

    with pytest.raises(ValidationError) as exc_info:
        services.advancement_confirm(round=round_, confirmed_by=organiser)
    assert exc_info.value.code == "already_confirmed"
    assert RoundOutcome.objects.filter(round=round_).count() == 4


def test_a_refused_status_change_changes_nothing(scored, organiser):
    round_, by_letter = scored
    Entry.objects.filter(pk=by_letter["A"].pk).update(status=Status.WITHDRAWN)
    with pytest.raises(ValidationError) as exc_info:
        services.advancement_confirm(round=round_, confirmed_by=organiser)
    assert exc_info.value.code == "bad_transition"
    round_.refresh_from_db()
    assert (round_.advancement_confirmed_at, RoundOutcome.objects.count()) == (None, 0)
    assert Entry.objects.get(pk=by_letter["C"].pk).status == Status.SCREENED_IN


def test_release_shows_entrants_their_result_and_only_the_chosen_feedback_without_names(
    scored, organiser, judges, django_capture_on_commit_callbacks
):
    round_, by_letter = scored
    services.advancement_confirm(round=round_, confirmed_by=organiser)
    chosen = Scorecard.objects.get(round=round_, entry=by_letter["B"], judge=judges[0])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        released = services.results_release(round=round_, released_by=organiser, feedback_card_ids=[chosen.pk])
    assert released == 1
    entrant = by_letter["B"].owner
    rows = services.entrant_results(user=entrant, event=round_.event)
    assert [(r["entry"], r["rank"], r["of"], r["value"], r["outcome"].advanced, r["feedback"]) for r in rows] == [
        (by_letter["B"], 3, 4, 7.0, False, ["Feedback from judge1@example.org on B"])
    ]
    assert services.results_visible_to(judges[0], round_) is True
    assert services.results_visible_to(UserFactory(), round_) is False
    assert len(mail.outbox) == 4  # every entrant of the round hears of the release once
    with django_capture_on_commit_callbacks(execute=True):
        services.results_release(round=round_, released_by=organiser, feedback_card_ids=[])
    assert services.entrant_results(user=entrant, event=round_.event)[0]["feedback"] == []
    assert len(mail.outbox) == 4
