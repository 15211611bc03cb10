"""The judges' dashboard section, reminder e-mails from the progress page, and the scheduled closing."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.dashboard import dashboard_sections
from judging import services, tasks
from judging.models import Round, Scorecard
from notifications.models import Notification

from .conftest import assign, scores_for

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_a_judge_dashboard_lists_cards_to_do(round_, judges, entries, organiser):
    assign(round_, entries[0], judges[0])
    assign(round_, entries[1], judges[0])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 5, 5, 5))
    section = next(s for s in dashboard_sections(judges[0]) if s.title.startswith("Judging:"))
    assert [(t.label, t.url, t.note) for t in section.tasks] == [
        (
            "First round: 1 card to submit",
            reverse("judging:round_judge", kwargs={"slug": round_.event.slug, "number": 1}),
            "1 of 2 submitted",
        )
    ]
    services.scorecard_submit(round=round_, entry=entries[1], judge=judges[0], scores=scores_for(round_, 5, 5, 5))
    section = next(s for s in dashboard_sections(judges[0]) if s.title.startswith("Judging:"))
    assert (section.tasks, section.empty_text) == ([], "All your cards are submitted.")
    organiser_section = next(s for s in dashboard_sections(organiser) if s.title.startswith("Judging rounds:"))
    assert [(t.label, t.note) for t in organiser_section.tasks] == [("First round", "2 of 2 cards submitted")]
    assert not [s for s in dashboard_sections(judges[1]) if s.title.startswith("Judging")]


def test_dashboard_page_renders_the_judging_section(client, round_, judges, entries):
    assign(round_, entries[0], judges[0])
    client.force_login(judges[0])
    html = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "First round: 1 card to submit" in html


def test_reminders_go_to_judges_with_cards_left_in_their_language(
    client, round_, judges, entries, organiser, django_capture_on_commit_callbacks
):
    judges[1].language = "zh-hans"
    judges[1].save(update_fields=["language"])
    assign(round_, entries[0], judges[0], judges[1], judges[2])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[2], scores=scores_for(round_, 5, 5, 5))
    client.force_login(organiser)
    progress = reverse("judging:progress", kwargs={"slug": round_.event.slug, "number": round_.number})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(progress, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert [str(m) for m in response.context["messages"]] == ["Reminders are on their way to 2 judges."]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"judge1@example.org", "judge2@example.org"}
    english = by_address["judge1@example.org"]
    assert english.subject == "First round: 1 card still to submit"
    assert "You have submitted 0 of 1 cards in “First round”" in english.body
    assert "/events/contest/judging/rounds/1/" in english.body
    assert Notification.objects.filter(kind="judging.reminder").count() == 2

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(progress, {"judge": [judges[0].pk, judges[2].pk]})
    assert [m.to for m in mail.outbox] == [["judge1@example.org"]]


def test_scheduled_task_closes_due_rounds_and_locks_cards(round_, judges, entries):
    assign(round_, entries[0], judges[0])
    services.scorecard_submit(round=round_, entry=entries[0], judge=judges[0], scores=scores_for(round_, 5, 5, 5))
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=5))
    assert tasks.close_due_rounds.delay().get() == 1
    assert Scorecard.objects.get().locked is True
    assert tasks.close_due_rounds.delay().get() == 0
