"""One way to set the time in tests: the ``clock`` fixture of ``tests/conftest.py``.

A test that patches ``timezone.now`` in one module, or travels with time-machine on its own, while
its fixtures were made relative to the real clock, passes only in the weeks it was written (one did,
and turned main red on the day its pinned "now" fell before the registration window the fixtures had
opened). This check keeps every other way out of the suite.
"""

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ALLOWED = {TESTS / "conftest.py", Path(__file__).resolve()}

FORBIDDEN = [
    (re.compile(r"^\s*(import time_machine|from time_machine\b)", re.M), "imports time_machine"),
    (re.compile(r"\bfreezegun\b|\bfreeze_time\b"), "uses freezegun"),
    (re.compile(r"^def \w+\([^)]*\btime_machine\b", re.M), "asks for the time_machine fixture"),
    (re.compile(r"""setattr\([^)\n]*?['"]([\w.]*\.)?(now|today|time|time_ns|monotonic)['"]"""), "patches a clock"),
]


def clock_violations(source: str) -> list[str]:
    """What in ``source`` sets the time some other way than the ``clock`` fixture."""
    return [reason for pattern, reason in FORBIDDEN if pattern.search(source)]


def test_tests_set_the_time_only_through_the_clock_fixture():
    offenders = {
        str(path.relative_to(TESTS.parent)): found
        for path in sorted(TESTS.rglob("*.py"))
        if path not in ALLOWED and (found := clock_violations(path.read_text()))
    }
    assert offenders == {}, f"use the `clock` fixture (tests/conftest.py) instead: {offenders}"


@pytest.mark.parametrize(
    "source",
    [
        "import time_machine\n",
        "from freezegun import freeze_time\n",
        "def test_x(client, time_machine):\n    pass\n",
        'monkeypatch.setattr("registration.views.timezone.now", lambda: saved_at)\n',
        "patch.setattr(timezone, 'now', fake)\n",
    ],
)
def test_the_check_catches_each_other_way(source):
    assert clock_violations(source)


def test_the_clock_fixture_itself_passes():
    assert clock_violations("def test_x(client, clock):\n    clock.freeze(START)\n") == []
