"""GET /api/v1/me/: the signed-in user's profile and event roles."""

import pytest
from rest_framework.authtoken.models import Token

from events.models import Role
from tests.factories import EventFactory, EventRoleFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

URL = "/api/v1/me/"


@pytest.fixture
def judge():
    user = UserFactory(
        email="judge@example.org",
        name_zh="陈立新",
        name_en="Chen Lixin",
        organisation=OrganisationFactory(name_zh="海城大学", name_en="Haicheng University"),
        country="CN",
        expertise="biomedicine",
        language="en",
    )
    early = EventFactory(slug="contest-2025", starts_on="2025-09-01", ends_on="2025-12-01")
    late = EventFactory(slug="contest-2026", starts_on="2026-09-01", ends_on="2026-12-01")
    EventRoleFactory(event=early, user=user, role=Role.JUDGE)
    EventRoleFactory(event=late, user=user, role=Role.JUDGE)
    EventRoleFactory(event=late, user=user, role=Role.AUDIENCE)
    EventRoleFactory(event=late, user=UserFactory(), role=Role.ORGANISER)  # someone else's role
    return user


EXPECTED = {
    "email": "judge@example.org",
    "display_name": "Chen Lixin",
    "name_zh": "陈立新",
    "name_en": "Chen Lixin",
    "organisation": "Haicheng University",
    "country": "CN",
    "expertise": "biomedicine",
    "language": "en",
    "roles": [
        {"event": "contest-2026", "role": "audience"},
        {"event": "contest-2026", "role": "judge"},
        {"event": "contest-2025", "role": "judge"},
    ],
}


def test_anonymous_is_refused(client):
    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    # SessionAuthentication comes first and sends no WWW-Authenticate challenge, so DRF answers 403.
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_bad_token_is_refused(client):
    response = client.get(URL, HTTP_AUTHORIZATION="Token not-a-real-token", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json() == {"detail": "Invalid token."}


def test_session_user_gets_profile_and_roles(client, judge):
    client.force_login(judge)

    response = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_token_user_gets_profile_and_roles(client, judge):
    token = Token.objects.create(user=judge)

    response = client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == EXPECTED


def test_names_follow_the_request_language(client, judge):
    client.force_login(judge)

    data = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert (data["display_name"], data["organisation"]) == ("陈立新", "海城大学")
