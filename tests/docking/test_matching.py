"""Matching: an obviously related project ranks first in Chinese, English and mixed texts, and
the explanation names the field and the shared terms."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.models import User
from docking.services import matching
from docking.services.matching import Document, rank, tokenize
from registration.models import Entry
from tests.docking.conftest import make_contest
from tests.factories import NeedFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    """Explanations are compared in English; the Chinese one is checked on its own."""
    with translation.override("en"):
        yield


def _need(contest, **kwargs):
    defaults = {
        "event": contest.event,
        "enterprise": contest.enterprise,
        "title_zh": "",
        "title_en": "",
        "description_zh": "",
        "description_en": "",
        "keywords": "",
        "field": "new_energy",
    }
    return NeedFactory(**{**defaults, **kwargs})


def _titles(matches):
    return [match.item.title_en for match in matches]


@pytest.mark.unit
def test_tokenize_segments_chinese_and_lower_cases_latin_words():
    assert tokenize("固态电池 Solid-state BMS 的 and 3.5 kWh") == ["固态", "电池", "solid", "state", "bms", "kwh"]


def test_chinese_need_ranks_the_solid_state_battery_first(contest):
    need = _need(contest, title_zh="固态电池热管理", description_zh="寻找固态电池热管理和电池管理系统技术")
    with translation.override("en"):
        matches = matching.need_project_matches(need=need, user=contest.organiser)
    assert _titles(matches)[0] == "High-safety solid-state lithium battery"
    assert matches[0].same_field is True
    # Shared words by weight; 电池管理 is left out as it repeats 电池.
    assert matches[0].shared_terms == ["电池", "固态", "管理", "热"]
    assert matches[0].explanation == "Same field; shares: 电池, 固态, 管理, 热"
    # The gene-editing and robot projects share neither field nor words.
    assert _titles(matches) == ["High-safety solid-state lithium battery"]


def test_english_need_ranks_the_surgical_robot_first(contest):
    need = _need(
        contest,
        title_en="Force feedback for surgical robots",
        description_en="We need a surgical robot arm with force feedback.",
        field="manufacturing",
        keywords="surgical robot, force feedback",
    )
    with translation.override("en"):
        matches = matching.need_project_matches(need=need, user=contest.enterprise_user)
    assert _titles(matches)[0] == "Minimally invasive surgical robot"
    assert matches[0].shared_terms == ["surgical robot", "force feedback", "arm"]
    assert matches[0].explanation == "Same field; shares: surgical robot, force feedback, arm"


def test_mixed_need_keywords_are_named_in_the_explanation(contest):
    need = _need(
        contest,
        title_zh="固态电池热管理",
        title_en="Solid-state battery thermal management",
        keywords="固态电池, BMS",
    )
    with translation.override("en"):
        matches = matching.need_project_matches(need=need, user=contest.organiser)
    best = matches[0]
    assert best.item == contest.projects["battery"]
    assert best.shared_terms[:2] == ["固态电池", "BMS"]
    assert best.explanation.startswith("Same field; shares: 固态电池, BMS")
    assert 0 < best.score <= 1


def test_field_alone_still_matches_a_project_in_the_other_language(contest):
    need = _need(contest, title_zh="储能电站", field="new_energy", keywords="")
    entry = contest.projects["battery"]
    Entry.objects.filter(pk=entry.pk).update(title_zh="", summary="Cells for grid storage.")
    matches = matching.need_project_matches(need=need, user=contest.organiser)
    assert [(m.item.pk, m.score, m.shared_terms) for m in matches] == [(entry.pk, matching.FIELD_BONUS, [])]


def test_drafts_and_other_events_are_not_candidates(contest):
    other = make_contest("other-contest")
    Entry.objects.filter(pk=contest.projects["robot"].pk).update(status="draft", submitted_at=None)
    need = _need(contest, title_en="surgical robot force feedback", field="manufacturing")
    matches = matching.need_project_matches(need=need, user=contest.organiser)
    assert all(m.item.event_id == contest.event.pk for m in matches)
    assert contest.projects["robot"].pk not in {m.item.pk for m in matches}
    assert other.projects["robot"].pk not in {m.item.pk for m in matches}


def test_project_sees_its_needs_ranked(contest):
    battery_need = _need(contest, title_zh="固态电池热管理", keywords="固态电池")
    _need(contest, title_en="Gene therapy vectors", field="biomedicine")
    _need(contest, title_zh="固态电池回收", status="closed")
    with translation.override("en"):
        matches = matching.entry_need_matches(entry=contest.projects["battery"], user=contest.entrant)
    assert [m.item for m in matches] == [battery_need]
    assert matches[0].explanation == "Same field; shares: 固态电池, 热, 管理"


def test_talents_ranked_by_expertise(contest):
    expert = UserFactory(expertise="固态电池 solid-state batteries", name_en="Battery expert")
    UserFactory(expertise="基因编辑 gene editing", name_en="Gene expert")
    need = _need(contest, title_zh="固态电池热管理", keywords="固态电池")
    matches = matching.need_talent_matches(need=need, user=contest.organiser)
    assert matches[0].item == contest.entrant  # owns the battery project: same field and shared words
    assert expert in [m.item for m in matches[:2]]
    assert "Gene expert" not in [m.item.name_en for m in matches]


def test_who_sees_matches(contest):
    need = _need(contest, title_zh="固态电池")
    other_enterprise = make_contest("b").enterprise_user
    for user in (contest.audience, contest.entrant, other_enterprise):
        with pytest.raises(PermissionDenied):
            matching.need_project_matches(need=need, user=user)
    with pytest.raises(PermissionDenied):
        matching.need_talent_matches(need=need, user=contest.enterprise_user)
    with pytest.raises(PermissionDenied):
        matching.entry_need_matches(entry=contest.projects["gene"], user=contest.entrant)


@pytest.mark.unit
def test_rank_without_any_words_or_candidates():
    assert rank(Document(text="的 了"), []) == []
    assert rank(Document(text="的"), [("x", Document(text="和"))]) == []


def test_matching_queries_do_not_grow_with_candidates(contest, django_assert_num_queries):
    need = _need(contest, title_zh="固态电池")
    # The organiser's roles, then the candidates; talents: the users, then their projects with tracks.
    with django_assert_num_queries(2):
        first = matching.need_project_matches(need=need, user=contest.organiser)
    with django_assert_num_queries(2):  # roles cached by the call above
        talents = matching.need_talent_matches(need=need, user=contest.organiser)
    for n in range(3):
        more = make_contest(f"more-{n}")
        Entry.objects.filter(event=more.event).update(event=contest.event)
    organiser = User.objects.get(pk=contest.organiser.pk)  # without the cached roles
    with django_assert_num_queries(2):
        assert len(matching.need_project_matches(need=need, user=organiser)) == 4 * len(first) == 4
    with django_assert_num_queries(2):  # roles cached by the call above
        assert len(matching.need_talent_matches(need=need, user=organiser)) > len(talents)
