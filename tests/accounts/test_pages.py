"""Every allauth page a user reaches renders inside the site's layout, in both languages."""

import pytest
from django.urls import reverse

from tests.accounts.conftest import signed_in_user_id
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ANONYMOUS_PAGES = [
    ("account_login", "account/login.html", "auth-card"),
    ("account_signup", "account/signup.html", "auth-card"),
    ("account_reset_password", "account/password_reset.html", "auth-card"),
    ("account_reset_password_done", "account/password_reset_done.html", "auth-card"),
    ("account_email_verification_sent", "account/verification_sent.html", "auth-card"),
    ("account_inactive", "account/account_inactive.html", "auth-card"),
]
SIGNED_IN_PAGES = [
    ("account_email", "account/email.html", "account-nav"),
    ("account_change_password", "account/password_change.html", "account-nav"),
    ("account_logout", "account/logout.html", "auth-card"),
    ("account_reauthenticate", "account/reauthenticate.html", "auth-card"),
    ("accounts:profile", "accounts/profile.html", "account-nav"),
]
LANGUAGES = [("en", '<html lang="en">'), ("zh-hans", '<html lang="zh-Hans">')]


def assert_site_layout(response, template, marker, html_lang):
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert names[0] == template
    assert "base.html" in names
    html = response.content.decode()
    assert html_lang in html
    assert 'id="language-form"' in html
    assert f'class="{marker}' in html or f" {marker}" in html


@pytest.mark.parametrize(("language", "html_lang"), LANGUAGES)
@pytest.mark.parametrize(("url_name", "template", "marker"), ANONYMOUS_PAGES)
def test_anonymous_account_pages_use_the_site_layout(client, url_name, template, marker, language, html_lang):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE=language)

    assert_site_layout(response, template, marker, html_lang)


@pytest.mark.parametrize(("language", "html_lang"), LANGUAGES)
@pytest.mark.parametrize(("url_name", "template", "marker"), SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_the_site_layout(client, url_name, template, marker, language, html_lang):
    client.force_login(UserFactory())

    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE=language)

    assert_site_layout(response, template, marker, html_lang)


def test_login_page_in_chinese_uses_allauths_translations(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "忘记密码？" in html
    assert "记住我" in html


def test_a_user_without_a_password_can_set_one(client):
    user = UserFactory()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    client.force_login(user)

    page = client.get(reverse("account_set_password"), HTTP_ACCEPT_LANGUAGE="en")
    assert_site_layout(page, "account/password_set.html", "account-nav", '<html lang="en">')
    response = client.post(
        reverse("account_set_password"), {"password1": "Fresh-str0ng-phrase", "password2": "Fresh-str0ng-phrase"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Fresh-str0ng-phrase")


def test_an_inactive_account_is_sent_to_the_inactive_page(client, password):
    UserFactory(email="gone@example.org", is_active=False)

    response = client.post(reverse("account_login"), {"login": "gone@example.org", "password": password})

    assert response.status_code == 302
    assert response.url == reverse("account_inactive")
    assert signed_in_user_id(client) is None


def test_signing_out_needs_a_post(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("account_logout")).status_code == 200
    assert signed_in_user_id(client) == user.pk
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert signed_in_user_id(client) is None
