"""The ledger demo: companies in every colour linked to demo projects and deals, history,
an inspection with a photo, overdue checks; seeding twice changes nothing."""

import pytest
from django.utils import timezone

from core.demo import SEEDERS, seed_demo
from docking.models import Deal
from landing import demo
from landing.models import CadenceTask, Inspection, LandedCompany, LedgerChange, Milestone

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def snapshot():
    return (
        list(LandedCompany.objects.order_by("pk").values_list("pk", "status", "entry_id", "updated_at")),
        LedgerChange.objects.count(),
        Milestone.objects.count(),
        Inspection.objects.count(),
        list(CadenceTask.objects.order_by("pk").values_list("pk", "done_at")),
    )


def test_the_demo_ledger_has_every_colour_and_overdue_checks_once():
    assert SEEDERS[-1] == "landing.demo.seed"
    ctx = seed_demo(scale=1)
    event = ctx.events[demo.CONTEST]
    companies = LandedCompany.objects.filter(event=event)
    assert companies.count() == len(demo.SHOWCASE) == 7
    statuses = list(companies.values_list("status", flat=True))
    assert all(statuses.count(colour) >= 2 for colour in ("red", "yellow", "blue"))
    assert companies.filter(base="offshore").count() == 1
    assert set(companies.values_list("responsible", flat=True)) == {ctx.users["park_officer"].pk}
    assert companies.filter(entry__isnull=False).count() == 7
    signed_linked = LandedCompany.objects.filter(event=event, deals__stage="signed").distinct()
    signed_entries = set(Deal.objects.filter(event=event, stage="signed").values_list("entry_id", flat=True))
    assert set(signed_linked.values_list("entry_id", flat=True)) == signed_entries
    # Moves to yellow and blue are audited with notes.
    blue = companies.filter(status="blue").first()
    assert list(
        LedgerChange.objects.filter(company=blue).exclude(from_status="").values_list("from_status", "to_status")
    ) == [
        ("red", "yellow"),
        ("yellow", "blue"),
    ]
    inspection = Inspection.objects.get()
    assert inspection.photos.count() == 1
    assert inspection.task.done_at is not None
    today = timezone.localdate()
    overdue = CadenceTask.objects.filter(done_at__isnull=True, due_on__lt=today)
    assert overdue.exists()
    assert not overdue.filter(company__status="blue").exists()

    before = snapshot()
    seed_demo(scale=1)
    assert snapshot() == before


def test_a_larger_scale_adds_volume_companies_once():
    ctx = seed_demo(scale=2)
    event = ctx.events[demo.CONTEST]
    companies = LandedCompany.objects.filter(event=event)
    assert companies.count() == demo.COMPANIES_PER_SCALE * 2
    assert companies.filter(entry__isnull=True).count() == 0
    assert CadenceTask.objects.filter(company__event=event).values("company").distinct().count() == companies.count()
    before = snapshot()
    seed_demo(scale=2)
    assert snapshot() == before
