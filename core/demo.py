"""The demo programme: a realistic, bilingual data set every app adds to.

``seed_demo`` calls each app's ``demo.seed(ctx)`` in order. Every seeder is idempotent:
it looks records up by a natural key and creates only what is missing, so a second run
changes nothing. ``ctx.scale`` multiplies the volume for benchmarks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.module_loading import import_string

DEMO_PASSWORD = "haizhi-demo-2026"

SEEDERS = [
    "accounts.demo.seed",
    "events.demo.seed",
    "registration.demo.seed",
    "judging.demo.seed",
    "awards.demo.seed",
    "experts.demo.seed",
    "livestream.demo.seed",
    "docking.demo.needs.seed",
    "docking.demo.meetings.seed",
    "insights.demo.seed",  # the finished 2025 edition: needs the judges, criteria and enterprises above
    "landing.demo.seed",
]


@dataclass
class DemoContext:
    scale: int = 1
    users: dict = field(default_factory=dict)
    organisations: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def seed_demo(*, scale: int = 1) -> DemoContext:
    ctx = DemoContext(scale=scale)
    with transaction.atomic():
        for path in SEEDERS:
            seeder: Callable[[DemoContext], None] = import_string(path)
            seeder(ctx)
    return ctx
