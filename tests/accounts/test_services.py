"""accounts.services: profile rules and e-mails in the recipient's language."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.models import Organisation
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_profile_update_saves_only_profile_fields():
    user = UserFactory(expertise="")

    services.profile_update(user=user, expertise="new materials", country="SG")

    user.refresh_from_db()
    assert (user.expertise, user.country.code) == ("new materials", "SG")
    with pytest.raises(ValueError) as excinfo:
        services.profile_update(user=user, is_staff=True)
    assert str(excinfo.value) == "Not profile fields: ['is_staff']"


def test_profile_update_enforces_the_bio_limit_outside_forms():
    user = UserFactory(bio="short")

    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(user=user, bio="y" * 2001)

    assert list(excinfo.value.message_dict) == ["bio"]
    user.refresh_from_db()
    assert user.bio == "short"


def test_organisation_get_or_create_matches_either_name():
    org = OrganisationFactory(name_zh="海城大学", name_en="Haicheng University")

    assert services.organisation_get_or_create(name_zh="海城大学") == org
    assert services.organisation_get_or_create(name_en="HAICHENG UNIVERSITY") == org
    created = services.organisation_get_or_create(name_en="Karlsruhe Institute of Technology")
    assert (created.name_zh, created.name_en, created.kind) == ("", "Karlsruhe Institute of Technology", "other")
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize(("language", "subject"), [("en", "Password Reset Email"), ("zh-hans", "密码重置邮件")])
def test_email_user_writes_in_the_users_language(mailoutbox, language, subject):
    user = UserFactory(email="reader@example.org", language=language)
    other = "zh-hans" if language == "en" else "en"

    with translation.override(other):
        services.email_user(
            user=user,
            template="account/email/password_reset_key",
            context={
                "password_reset_url": "https://events.example/reset/abc/",
                "current_site": {"domain": "events.example"},
            },
        )
        assert translation.get_language() == other

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert (message.to, message.subject) == (["reader@example.org"], subject)
    assert "https://events.example/reset/abc/" in message.body
    assert message.alternatives == []
