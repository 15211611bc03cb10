"""The in-site notification list: each person sees and marks only their own."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from notifications import services
from notifications.models import Notification
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_the_list_shows_only_the_visitors_notifications(client):
    reader, other = UserFactory(), UserFactory()
    services.notification_send(user=reader, kind="test", title="Yours <b>bold</b>", url="/events/")
    services.notification_send(user=other, kind="test", title="Not yours")
    client.force_login(reader)
    response = client.get(reverse("notifications:list"))
    html = response.content.decode()
    assert [n.title for n in response.context["page"]] == ["Yours <b>bold</b>"]
    assert response.context["unread"] == 1
    assert "Yours &lt;b&gt;bold&lt;/b&gt;" in html
    assert "Not yours" not in html


def test_marking_read_touches_only_ones_own(client):
    reader, other = UserFactory(), UserFactory()
    mine = services.notification_send(user=reader, kind="test", title="Mine")
    theirs = services.notification_send(user=other, kind="test", title="Theirs")
    client.force_login(reader)
    response = client.post(reverse("notifications:read"), {"id": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).is_read is True
    assert Notification.objects.get(pk=theirs.pk).is_read is False


def test_the_list_needs_sign_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_list_queries_do_not_grow_with_the_number_of_notifications(client, django_assert_num_queries):
    # session, user, page count, page, unread count, navigation roles
    reader = UserFactory()
    client.force_login(reader)
    services.notification_send(user=reader, kind="test", title="One")
    with django_assert_num_queries(6):
        client.get(reverse("notifications:list"))
    for i in range(20):
        services.notification_send(user=reader, kind="test", title=f"More {i}")
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page"]) == 21


def test_dashboard_shows_unread_notifications(client):
    reader = UserFactory()
    services.notification_send(user=reader, kind="test", title="Your entry was received", url="/events/x/")
    client.force_login(reader)
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    section = next(s for s in response.context["sections"] if s.title == "New notifications")
    assert [(t.label, t.url) for t in section.tasks] == [
        ("Your entry was received", "/events/x/"),
        ("All notifications", reverse("notifications:list")),
    ]
    services.notifications_mark_read(user=reader)
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert [s.title for s in response.context["sections"]] == []


def test_user_notify_mails_and_notifies_each_person_in_their_own_language(settings, mailoutbox):
    """One e-mail and one site notification per person: the notification's title is the e-mail's
    subject, both in the person's language; the e-mail links absolutely, the notification relatively."""
    settings.SITE_URL = "https://events.example"
    event = EventFactory(title_zh="海智大赛", title_en="Haizhi Contest")
    round_ = SimpleNamespace(name="Final")
    english, chinese = UserFactory(language="en"), UserFactory(language="zh-hans")
    for person in (english, chinese):
        services.user_notify(
            user=person,
            event=event,
            template="judging/email/results_released",
            kind="judging.results_released",
            url="/events/haizhi/results/",
            context={"round": round_, "entry": SimpleNamespace(title="Battery")},
            body="Well done",
        )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([english.email], "Haizhi Contest: results of Final"),
        ([chinese.email], "海智大赛：Final结果"),
    ]
    assert "https://events.example/events/haizhi/results/" in mailoutbox[0].body
    assert list(Notification.objects.order_by("pk").values_list("user", "kind", "title", "body", "url", "event")) == [
        (
            english.pk,
            "judging.results_released",
            "Haizhi Contest: results of Final",
            "Well done",
            "/events/haizhi/results/",
            event.pk,
        ),
        (
            chinese.pk,
            "judging.results_released",
            "海智大赛：Final结果",
            "Well done",
            "/events/haizhi/results/",
            event.pk,
        ),
    ]
