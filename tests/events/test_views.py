import datetime as dt

import pytest
from django.urls import reverse

from events.models import Event, EventRole, Role
from tests.factories import EventFactory, EventRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_home_lists_only_published_events(client):
    EventFactory(title_en="Open Contest", title_zh="公开大赛", is_published=True)
    EventFactory(title_en="Secret Contest", title_zh="内部大赛", is_published=False)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    titles = [event.title_en for event in response.context["events"]]
    assert titles == ["Open Contest"]


def test_home_query_count_does_not_grow_with_events(client, django_assert_num_queries):
    EventFactory()
    with django_assert_num_queries(1):
        client.get("/")
    EventFactory.create_batch(5)
    with django_assert_num_queries(1):
        response = client.get("/")
    assert len(response.context["events"]) == 6


def test_event_page_shows_title_in_the_request_language(client):
    event = EventFactory(title_en="Innovation Contest", title_zh="创新大赛")
    assert "创新大赛" in client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Innovation Contest" in client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_title_falls_back_to_the_other_language(client):
    event = EventFactory(title_en="", title_zh="只有中文标题")
    response = client.get(event.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["event"].title == "只有中文标题"


def test_unpublished_event_is_404_for_outsiders_and_visible_to_its_organiser(client):
    event = EventFactory(is_published=False)
    outsider = UserFactory()
    organiser = UserFactory()
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(outsider)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(organiser)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_manage_page_is_for_this_events_organisers_only(client):
    event_a = EventFactory()
    event_b = EventFactory()
    organiser_a = UserFactory()
    EventRoleFactory(event=event_a, user=organiser_a, role=Role.ORGANISER)
    client.force_login(organiser_a)
    assert client.get(reverse("events:manage", args=[event_a.slug])).status_code == 200
    assert client.get(reverse("events:manage", args=[event_b.slug])).status_code == 403


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ORGANISER])
def test_other_roles_cannot_manage_or_grant(client, role):
    event = EventFactory()
    user = UserFactory()
    target = UserFactory()
    EventRoleFactory(event=event, user=user, role=role)
    client.force_login(user)
    assert client.get(reverse("events:manage", args=[event.slug])).status_code == 403
    response = client.post(
        reverse("events:role_grant", args=[event.slug]), {"grant-email": target.email, "grant-role": Role.JUDGE}
    )
    assert response.status_code == 403
    assert not EventRole.objects.filter(user=target).exists()


def test_organiser_grants_and_revokes_a_role(client):
    event = EventFactory()
    organiser = UserFactory()
    judge = UserFactory(email="expert@example.org")
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    response = client.post(
        reverse("events:role_grant", args=[event.slug]), {"grant-email": "EXPERT@example.org", "grant-role": "judge"}
    )
    assert response.status_code == 302
    grant = EventRole.objects.get(event=event, user=judge)
    assert (grant.role, grant.granted_by) == (Role.JUDGE, organiser)

    # Granting again changes nothing.
    client.post(reverse("events:role_grant", args=[event.slug]), {"grant-email": judge.email, "grant-role": "judge"})
    assert EventRole.objects.filter(event=event, user=judge).count() == 1

    response = client.post(reverse("events:role_revoke", args=[event.slug]), {"user": judge.pk, "role": "judge"})
    assert response.status_code == 302
    assert not EventRole.objects.filter(event=event, user=judge).exists()


