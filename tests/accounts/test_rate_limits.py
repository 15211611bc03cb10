"""allauth's login rate limits are on (settings.ACCOUNT_RATE_LIMITS)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.conftest import signed_in_user_id
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

WRONG = "The email address and/or password you specified are not correct."
LOCKED = "Too many failed login attempts. Try again later."


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_the_limits_are_configured():
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert settings.ACCOUNT_RATE_LIMITS["login"] == "30/m/ip"


def test_after_five_failed_logins_even_the_right_password_is_refused(client, password):
    user = UserFactory(email="target@example.org")

    for _ in range(5):
        response = sign_in(client, "target@example.org", "guess-123456")
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [WRONG]

    response = sign_in(client, "target@example.org", password)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [LOCKED]
    assert LOCKED in response.content.decode()
    assert signed_in_user_id(client) is None

    # The lock is per e-mail address: another account signs in from the same client.
    other = UserFactory(email="bystander@example.org")
    response = sign_in(client, "bystander@example.org", password)
    assert response.status_code == 302
    assert signed_in_user_id(client) == other.pk
    assert user.pk != other.pk


def test_more_than_thirty_login_posts_a_minute_answer_429(client):
    for _ in range(30):
        assert sign_in(client, "someone@example.org", "guess-123456").status_code == 200

    response = sign_in(client, "someone@example.org", "guess-123456")

    assert response.status_code == 429
    assert response.templates[0].name == "429.html"
    html = response.content.decode()
    assert '<h1 class="h3 mb-3">Too many requests</h1>' in html
    assert 'id="language-form"' in html  # the site's own layout, not allauth's bare fallback
