"""Judging pages: the judges' portal and scoring form, blind rounds, access rules, organisers' pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from judging import services
from judging.models import Assignment, Conflict, Round, Scorecard
from registration.models import Attachment
from tests.factories import UserFactory

from .conftest import assign, open_round, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def url(name, round_, **kwargs):
    return reverse(f"judging:{name}", kwargs={"slug": round_.event.slug, "number": round_.number, **kwargs})


def deck_pdf(author: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author, "/Title": "Pitch of the team"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def assigned(round_, judges, entries):
    assign(round_, entries[0], judges[0], judges[1])
    assign(round_, entries[1], judges[1])
    return round_


def add_deck(entry, author="Li Ming"):
    from django.core.files.base import ContentFile

    attachment = Attachment(
        entry=entry, kind="deck", original_name="LiMing-Tsinghua-deck.pdf", content_type="application/pdf", size=100
    )
    attachment.file.save("deck.pdf", ContentFile(deck_pdf(author)), save=False)
    attachment.save()
    return attachment


# --- The judge's portal ------------------------------------------------------------------------


def test_judge_sees_assigned_entries_with_progress(client, assigned, judges, entries):
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[1], scores=scores_for(assigned, 5, 5, 5))
    client.force_login(judges[1])
    response = client.get(url("round_judge", assigned), **EN)
    assert response.status_code == 200
    assert [(row.entry, row.state) for row in response.context["rows"]] == [
        (entries[0], "submitted"),
        (entries[1], "todo"),
    ]
    assert response.context["percent"] == 50
    portal = client.get(reverse("judging:portal", kwargs={"slug": assigned.event.slug}), **EN)
    assert portal.context["rounds"] == [(assigned, 2, 1)]


def test_scoring_form_saves_a_draft_then_submits(client, assigned, judges, entries):
    criteria = list(assigned.criteria.order_by("position"))
    client.force_login(judges[0])
    page = url("score", assigned, entry_id=entries[0].pk)
    response = client.get(page, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "How strong is the innovation?" in html
    assert f'hx-post="{url("autosave", assigned, entry_id=entries[0].pk)}"' in html

    form = {f"score_{criteria[0].pk}": "8", f"score_{criteria[1].pk}": "", f"score_{criteria[2].pk}": ""}
    response = client.post(page, {**form, "save": "1", "feedback_to_entrant": "Nice"}, **EN)
    assert response.status_code == 302
    card = Scorecard.objects.get(judge=judges[0], entry=entries[0])
    assert (card.status, card.feedback_to_entrant) == ("draft", "Nice")

    response = client.post(page, {**form, "submit": "1"}, **EN)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        f"score_{criteria[1].pk}": ["Score “Market” before submitting."],
        f"score_{criteria[2].pk}": ["Score “Team” before submitting."],
    }
    form.update({f"score_{criteria[1].pk}": "7", f"score_{criteria[2].pk}": "abc"})
    response = client.post(page, {**form, "submit": "1"}, **EN)
    assert response.context["form"].errors == {f"score_{criteria[2].pk}": ["Enter a number."]}
    assert 'value="abc"' in response.content.decode()  # what the judge typed stays on the page
    form[f"score_{criteria[2].pk}"] = "6.5"
    response = client.post(page, {**form, "submit": "1"}, **EN)
    assert response.status_code == 302
    assert response.url == url("round_judge", assigned)
    card.refresh_from_db()
    assert card.status == "submitted"
    assert services.card_total(card) == pytest.approx(7.25)


def test_autosave_answers_with_a_status_line(client, assigned, judges, entries):
    criteria = list(assigned.criteria.order_by("position"))
    client.force_login(judges[0])
    autosave = url("autosave", assigned, entry_id=entries[0].pk)
    response = client.post(autosave, {f"score_{criteria[0].pk}": "9"}, HTTP_HX_REQUEST="true", **EN)
    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    response = client.post(autosave, {f"score_{criteria[0].pk}": "12"}, HTTP_HX_REQUEST="true", **EN)
    assert "Not saved: Innovation: Enter a score from 0 to 10." in response.content.decode()
    card = Scorecard.objects.get(judge=judges[0], entry=entries[0])
    assert list(card.scores.values_list("value", flat=True)) == [9]


def test_editing_after_the_lock_shows_why_and_keeps_the_card(client, assigned, organiser, judges, entries):
    criteria = list(assigned.criteria.order_by("position"))
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[0], scores=scores_for(assigned, 5, 5, 5))
    services.round_close(round=assigned, closed_by=organiser)
    client.force_login(judges[0])
    page = url("score", assigned, entry_id=entries[0].pk)
    response = client.get(page, **EN)
    assert response.context["closed_note"] == "This card is locked: the round has closed."
    assert "hx-post" not in response.content.decode()
    response = client.post(page, {f"score_{criteria[0].pk}": "1", "submit": "1"}, **EN)
    assert response.context["form"].non_field_errors() == [
        "This card is locked: the round has closed. Ask an organiser to reopen it if something must change."
    ]
    assert Scorecard.objects.get(judge=judges[0], entry=entries[0]).scores.get(criterion=criteria[0]).value == 5


def test_a_judge_cannot_open_unassigned_entries_or_organiser_pages(client, assigned, judges, entries, organiser):
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[0], scores=scores_for(assigned, 5, 5, 5))
    card = Scorecard.objects.get(judge=judges[0])
    client.force_login(judges[2])
    for name in ("score", "autosave", "deck", "conflict"):
        method = client.post if name in ("autosave", "conflict") else client.get
        assert method(url(name, assigned, entry_id=entries[0].pk)).status_code == 404
    for name in ("results", "judges_report", "advancement", "release", "progress", "assignments", "round_edit"):
        assert client.get(url(name, assigned)).status_code == 403, name
    assert client.get(url("card_detail", assigned, card_id=card.pk)).status_code == 403
    assert client.get(url("export", assigned, kind="scores")).status_code == 403
    # An entrant is no judge at all.
    client.force_login(entries[0].owner)
    assert client.get(url("round_judge", assigned)).status_code == 403
    assert client.get(url("score", assigned, entry_id=entries[0].pk)).status_code == 403


def test_blind_round_never_shows_who_is_behind_an_entry(client, event, organiser, judges, entries, round_):
    blind = open_round(event, organiser, name_en="Blind round", blind=True)
    entry = entries[0]
    assign(blind, entry, judges[0])
    entry.video_url = "https://video.example.org/li-ming-channel"
    entry.save()
    add_deck(entry)
    client.force_login(judges[0])
    html = client.get(url("score", blind, entry_id=entry.pk), **EN).content.decode()
    identities = [entry.owner.name_en, entry.owner.email, "Technische Universität München", "TUM", "li-ming-channel"]
    identities += [member.name for member in entry.team.all()] + ["LiMing-Tsinghua-deck.pdf"]
    for identity in identities:
        assert identity not in html, identity
    assert entry.title_en in html and "This round is blind" in html
    deck = client.get(url("deck", blind, entry_id=entry.pk))
    assert deck["Content-Disposition"] == f'inline; filename="deck-{entry.reference}.pdf"'
    reader = PdfReader(io.BytesIO(deck.content))
    assert (reader.metadata or {}).get("/Author") is None
    assert b"Li Ming" not in deck.content

    assign(round_, entry, judges[0])
    html = client.get(url("score", round_, entry_id=entry.pk), **EN).content.decode()
    assert "Technische Universität München" in html and "LiMing-Tsinghua-deck.pdf" in html


def test_declaring_a_conflict_from_the_page(client, assigned, judges, entries):
    client.force_login(judges[0])
    response = client.post(url("conflict", assigned, entry_id=entries[0].pk), {"reason": "Co-founder is my cousin"})
    assert response.status_code == 302
    assert not Assignment.objects.filter(round=assigned, entry=entries[0], judge=judges[0]).exists()
    assert Assignment.objects.filter(round=assigned, entry=entries[0], judge=judges[2]).exists()


# --- Organisers --------------------------------------------------------------------------------


def test_organiser_creates_a_round_with_criteria_in_one_form(client, event, organiser, tracks):
    client.force_login(organiser)
    data = {
        "round-name_zh": "复赛",
        "round-name_en": "Semi-final",
        "round-pool": "screened_in",
        "round-tracks": [tracks[0].pk],
        "round-opens_at": "2026-10-01T09:00",
        "round-closes_at": "2026-10-08T18:00",
        "round-scale_min": "0",
        "round-scale_max": "100",
        "round-method": "trimmed_mean",
        "round-judges_per_entry": "5",
        "round-advancement_rule": "top_per_track",
        "round-advancement_count": "3",
        "round-advance_to": "finalist",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name_en": "Innovation",
        "criteria-0-weight": "60",
        "criteria-0-tie_break": "on",
        "criteria-1-name_en": "Team",
        "criteria-1-weight": "30",
        "criteria-2-name_en": "",
        "criteria-2-weight": "",
    }
    response = client.post(reverse("judging:round_create", kwargs={"slug": event.slug}), data, **EN)
    assert response.status_code == 200
    assert response.context["criteria_errors"] == ["The weights add up to 90 %; they must total exactly 100 %."]
    assert Round.objects.count() == 0  # nothing is half-saved
    data["criteria-1-weight"] = "40"
    response = client.post(reverse("judging:round_create", kwargs={"slug": event.slug}), data, **EN)
    assert response.status_code == 302
    round_ = Round.objects.get()
    assert (round_.number, round_.name_en, round_.scale_max, round_.method, round_.judges_per_entry) == (
        1,
        "Semi-final",
        100,
        "trimmed_mean",
        5,
    )
    assert list(round_.tracks.all()) == [tracks[0]]
    assert [(c.name_en, c.weight) for c in round_.criteria.order_by("position")] == [("Innovation", 60), ("Team", 40)]
    assert round_.tie_break_criterion.name_en == "Innovation"
    page = client.get(url("round_edit", round_), **EN)
    assert page.status_code == 200
    assert [form.initial["name_en"] for form in page.context["formset"].initial_forms] == ["Innovation", "Team"]
    assert len(page.context["formset"].forms) == 3  # and one blank row to add a criterion


def test_automatic_assignment_from_the_page(client, round_, organiser, judges, entries):
    client.force_login(organiser)
    response = client.post(url("assignments", round_), follow=True, **EN)
    assert [str(m) for m in response.context["messages"]] == [
        "8 assignments made, 0 removed, 0 moved to balance the loads."
    ]
    assert Assignment.objects.filter(round=round_).count() == 8
    edit = url("assignment_edit", round_, entry_id=entries[0].pk)
    Conflict.objects.create(judge=judges[2], entry=entries[0], reason="Relative")
    page = client.get(edit, **EN)
    assert page.context["conflicted"] == {judges[2].pk}
    assert 'badge text-bg-danger">conflict</span>' in page.content.decode()
    response = client.post(edit, {"judges": [judges[0].pk]}, **EN)
    assert response.status_code == 302
    assert [a.judge for a in Assignment.objects.filter(round=round_, entry=entries[0])] == [judges[0]]


def test_results_page_shows_methods_side_by_side_and_flags_disagreement(client, assigned, organiser, judges, entries):
    services.scorecard_submit(
        round=assigned, entry=entries[0], judge=judges[0], scores=scores_for(assigned, 10, 10, 10)
    )
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[1], scores=scores_for(assigned, 2, 2, 2))
    services.scorecard_submit(round=assigned, entry=entries[1], judge=judges[1], scores=scores_for(assigned, 7, 7, 7))
    client.force_login(organiser)
    response = client.get(url("results", assigned) + "?method=median", **EN)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["rank"], row["entry"], row["result"].disagreement) for row in rows] == [
        (1, entries[1], False),
        (2, entries[0], True),
    ]
    assert rows[1]["methods"] == [(6.0, 2), (6.0, 2), (6.0, 2), (pytest.approx(4.683418), 2)]
    html = response.content.decode()
    assert "Judges disagree strongly" in html
    card = Scorecard.objects.get(judge=judges[0])
    assert url("card_detail", assigned, card_id=card.pk) in html


def test_organiser_reopens_a_card_from_its_page(client, assigned, organiser, judges, entries):
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[0], scores=scores_for(assigned, 5, 5, 5))
    services.round_close(round=assigned, closed_by=organiser)
    card = Scorecard.objects.get()
    client.force_login(organiser)
    page = url("card_detail", assigned, card_id=card.pk)
    response = client.post(page, {"reason": ""}, **EN)
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    response = client.post(page, {"reason": "Judge asked to fix a typo"}, **EN)
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.locked, card.reopened) == (False, True)
    history = client.get(page, **EN).context["history"]
    assert [(change.field, name) for change, name in history][:2] == [
        (f"score:{assigned.criteria.order_by('position')[0].pk}", "Innovation"),
        (f"score:{assigned.criteria.order_by('position')[1].pk}", "Market"),
    ]
    assert history[-1][0].reason == "Judge asked to fix a typo"


def test_advancement_and_release_pages(
    client, assigned, organiser, judges, entries, django_capture_on_commit_callbacks
):
    services.scorecard_submit(
        round=assigned,
        entry=entries[0],
        judge=judges[0],
        scores=scores_for(assigned, 9, 9, 9),
        feedback_to_entrant="Strong technology, weak market analysis.",
    )
    client.force_login(organiser)
    preview = client.get(url("advancement", assigned), **EN)
    assert [(line.entry_id, line.advances) for line, _entry in preview.context["lines"]] == [
        (entries[0].pk, True),
        (entries[1].pk, False),
        (entries[2].pk, False),
        (entries[3].pk, False),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("advancement", assigned), follow=True, **EN)
    assert [str(m) for m in response.context["messages"]] == [
        "Advancement confirmed: 1 of 4 entries move on; every entrant is told."
    ]
    card = Scorecard.objects.get(judge=judges[0], entry=entries[0])
    entrant = entries[0].owner
    client.force_login(entrant)
    my_results = reverse("judging:my_results", kwargs={"slug": assigned.event.slug})
    assert client.get(my_results, **EN).context["own"] == []
    client.force_login(judges[1])
    assert client.get(my_results, **EN).context["rankings"] == []
    client.force_login(organiser)
    response = client.post(url("release", assigned), {"feedback": [card.pk]}, **EN)
    assert response.status_code == 302
    client.force_login(judges[1])
    rankings = client.get(my_results, **EN).context["rankings"]
    assert [(round_, [(ranked.rank, entry) for ranked, entry in rows]) for round_, rows in rankings] == [
        (assigned, [(1, entries[0])])
    ]
    client.force_login(entrant)
    html = client.get(my_results, **EN).content.decode()
    assert "Strong technology, weak market analysis." in html
    assert "Rank 1 of 1, score 9.00." in html
    assert judges[0].display_name not in html


def test_exports_are_spreadsheets_like_the_organisers_use(client, assigned, organiser, judges, entries):
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[0], scores=scores_for(assigned, 8, 6, 4))
    services.scorecard_submit(round=assigned, entry=entries[0], judge=judges[1], scores=scores_for(assigned, 6, 6, 6))
    client.force_login(organiser)
    response = client.get(url("export", assigned, kind="scores"), **EN)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Reference",
        "Title",
        "Track",
        "Judge 1 · Innovation",
        "Judge 1 · Market",
        "Judge 1 · Team",
        "Judge 2 · Innovation",
        "Judge 2 · Market",
        "Judge 2 · Team",
        "Judge 1 · total",
        "Judge 2 · total",
        "Weighted mean",
        "Trimmed mean",
        "Median",
        "Judge-normalised",
        "Cards",
        "Spread (standard deviation)",
        "Judges disagree",
    )
    assert rows[1][:14] == (
        entries[0].reference,
        entries[0].title_en,
        "New materials",
        8,
        6,
        4,
        6,
        6,
        6,
        6.2,
        6,
        6.1,
        6.1,
        6.1,
    )
    response = client.get(url("export", assigned, kind="ranking"), **EN)
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    assert rows[1][:7] == (1, 1, entries[0].reference, entries[0].title_en, "New materials", 6.1, 2)
    assert client.get(url("export", assigned, kind="other")).status_code == 404


def test_event_page_links_judges_and_organisers_to_judging(client, event, round_, organiser, judges):
    client.force_login(judges[0])
    html = client.get(event.get_absolute_url(), **EN).content.decode()
    assert reverse("judging:portal", kwargs={"slug": event.slug}) in html
    assert reverse("judging:manage", kwargs={"slug": event.slug}) not in html
    client.force_login(organiser)
    html = client.get(event.get_absolute_url(), **EN).content.decode()
    assert reverse("judging:manage", kwargs={"slug": event.slug}) in html
    client.force_login(UserFactory())
    assert 'id="judging"' not in client.get(event.get_absolute_url(), **EN).content.decode()


# --- Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_judge_list_query_count_is_constant(client, event, organiser, judges, tracks, count, django_assert_num_queries):
    from .conftest import make_entry

    round_ = open_round(event, organiser)
    for _ in range(count):
        entry = make_entry(event, tracks[0])
        assign(round_, entry, judges[0])
        services.scorecard_save_draft(round=round_, entry=entry, judge=judges[0], scores=scores_for(round_, 5, "", ""))
    client.force_login(judges[0])
    with django_assert_num_queries(8):
        response = client.get(url("round_judge", round_), **EN)
    assert len(response.context["rows"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_organiser_list_pages_query_counts_are_constant(
    client, event, organiser, judges, tracks, count, django_assert_num_queries
):
    from .conftest import make_entry

    round_ = open_round(event, organiser)
    for _ in range(count):
        entry = make_entry(event, tracks[count % 2])
        assign(round_, entry, judges[0], judges[1])
        for judge in judges[:2]:
            services.scorecard_submit(round=round_, entry=entry, judge=judge, scores=scores_for(round_, 5, 6, 7))
    client.force_login(organiser)
    # results: one more query for the live signals shown beside the scores (livestream.selectors).
    expected = {"assignments": 12, "progress": 9, "results": 16, "judges_report": 8, "release": 7, "advancement": 10}
    for name, queries in expected.items():
        with django_assert_num_queries(queries):
            response = client.get(url(name, round_), **EN)
        assert response.status_code == 200, name
    with django_assert_num_queries(6):
        response = client.get(reverse("judging:manage", kwargs={"slug": event.slug}), **EN)
    assert [(r.assignment_count, r.submitted_count, r.criterion_count) for r in response.context["rounds"]] == [
        (2 * count, 2 * count, 3)
    ]
