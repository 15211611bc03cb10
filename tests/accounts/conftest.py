"""Helpers for the account tests: links read out of e-mails, signed-in checks."""

import re

import pytest

from tests.conftest import clear_cache

LINK = re.compile(r"https?://testserver(/accounts/[^\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth counts attempts in the cache; with Redis a crashed earlier run could leave counters behind.
    clear_cache()


def link_in(message, prefix: str) -> str:
    """The one path in ``message``'s body that starts with ``prefix``."""
    paths = [path for path in LINK.findall(message.body) if path.startswith(prefix)]
    assert len(paths) == 1, message.body
    return paths[0]


def signed_in_user_id(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None
