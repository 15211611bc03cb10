"""Needs and enterprise profiles: the rules of the services, and who may do what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import Organisation
from docking.models import CuratedMatch, EnterpriseProfile, Lead, Need
from docking.selectors import needs as selectors
from docking.services import needs as services
from events.models import Role
from tests.docking.conftest import make_contest, member
from tests.factories import EnterpriseProfileFactory, NeedFactory, TeamMemberFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


def _fields(**overrides):
    return {
        "title_zh": "固态电池热管理",
        "title_en": "Solid-state battery thermal management",
        "field": "new_energy",
        "description_zh": "",
        "description_en": "",
        "keywords": "固态电池, BMS",
        "budget_min_cny": Decimal(1_000_000),
        "budget_max_cny": Decimal(5_000_000),
        "region": "海城",
        "deadline": NEXT_YEAR,
        **overrides,
    }


def test_enterprise_contact_posts_a_need(contest):
    need = services.need_create(
        event=contest.event, user=contest.enterprise_user, enterprise=contest.enterprise, **_fields()
    )
    need.refresh_from_db()
    assert (need.event, need.enterprise, need.posted_by, need.status) == (
        contest.event,
        contest.enterprise,
        contest.enterprise_user,
        "open",
    )
    assert (need.budget_min_cny, need.budget_max_cny, need.keywords) == (
        Decimal(1_000_000),
        Decimal(5_000_000),
        "固态电池, BMS",
    )


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"budget_min_cny": Decimal(-1)}, {"budget_min_cny": ["A budget cannot be negative."]}),
        ({"budget_max_cny": Decimal(-5)}, {"budget_max_cny": ["A budget cannot be negative."]}),
        (
            {"budget_min_cny": Decimal(9), "budget_max_cny": Decimal(8)},
            {"budget_max_cny": ["The budget's upper end cannot be below its lower end."]},
        ),
        (
            {"deadline": timezone.localdate() - dt.timedelta(days=1)},
            {"deadline": ["The deadline cannot be in the past."]},
        ),
        ({"title_zh": " ", "title_en": ""}, {"title_zh": ["Give the need a title in Chinese, English or both."]}),
    ],
)
def test_bad_need_input_is_refused_with_a_clear_message(contest, overrides, errors):
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.need_create(
            event=contest.event, user=contest.enterprise_user, enterprise=contest.enterprise, **_fields(**overrides)
        )
    with translation.override("en"):
        assert raised.value.message_dict == errors
    assert Need.objects.count() == 0


def test_a_kept_past_deadline_does_not_block_other_edits(contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise, deadline=dt.date(2020, 1, 1))
    services.need_update(need=need, user=contest.enterprise_user, region="临港", deadline=dt.date(2020, 1, 1))
    need.refresh_from_db()
    assert need.region == "临港"
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.need_update(need=need, user=contest.enterprise_user, deadline=dt.date(2020, 2, 1))
    with translation.override("en"):
        assert raised.value.message_dict == {"deadline": ["The deadline cannot be in the past."]}
    need.refresh_from_db()
    assert need.deadline == dt.date(2020, 1, 1)


def test_update_keeps_the_budget_rule(contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    with pytest.raises(ValidationError):
        services.need_update(need=need, user=contest.organiser, budget_max_cny=Decimal(10))
    need.refresh_from_db()
    assert need.budget_max_cny == Decimal(5_000_000)


def test_who_may_post_needs(contest):
    other = make_contest("other")
    # An enterprise of event B cannot post in event A, not even for its own profile.
    with pytest.raises(PermissionDenied):
        services.need_create(event=contest.event, user=other.enterprise_user, enterprise=other.enterprise, **_fields())
    # An enterprise posts only for a profile it is a contact of.
    with pytest.raises(PermissionDenied):
        services.need_create(
            event=contest.event, user=contest.enterprise_user, enterprise=other.enterprise, **_fields()
        )
    for user in (contest.audience, contest.entrant):
        with pytest.raises(PermissionDenied):
            services.need_create(event=contest.event, user=user, enterprise=contest.enterprise, **_fields())
    # Organisers post for any enterprise.
    need = services.need_create(event=contest.event, user=contest.organiser, enterprise=other.enterprise, **_fields())
    assert need.enterprise == other.enterprise
    assert Need.objects.count() == 1


def test_who_may_edit_and_close_a_need(contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    rival = member(contest.event, Role.ENTERPRISE)
    EnterpriseProfileFactory().contacts.add(rival)
    for user in (rival, contest.audience, contest.entrant, make_contest("b").organiser):
        with pytest.raises(PermissionDenied):
            services.need_update(need=need, user=user, region="X")
        with pytest.raises(PermissionDenied):
            services.need_set_status(need=need, user=user, status="closed")
    services.need_set_status(need=need, user=contest.enterprise_user, status="closed")
    services.need_update(need=need, user=contest.organiser, region="临港")
    need.refresh_from_db()
    assert (need.status, need.region) == ("closed", "临港")


def test_who_sees_which_needs(contest):
    own = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    others_open = NeedFactory(event=contest.event)
    others_closed = NeedFactory(event=contest.event, status="closed")
    elsewhere = NeedFactory(enterprise=contest.enterprise)

    def visible(user):
        return set(selectors.needs_visible_to(user, contest.event))

    assert visible(contest.organiser) == {own, others_open, others_closed}
    assert visible(contest.enterprise_user) == {own}
    assert visible(contest.entrant) == {own, others_open}
    assert visible(contest.audience) == set()
    assert elsewhere not in visible(UserFactory(is_staff=True))
    assert services.needs_can_list(contest.audience, contest.event) is False
    assert services.need_can_view(contest.entrant, others_closed) is False
    assert services.need_can_view(contest.entrant, others_open) is True


def test_enterprise_profiles_database(contest):
    contact = UserFactory()
    profile = services.enterprise_profile_create(
        user=contest.organiser,
        name_zh="东海智能装备",
        name_en="Donghai Equipment",
        kind=Organisation.Kind.ENTERPRISE,
        field="manufacturing",
        region="临港",
        contacts=[contact],
    )
    assert list(profile.contacts.all()) == [contact]
    # Contacts edit the texts, but not the name or the contacts.
    services.enterprise_profile_update(enterprise=profile, user=contact, region="海城", description_en="Gearboxes")
    with pytest.raises(PermissionDenied):
        services.enterprise_profile_update(enterprise=profile, user=contact, name_en="Renamed")
    with pytest.raises(PermissionDenied):
        services.enterprise_profile_update(enterprise=profile, user=contact, contacts=[])
    with pytest.raises(PermissionDenied):
        services.enterprise_profile_update(enterprise=profile, user=UserFactory(), region="X")
    with pytest.raises(PermissionDenied):
        services.enterprise_profile_create(user=contest.enterprise_user, name_zh="甲", name_en="", kind="enterprise")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.enterprise_profile_create(user=contest.organiser, name_zh="大学", name_en="", kind="university")
    with translation.override("en"):
        assert raised.value.message_dict == {"kind": ["An enterprise profile is for an enterprise or an investor."]}
    profile.refresh_from_db()
    assert (profile.region, profile.description_en, profile.organisation.name_en) == (
        "海城",
        "Gearboxes",
        "Donghai Equipment",
    )
    assert EnterpriseProfile.objects.count() == 2  # the contest's and this one
    assert [p.name for p in selectors.enterprises("donghai")] == ["东海智能装备"]


def test_talent_database():
    expert = UserFactory(expertise="储能 energy storage")
    UserFactory(expertise="")
    contest = make_contest("t")
    talents = set(selectors.talents())
    assert expert in talents
    assert contest.entrant in talents  # owns a submitted project
    assert contest.audience not in talents
    assert list(selectors.talents("energy storage")) == [expert]
    teammate = UserFactory(email="Member.Of@Example.org")
    TeamMemberFactory(entry=contest.projects["gene"], email="member.of@example.org")
    assert teammate in set(selectors.talents())  # in a project's team (e-mail compared without case)


def test_admin_lists_the_docking_records(client, contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    CuratedMatch.objects.create(event=contest.event, need=need, entry=contest.projects["battery"])
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in ("enterpriseprofile", "need", "curatedmatch", "lead", "meeting", "deal"):
        assert client.get(f"/admin/docking/{model}/").status_code == 200, model
    assert client.get(f"/admin/docking/need/{need.pk}/change/").status_code == 200


def test_curated_match_list_add_move_remove_and_lead(contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise, posted_by=contest.enterprise_user)
    battery, gene, robot = (contest.projects[k] for k in ("battery", "gene", "robot"))
    first = services.curated_match_add(need=need, user=contest.organiser, entry=battery, score=0.8, create_lead=True)
    second = services.curated_match_add(need=need, user=contest.organiser, entry=gene)
    talent = services.curated_match_add(need=need, user=contest.organiser, talent=UserFactory())
    assert [m.pk for m in selectors.curated_of_need(need)] == [first.pk, second.pk, talent.pk]
    lead = Lead.objects.get()
    assert (lead.entry, lead.person, lead.need, lead.source) == (battery, contest.enterprise_user, need, "match")

    services.curated_match_move(match=talent, user=contest.organiser, offset=-1)
    assert [m.pk for m in selectors.curated_of_need(need)] == [first.pk, talent.pk, second.pk]
    services.curated_match_move(match=first, user=contest.organiser, offset=-1)  # already first
    assert [m.position for m in selectors.curated_of_need(need)] == [0, 1, 2]

    with translation.override("en"), pytest.raises(ValidationError) as raised:
        services.curated_match_add(need=need, user=contest.organiser, entry=battery)
    with translation.override("en"):
        assert raised.value.messages == ["This match is already on the list."]
    robot.status = "draft"
    robot.save()
    with pytest.raises(ValidationError):
        services.curated_match_add(need=need, user=contest.organiser, entry=robot)
    with pytest.raises(ValidationError):
        services.curated_match_add(need=need, user=contest.organiser, entry=make_contest("x").projects["gene"])
    for user in (contest.enterprise_user, contest.entrant, make_contest("y").organiser):
        with pytest.raises(PermissionDenied):
            services.curated_match_add(need=need, user=user, entry=gene)
        with pytest.raises(PermissionDenied):
            services.curated_match_remove(match=second, user=user)
    services.curated_match_remove(match=second, user=contest.organiser)
    assert CuratedMatch.objects.count() == 2
