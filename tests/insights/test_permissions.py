"""Who sees the dashboards, the report, the exports and an entry's history."""

import pytest
from django.urls import reverse

from events.models import Role
from tests.factories import UserFactory

from .conftest import role

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _event_pages(event) -> list[str]:
    slug = {"slug": event.slug}
    return [
        reverse("insights:event_dashboard", kwargs=slug),
        reverse("insights:event_export", kwargs=slug),
        reverse("insights:monthly_report", kwargs=slug),
        reverse("insights:report_export", kwargs=slug),
    ]


@pytest.mark.parametrize("who", [Role.ENTRANT, Role.ENTERPRISE, Role.AUDIENCE, Role.JUDGE])
def test_other_roles_get_403(client, programme, who):
    client.force_login(role(programme.event, who))
    for url in [*_event_pages(programme.event), reverse("insights:programme_dashboard")]:
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("insights:programme_export")).status_code == 403


def test_organiser_of_one_event_sees_nothing_of_another(client, programme):
    client.force_login(programme.organiser)
    for url in _event_pages(programme.event):
        assert client.get(url).status_code == 200, url
    for url in _event_pages(programme.other):
        assert client.get(url).status_code == 403, url
    stranger = programme.entries["stranger"]
    history = reverse("insights:entry_history", kwargs={"slug": programme.other.slug, "pk": stranger.pk})
    assert client.get(history).status_code == 404
    # Another event's entry under this event's address does not exist either.
    wrong = reverse("insights:entry_history", kwargs={"slug": programme.event.slug, "pk": stranger.pk})
    assert client.get(wrong).status_code == 404
    programme_page = client.get(reverse("insights:programme_dashboard"))
    assert programme_page.status_code == 200
    assert programme_page.context["dashboard"].events == [programme.event]
    assert programme.other.title not in programme_page.content.decode()


def test_ledger_editor_sees_dashboards_and_report_but_not_entry_history(client, programme):
    client.force_login(programme.ledger_editor)
    for url in [*_event_pages(programme.event), reverse("insights:programme_dashboard")]:
        assert client.get(url).status_code == 200, url
    entry = programme.entries["awarded"]
    history = reverse("insights:entry_history", kwargs={"slug": programme.event.slug, "pk": entry.pk})
    assert client.get(history).status_code == 404


def test_staff_see_every_event(client, programme):
    client.force_login(UserFactory(is_staff=True))
    response = client.get(reverse("insights:programme_dashboard"))
    assert response.status_code == 200
    assert response.context["dashboard"].events == [programme.event, programme.other]
    assert client.get(reverse("insights:event_dashboard", kwargs={"slug": programme.other.slug})).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, programme):
    response = client.get(reverse("insights:event_dashboard", kwargs={"slug": programme.event.slug}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    entry = programme.entries["awarded"]
    history = reverse("insights:entry_history", kwargs={"slug": programme.event.slug, "pk": entry.pk})
    assert client.get(history).status_code == 404


def test_a_user_without_roles_gets_403_on_the_programme_dashboard(client, programme):
    client.force_login(UserFactory())
    assert client.get(reverse("insights:programme_dashboard")).status_code == 403