def test_grant_to_unknown_email_shows_a_form_error(client):
    event = EventFactory()
    organiser = UserFactory()
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    response = client.post(
        reverse("events:role_grant", args=[event.slug]),
        {"grant-email": "nobody@example.org", "grant-role": "judge"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["grant_form"].errors["email"] == [
        "No account uses this e-mail address. Ask the person to sign up first."
    ]


def test_last_organiser_cannot_be_removed(client):
    event = EventFactory()
    organiser = UserFactory()
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    response = client.post(
        reverse("events:role_revoke", args=[event.slug]),
        {"user": organiser.pk, "role": "organiser"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert EventRole.objects.filter(event=event, user=organiser, role=Role.ORGANISER).exists()
    assert [str(m) for m in response.context["messages"]] == ["An event needs at least one organiser."]


def test_staff_creates_an_event_and_becomes_its_organiser(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("events:create"),
        {
            "slug": "fair-2027",
            "kind": "fair",
            "title_zh": "2027 对接会",
            "title_en": "",
            "starts_on": "2027-05-01",
            "ends_on": "2027-05-02",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(slug="fair-2027")
    assert (event.kind, event.title_zh, event.is_published) == ("fair", "2027 对接会", False)
    assert EventRole.objects.filter(event=event, user=staff, role=Role.ORGANISER).exists()


def test_event_form_errors_are_shown_not_500(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("events:create"),
        {
            "slug": "bad slug!",
            "kind": "contest",
            "title_zh": "",
            "title_en": "",
            "starts_on": "2027-05-02",
            "ends_on": "2027-05-01",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "slug" in form.errors
    assert form.errors["ends_on"] == ["The event cannot end before it starts."]
    assert form.errors["title_zh"] == ["Give the event a title in Chinese, English or both."]
    assert form.non_field_errors() == []
    assert not Event.objects.exists()


def test_non_staff_cannot_create_events(client):
    client.force_login(UserFactory())
    assert client.get(reverse("events:create")).status_code == 403


def test_organiser_edits_event(client):
    event = EventFactory(is_published=False)
    organiser = UserFactory()
    EventRoleFactory(event=event, user=organiser, role=Role.ORGANISER)
    client.force_login(organiser)
    response = client.post(
        reverse("events:manage", args=[event.slug]),
        {
            "event-kind": "contest",
            "event-title_zh": "新标题",
            "event-title_en": "New title",
            "event-starts_on": "2026-10-01",
            "event-ends_on": "2026-10-31",
            "event-is_published": "on",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title_en, event.is_published, event.starts_on) == ("New title", True, dt.date(2026, 10, 1))


def test_dashboard_lists_tasks_per_role(client):
    event = EventFactory(title_en="Contest A")
    other = EventFactory(title_en="Contest B")
    user = UserFactory()
    EventRoleFactory(event=event, user=user, role=Role.ORGANISER)
    EventRoleFactory(event=other, user=user, role=Role.JUDGE)
    client.force_login(user)
    response = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    sections = {s.title: [t.label for t in s.tasks] for s in response.context["sections"]}
    assert sections == {
        "Contest A": ["Manage the event and its people"],
        "Contest B": ["You are a judge in this event"],
    }


def test_dashboard_requires_login(client):
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_signed_in_person_follows_and_unfollows_a_published_event(client):
    event = EventFactory(is_published=True)
    user = UserFactory()
    client.force_login(user)
    url = reverse("events:audience_join", args=[event.slug])

    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # twice changes nothing
    assert list(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True)) == ["audience"]

    client.post(url, {"leave": "1"})
    assert not EventRole.objects.filter(event=event, user=user).exists()


def test_following_needs_sign_in_and_a_published_event(client):
    hidden = EventFactory(is_published=False)
    url = reverse("events:audience_join", args=[hidden.slug])
    assert client.post(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.post(url).status_code == 404
    assert not EventRole.objects.filter(event=hidden).exists()


def test_leaving_keeps_other_roles(client):
    event = EventFactory()
    user = UserFactory()
    EventRoleFactory(event=event, user=user, role=Role.JUDGE)
    EventRoleFactory(event=event, user=user, role=Role.AUDIENCE)
    client.force_login(user)
    client.post(reverse("events:audience_join", args=[event.slug]), {"leave": "1"})
    assert list(EventRole.objects.filter(event=event, user=user).values_list("role", flat=True)) == ["judge"]
