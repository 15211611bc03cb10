import pytest
from django.contrib.auth.models import AnonymousUser

from livestream.consumers import socket_language
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _scope(*, cookie: str | None = None, accept: str | None = None) -> dict:
    headers = [(b"accept-language", accept.encode())] if accept else []
    return {"cookies": {"django_language": cookie} if cookie else {}, "headers": headers}


def test_cookie_wins_then_profile_then_accept_language():
    english_user = UserFactory(language="en")
    assert socket_language(_scope(cookie="zh-hans", accept="en"), english_user) == "zh-hans"
    assert socket_language(_scope(accept="zh-CN,zh;q=0.9"), english_user) == "en"
    assert socket_language(_scope(accept="en-GB,en;q=0.9"), AnonymousUser()) == "en"
    assert socket_language(_scope(accept="zh-CN"), AnonymousUser()) == "zh-hans"


def test_unknown_languages_fall_back_to_the_site_default():
    assert socket_language(_scope(cookie="xx", accept="fr-FR"), AnonymousUser()) == "zh-hans"
