"""seed_demo: builds the demo programme, prints working logins, and a second run changes nothing."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from accounts.models import User
from core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LOGIN_LINE = re.compile(r"^  (\S+@\S+)\s{2,}(\S.*)$")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_prints_working_logins():
    output = seed()
    lines = output.splitlines()
    assert lines[0].startswith("Demo programme ready (")
    assert lines[0] != "Demo programme ready (nothing new)."
    assert f"Demo logins (password for all: {DEMO_PASSWORD})" in lines
    logins = dict(match.groups() for line in lines if (match := LOGIN_LINE.match(line)))
    assert logins["admin@haizhi.example"] == "site staff (all events)"
    assert logins["organiser@haizhi.example"] == "organiser"
    assert logins["judge1@haizhi.example"] == "judge"
    assert logins["entrant1@haizhi.example"] == "entrant"
    for email in logins:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email


def test_seed_demo_twice_changes_nothing():
    seed()
    first = row_counts()
    output = seed()
    assert row_counts() == first
    assert output.splitlines()[0] == "Demo programme ready (nothing new)."


def test_quiet_logins_prints_only_the_summary():
    assert seed("--quiet-logins").splitlines()[1:] == []


def test_larger_scale_creates_more_users():
    seed("--scale", "1")
    users_at_scale_1 = User.objects.count()
    output = seed("--scale", "2")
    assert User.objects.count() > users_at_scale_1
    assert output.splitlines()[0] != "Demo programme ready (nothing new)."


@pytest.mark.parametrize("scale", ["0", "1001"])
def test_scale_out_of_range_is_refused(scale):
    with pytest.raises(CommandError, match=r"^--scale must be between 1 and 1000\.$"):
        seed("--scale", scale)
