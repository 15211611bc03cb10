"""The custom user model: e-mail as the login, case-insensitive uniqueness, display names."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from tests.accounts.conftest import signed_in_user_id
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_create_user_stores_the_email_lowercased_and_authenticates_by_email(password):
    user = User.objects.create_user(email="Ada.Lovelace@Example.ORG", password=password)

    assert user.email == "ada.lovelace@example.org"
    assert user.is_staff is False
    assert user.is_superuser is False
    assert authenticate(email="ada.lovelace@example.org", password=password) == user
    assert authenticate(email="ada.lovelace@example.org", password="wrong-password") is None


def test_create_user_without_email_is_refused():
    with pytest.raises(ValueError) as excinfo:
        User.objects.create_user(email="", password="x")
    assert str(excinfo.value) == "An e-mail address is required."


def test_signing_in_with_the_email_in_other_case_works(client, password):
    user = UserFactory(email="grace@example.org")

    response = client.post(reverse("account_login"), {"login": "GRACE@Example.org", "password": password})

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")
    assert signed_in_user_id(client) == user.pk


def test_email_is_unique_regardless_of_case():
    User.objects.create_user(email="hopper@example.org", password="x")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Hopper@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="HOPPER@example.org", password="x")
    assert User.objects.filter(email__iexact="hopper@example.org").count() == 1


def test_create_superuser_sets_the_staff_flags(password):
    admin = User.objects.create_superuser(email="Boss@Example.org", password=password, is_staff=False)

    assert admin.email == "boss@example.org"
    assert admin.is_staff is True
    assert admin.is_superuser is True
    assert admin.check_password(password)


def test_createsuperuser_command_asks_only_for_email(monkeypatch, password):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)

    call_command("createsuperuser", "--noinput", "--email", "Root@Example.org", verbosity=0)

    admin = User.objects.get(email="root@example.org")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert admin.check_password(password)


@pytest.mark.parametrize(
    ("name_zh", "name_en", "language", "expected"),
    [
        ("李明", "Li Ming", "zh-hans", "李明"),
        ("李明", "Li Ming", "en", "Li Ming"),
        ("", "Li Ming", "zh-hans", "Li Ming"),
        ("李明", "", "en", "李明"),
        ("", "", "en", "li.ming"),
        ("", "", "zh-hans", "li.ming"),
    ],
)
def test_display_name_follows_the_language_and_falls_back(name_zh, name_en, language, expected):
    user = UserFactory.build(email="li.ming@example.org", name_zh=name_zh, name_en=name_en)

    with translation.override(language):
        assert user.display_name == expected
        assert str(user) == expected
        assert user.get_full_name() == expected
