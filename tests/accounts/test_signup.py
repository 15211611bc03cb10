"""Sign-up with mandatory e-mail verification, in the visitor's language; bad input."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import link_in, signed_in_user_id
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

CONFIRM_PREFIX = "/accounts/confirm-email/"


def sign_up(client, email, password, password2=None, language="en"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password if password2 is None else password2},
        HTTP_ACCEPT_LANGUAGE=language,
    )


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


def test_signup_sends_a_verification_link_and_login_works_only_after_confirming(client, mailoutbox, password):
    response = sign_up(client, "newcomer@example.org", password)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="newcomer@example.org")
    assert user.language == "en"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("newcomer@example.org", False, True)
    ]
    assert signed_in_user_id(client) is None
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["newcomer@example.org"]
    assert message.subject == "[Haizhi] Please Confirm Your Email Address"
    assert "Hello from Haizhi Events!" in message.body
    confirm_path = link_in(message, CONFIRM_PREFIX)

    # Before verification the password is right but the account does not sign in.
    response = sign_in(client, "newcomer@example.org", password)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("accounts:profile")).status_code == 302

    # Following the link shows a confirmation form; only the POST confirms (no confirm-on-GET).
    page = client.get(confirm_path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert f'action="{confirm_path}"' in page.content.decode()
    assert EmailAddress.objects.get(user=user).verified is False
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert EmailAddress.objects.get(user=user).verified is True

    response = sign_in(client, "newcomer@example.org", password)
    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert signed_in_user_id(client) == user.pk


def test_an_invalid_confirmation_key_shows_the_expired_message(client):
    response = client.get(f"{CONFIRM_PREFIX}not-a-key/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "This email confirmation link expired or is invalid." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "subject", "stored_language"),
    [
        ("zh-hans", "[Haizhi] 请确认您的Email地址", "zh-hans"),
        ("en", "[Haizhi] Please Confirm Your Email Address", "en"),
        ("en-GB,en;q=0.9", "[Haizhi] Please Confirm Your Email Address", "en"),
    ],
)
def test_verification_email_is_in_the_language_used_at_signup(
    client, mailoutbox, password, language, subject, stored_language
):
    sign_up(client, "polyglot@example.org", password, language=language)

    assert [m.subject for m in mailoutbox] == [subject]
    assert User.objects.get(email="polyglot@example.org").language == stored_language


@pytest.mark.parametrize(
    ("email", "password1", "password2", "errors"),
    [
        ("not-an-email", "Str0ng-pass-phrase!", None, {"email": ["Enter a valid email address."]}),
        (
            "someone@example.org",
            "Str0ng-pass-phrase!",
            "Str0ng-pass-phrase?",
            {"password2": ["You must type the same password each time."]},
        ),
        (
            "someone@example.org",
            "Ab1!x",
            None,
            {"password1": ["This password is too short. It must contain at least 8 characters."]},
        ),
        ("someone@example.org", "password123", None, {"password1": ["This password is too common."]}),
        ("someone@example.org", "48151623", None, {"password1": ["This password is entirely numeric."]}),
        (
            "",
            "",
            "",
            {
                "email": ["This field is required."],
                "password1": ["This field is required."],
                "password2": ["This field is required."],
            },
        ),
    ],
)
def test_bad_signup_input_shows_field_errors_and_creates_nobody(
    client, mailoutbox, email, password1, password2, errors
):
    response = sign_up(client, email, password1, password2)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    html = response.content.decode()
    for field, messages in errors.items():
        assert f'id="id_{field}-errors"' in html
        for message in messages:
            assert message in html
    assert User.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("taken", ["owner@example.org", "Owner@Example.ORG"])
def test_signup_with_a_taken_email_creates_nobody_and_tells_only_the_owner(client, mailoutbox, password, taken):
    owner = UserFactory(email="owner@example.org", language="zh-hans")

    response = sign_up(client, taken, password)

    # The page does not reveal that the address is taken (allauth's enumeration prevention) ...
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert list(User.objects.values_list("pk", flat=True)) == [owner.pk]
    assert EmailAddress.objects.filter(email__iexact="owner@example.org").count() == 1
    # ... the owner learns about it instead, in the owner's language.
    assert [(m.to, m.subject) for m in mailoutbox] == [(["owner@example.org"], "[Haizhi] 账户已经存在")]
    assert "/accounts/password/reset/" in mailoutbox[0].body
