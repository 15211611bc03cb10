"""Password reset by e-mail link, and password change while signed in."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import link_in, signed_in_user_id
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

NEW_PASSWORD = "Another-str0ng-phrase"


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("language", "subject"), [("zh-hans", "[Haizhi] 密码重置邮件"), ("en", "[Haizhi] Password Reset Email")]
)
def test_password_reset_by_email_link(client, mailoutbox, password, language, subject):
    user = UserFactory(email="forgetful@example.org", language=language)

    response = client.post(reverse("account_reset_password"), {"email": "Forgetful@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    # The e-mail is in the recipient's language, whatever the page language was.
    assert [(m.to, m.subject) for m in mailoutbox] == [(["forgetful@example.org"], subject)]
    key_path = link_in(mailoutbox[0], "/accounts/password/reset/key/")

    # allauth moves the key into the session and redirects to a key-less URL.
    response = client.get(key_path)
    assert response.status_code == 302
    form_path = response.url
    assert form_path.endswith("-set-password/")
    page = client.get(form_path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["password1", "password2"]

    response = client.post(form_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert sign_in(client, "forgetful@example.org", password).status_code == 200
    assert signed_in_user_id(client) is None
    assert sign_in(client, "forgetful@example.org", NEW_PASSWORD).status_code == 302
    assert signed_in_user_id(client) == user.pk

    # The link works once.
    client.logout()
    response = client.get(key_path, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["token_fail"] is True
    assert "The password reset link was invalid" in response.content.decode()


def test_password_reset_refuses_a_weak_new_password(client, mailoutbox, password):
    user = UserFactory(email="weak@example.org")
    client.post(reverse("account_reset_password"), {"email": "weak@example.org"})
    form_path = client.get(link_in(mailoutbox[0], "/accounts/password/reset/key/")).url

    response = client.post(form_path, {"password1": "x7#Qz", "password2": "x7#Qz"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "password1": ["This password is too short. It must contain at least 8 characters."]
    }
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_reset_for_an_unknown_address_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert [m.to for m in mailoutbox] == [["nobody@example.org"]]
    assert "/accounts/password/reset/key/" not in mailoutbox[0].body


def test_password_change_while_signed_in(client, mailoutbox, password):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE is off: the session stays valid.
    assert signed_in_user_id(client) == user.pk
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_needs_the_current_password(client, password):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"oldpassword": ["Please type your current password."]}
    assert 'id="id_oldpassword-errors"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(password)


def test_password_change_page_requires_sign_in(client):
    response = client.get(reverse("account_change_password"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('account_change_password')}"
