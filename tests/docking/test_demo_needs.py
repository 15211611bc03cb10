"""The needs demo: enterprises, needs in both languages that match demo projects, a fair match list;
a second run changes nothing."""

import pytest
from django.core.management import call_command

from docking.demo import needs as demo
from docking.models import CuratedMatch, EnterpriseProfile, Need
from docking.services import matching
from events.models import Event
from registration.models import Entry, Track

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _snapshot():
    return {
        "profiles": sorted(EnterpriseProfile.objects.values_list("organisation__name_en", flat=True)),
        "needs": sorted(Need.objects.values_list("pk", "title_zh", "title_en", "status", "updated_at")),
        "matches": sorted(CuratedMatch.objects.values_list("pk", "need_id", "entry_id", "talent_id", "position")),
        "fair_entries": sorted(Entry.objects.filter(event__slug=demo.FAIR).values_list("pk", "title_en")),
        "tracks": sorted(Track.objects.values_list("pk", "field")),
    }


def test_demo_seeds_enterprises_needs_and_a_fair_match_list_once():
    call_command("seed_demo", "--quiet-logins")
    first = _snapshot()
    call_command("seed_demo", "--quiet-logins")
    assert _snapshot() == first

    assert len(first["profiles"]) == len(demo.ENTERPRISES)
    assert Need.objects.count() == len(demo.NEEDS)
    bluesea = EnterpriseProfile.objects.get(organisation__name_en="Blue Sea New Energy Technology Co.")
    assert list(bluesea.contacts.values_list("email", flat=True)) == ["enterprise@haizhi.example"]
    fund = EnterpriseProfile.objects.get(organisation__name_en="Haizhi Venture Capital Fund")
    assert list(fund.contacts.values_list("email", flat=True)) == ["investor@haizhi.example"]
    assert set(Track.objects.filter(event__slug=demo.CONTEST).values_list("field", flat=True)) == set(
        demo.TRACK_FIELDS.values()
    )
    fair = Event.objects.get(slug=demo.FAIR)
    assert sorted(e[1] for e in first["fair_entries"]) == [
        "High-safety solid-state lithium battery",
        "Minimally invasive surgical robot",
    ]
    # Each open fair need has its best project on the list; the first also its best talent.
    fair_needs = Need.objects.filter(event=fair, status="open").count()
    assert CuratedMatch.objects.filter(event=fair, entry__isnull=False).count() == fair_needs
    assert CuratedMatch.objects.filter(event=fair, talent__isnull=False).count() == 1


def test_demo_needs_match_the_demo_projects():
    call_command("seed_demo", "--quiet-logins")
    organiser = Event.objects.get(slug=demo.CONTEST).roles.get(role="organiser").user
    expected = {
        "固态电池热管理与电池管理系统": "High-safety solid-state lithium battery",
        "遗传性眼病基因编辑疗法合作": "CRISPR precision gene-editing therapy platform",
        "Force-feedback control for a surgical robot": "Minimally invasive surgical robot",
        "硫化物固态电解质量产合作": "High-safety solid-state lithium battery",
        "微创手术机器人整机制造伙伴": "Minimally invasive surgical robot",
    }
    for title, project in expected.items():
        need = Need.objects.get(title_zh=title) if title[0] > "~" else Need.objects.get(title_en=title)
        best = matching.need_project_matches(need=need, user=organiser)[0]
        assert best.item.title_en == project, title
