"""What the registration pages do with bad input, late input and other people's entries:
a clear reason, nothing stored that should not be, and nothing typed thrown away."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from registration import demo, services
from registration.models import Attachment, Entry, Status
from registration.templatetags.registration_tags import cny
from tests.factories import EntryFactory, QuestionFactory

from .conftest import bomb_png_upload, image_upload, pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CLOSED = "Registration closed on"


def url(name, event, **kwargs):
    return reverse(f"registration:{name}", kwargs={"slug": event.slug, **kwargs})


@pytest.fixture
def draft(event, entrant, track):
    return EntryFactory(event=event, owner=entrant, track=track, title_en="Original title")


def _close_registration(event):
    window = event.registration_settings
    window.closes_at = timezone.now() - dt.timedelta(minutes=5)
    window.save()


def _edit_data(entry, **fields):
    lead = entry.team.get(is_lead=True)
    data = {
        "entry-title_en": entry.title_en,
        "entry-title_zh": entry.title_zh,
        "entry-track": entry.track_id,
        "team-TOTAL_FORMS": "1",
        "team-INITIAL_FORMS": "1",
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "50",
        "team-0-id": lead.pk,
        "team-0-entry": entry.pk,
        "team-0-name": lead.name,
        "team-0-email": lead.email,
        "team-0-country": lead.country.code,
    }
    data.update(fields)
    return data


# --- Another entrant's entry ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("entry_edit", {"entry-title_en": "Hijacked", "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0"}),
        ("entry_autosave", {"entry-title_en": "Hijacked"}),
        ("entry_files", {}),
        ("entry_submit", {}),
        ("entry_withdraw", {"reason": "Hijacked"}),
    ],
)
def test_no_page_changes_another_entrants_entry(client, event, entrant, other_entrant, draft, name, data):
    deck = services.attachment_add(entry=draft, changed_by=entrant, kind="deck", upload=pdf_upload())
    if name == "entry_files":
        data = {"files-logo": image_upload()}
    client.force_login(other_entrant)
    response = client.post(url(name, event, pk=draft.pk), data)
    assert response.status_code == 404
    entry = Entry.objects.get(pk=draft.pk)
    assert (entry.title_en, entry.status, entry.status_reason) == ("Original title", Status.DRAFT, "")
    assert list(entry.attachments.values_list("pk", flat=True)) == [deck.pk]


def test_no_page_removes_or_sends_another_entrants_file(client, event, entrant, other_entrant, draft):
    deck = services.attachment_add(entry=draft, changed_by=entrant, kind="deck", upload=pdf_upload())
    client.force_login(other_entrant)
    assert client.post(url("attachment_delete", event, pk=deck.pk)).status_code == 404
    assert client.get(url("attachment", event, pk=deck.pk) + "?inline=1").status_code == 404
    assert Attachment.objects.filter(pk=deck.pk).exists()


def test_organiser_pages_are_refused_to_entrants(client, event, entrant, other_entrant, draft):
    services.entry_submit(entry=draft, submitted_by=entrant)
    client.force_login(other_entrant)
    bulk = client.post(url("screening_bulk", event), {"entries": [draft.pk], "to_status": "screened_out"})
    status = client.post(url("entry_status", event, pk=draft.pk), {"to_status": "screened_out", "reason": "x"})
    assert (bulk.status_code, status.status_code) == (403, 403)
    assert Entry.objects.get(pk=draft.pk).status == Status.SUBMITTED


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_entries_api_changes_nothing(client, event, entrant, other_entrant, draft, method):
    for person in (entrant, other_entrant):
        client.force_login(person)
        response = getattr(client, method)(
            reverse("api-event-entry", kwargs={"slug": event.slug, "pk": draft.pk}),
            {"title_en": "Hijacked"},
            content_type="application/json",
        )
        assert response.status_code == 405
    assert Entry.objects.get(pk=draft.pk).title_en == "Original title"


# --- After the deadline -------------------------------------------------------------------------


def test_after_the_deadline_the_edit_page_says_why_and_the_entry_page_offers_no_edit(client, event, entrant, draft):
    _close_registration(event)
    client.force_login(entrant)
    response = client.get(url("entry_edit", event, pk=draft.pk), follow=True, **EN)
    assert response.redirect_chain == [(url("entry_detail", event, pk=draft.pk), 302)]
    html = response.content.decode()
    assert CLOSED in html
    assert url("entry_edit", event, pk=draft.pk) not in html
    assert url("entry_submit", event, pk=draft.pk) not in html
    assert response.context["missing"] == []


def test_an_edit_posted_after_the_deadline_is_refused_and_kept_on_the_page(client, event, entrant, draft):
    _close_registration(event)
    client.force_login(entrant)
    response = client.post(
        url("entry_edit", event, pk=draft.pk), _edit_data(draft, **{"entry-title_en": "Typed too late"}), **EN
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert CLOSED in html
    assert 'value="Typed too late"' in html
    assert Entry.objects.get(pk=draft.pk).title_en == "Original title"


def test_submitting_after_the_deadline_is_refused_with_the_reason(client, event, entrant, draft):
    _close_registration(event)
    client.force_login(entrant)
    response = client.post(url("entry_submit", event, pk=draft.pk), follow=True, **EN)
    assert response.status_code == 400
    assert CLOSED in response.content.decode()
    assert Entry.objects.get(pk=draft.pk).status == Status.DRAFT


def test_an_upload_after_the_deadline_is_refused_next_to_the_file(client, event, entrant, draft):
    _close_registration(event)
    client.force_login(entrant)
    response = client.post(url("entry_files", event, pk=draft.pk), {"files-deck": pdf_upload()}, **EN)
    assert response.status_code == 400
    assert response.context["files_form"].errors["deck"][0].startswith(CLOSED)
    assert draft.attachments.count() == 0


# --- Bad input -----------------------------------------------------------------------------------


def test_a_refused_file_does_not_lose_the_good_one_sent_with_it(client, event, entrant, draft):
    client.force_login(entrant)
    response = client.post(
        url("entry_files", event, pk=draft.pk),
        {"files-deck": pdf_upload("plan.pdf"), "files-logo": bomb_png_upload()},
        **EN,
    )
    assert response.status_code == 400
    assert list(response.context["files_form"].errors) == ["logo"]
    assert "too many pixels" in response.context["files_form"].errors["logo"][0]
    assert list(draft.attachments.values_list("kind", "original_name")) == [("deck", "plan.pdf")]
    assert response.context["deck"].original_name == "plan.pdf"


def test_over_long_answers_and_team_fields_are_refused_and_kept_on_the_page(client, event, entrant, draft):
    question = QuestionFactory(event=event, kind="text", label_en="Market", max_length=20)
    client.force_login(entrant)
    data = _edit_data(
        draft,
        **{
            f"answers-q_{question.pk}": "m" * 21,
            "team-TOTAL_FORMS": "2",
            "team-1-entry": draft.pk,
            "team-1-name": "n" * 101,
            "team-1-email": "member@example.org",
        },
    )
    response = client.post(url("entry_edit", event, pk=draft.pk), data, **EN)
    assert response.status_code == 400
    assert response.context["answers_form"].errors[f"q_{question.pk}"] == [
        "Ensure this value has at most 20 characters (it has 21)."
    ]
    assert response.context["team_formset"].forms[1].errors["name"] == [
        "Ensure this value has at most 100 characters (it has 101)."
    ]
    html = response.content.decode()
    assert "m" * 21 in html
    assert 'value="' + "n" * 101 + '"' in html
    assert draft.answers.count() == 0
    assert draft.team.count() == 1


def test_long_texts_are_not_cut_by_the_browser_but_refused_with_their_length(client, event, entrant, draft):
    question = QuestionFactory(event=event, kind="text", label_en="Market", max_length=300)
    client.force_login(entrant)
    html = client.get(url("entry_edit", event, pk=draft.pk)).content.decode()
    textareas = re.findall(r"<textarea [^>]*>", html)
    assert [re.search(r'name="([^"]+)"', tag)[1] for tag in textareas] == [
        "entry-summary",
        "entry-technology",
        "entry-ip_summary",
        f"answers-q_{question.pk}",
    ]
    assert [tag for tag in textareas if "maxlength" in tag] == []
    assert 'name="entry-title_en" value="Original title" maxlength="200"' in html  # one line: typing stops there

    pasted = "长" * 5003
    response = client.post(url("entry_edit", event, pk=draft.pk), _edit_data(draft, **{"entry-summary": pasted}), **EN)
    assert response.status_code == 400
    assert response.context["form"].errors["summary"] == [
        "Ensure this value has at most 5000 characters (it has 5003)."
    ]
    assert f">\n{pasted}</textarea>" in response.content.decode()


# --- What the pages show -------------------------------------------------------------------------


def test_every_answer_file_is_previewed_on_the_entry_page(client, event, entrant, organiser, draft):
    letter = QuestionFactory(event=event, kind="file", label_en="Letter")
    photo = QuestionFactory(event=event, kind="file", label_en="Lab photo")
    pdf = services.attachment_add(
        entry=draft, changed_by=entrant, kind="answer", upload=pdf_upload("letter.pdf", pages=2), question=letter
    )
    image = services.attachment_add(
        entry=draft, changed_by=entrant, kind="answer", upload=image_upload("lab.png"), question=photo
    )
    client.force_login(organiser)
    html = client.get(url("entry_detail", event, pk=draft.pk), **EN).content.decode()
    image_url = url("attachment", event, pk=image.pk)
    pdf_url = url("attachment", event, pk=pdf.pk)
    assert f'<img src="{image_url}?size=thumb&amp;inline=1" alt="lab.png"' in html
    assert f'<a href="{pdf_url}?inline=1" target="_blank" rel="noopener">Open the PDF</a>' in html
    assert f'<a href="{pdf_url}">letter.pdf</a> <span class="text-muted small">(2 pages)</span>' in html


def test_money_is_shown_with_thousands_separators_in_both_languages(client, event, organiser, draft):
    assert (cny(Decimal("12000000.00")), cny(0), cny(None)) == ("¥12,000,000", "¥0", "")
    services.entry_submit(entry=draft, submitted_by=draft.owner)
    client.force_login(organiser)
    for language in ("en", "zh-hans"):
        detail = client.get(url("entry_detail", event, pk=draft.pk), HTTP_ACCEPT_LANGUAGE=language)
        screening = client.get(url("screening", event), HTTP_ACCEPT_LANGUAGE=language)
        assert "¥5,000,000" in detail.content.decode()
        assert "¥5,000,000" in screening.content.decode()


def test_autosave_says_when_with_a_clock_the_browser_shows_in_its_own_zone(client, event, entrant, draft):
    client.force_login(entrant)
    # Today at 11:45:30 UTC, inside the factory's window (opened ten days ago): a fixed date would
    # fall outside it once the window, made from the real clock, has moved on.
    saved_at = timezone.now().astimezone(dt.UTC).replace(hour=11, minute=45, second=30, microsecond=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("registration.views.timezone.now", lambda: saved_at)
        response = client.post(url("entry_autosave", event, pk=draft.pk), {"entry-summary": "Typed"}, **EN)
    assert response.content.decode().strip() == (
        '<span class="text-success" data-autosave="saved">Draft saved at '
        f'<time datetime="{saved_at.isoformat()}" class="js-local-clock">19:45</time>.</span>'
    )


def test_team_rows_other_than_the_lead_offer_a_styled_remove_box(client, event, entrant, draft):
    draft.team.create(name="Anna", position=1)
    client.force_login(entrant)
    html = client.get(url("entry_edit", event, pk=draft.pk)).content.decode()
    remove_box = '<input type="checkbox" name="team-1-DELETE" class="form-check-input" id="id_team-1-DELETE">'
    assert html.count(remove_box) == 1
    assert "team-0-DELETE" not in html


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2026, 11, 23, tzinfo=dt.UTC), (demo.WINDOW_OPENS, demo.WINDOW_CLOSES)),
        (
            dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
            (demo.WINDOW_OPENS, dt.datetime(2027, 3, 15, tzinfo=dt.UTC)),
        ),
        (
            dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
            (dt.datetime(2026, 1, 9, tzinfo=dt.UTC), demo.WINDOW_CLOSES),
        ),
    ],
)
def test_the_demo_registration_window_is_open_whenever_the_demo_is_seeded(now, expected):
    assert demo.demo_window(now) == expected
