"""Needs pages: lists, forms with clear errors, details with matches, the match list, and the
enterprise and talent databases; permissions per role and constant query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from docking.models import CuratedMatch, EnterpriseProfile, Lead, Need
from events.models import Role
from tests.docking.conftest import make_contest, member
from tests.factories import EnterpriseProfileFactory, NeedFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _url(name, contest, *args):
    return reverse(f"docking:{name}", args=[contest.event.slug, *args])


def _form(**overrides):
    return {
        "title_zh": "固态电池热管理",
        "title_en": "",
        "field": "new_energy",
        "description_zh": "寻找固态电池热管理技术",
        "description_en": "",
        "keywords": "固态电池, BMS",
        "budget_min_cny": "1000000",
        "budget_max_cny": "5000000",
        "region": "海城",
        "deadline": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **overrides,
    }


def test_enterprise_posts_a_need_and_sees_its_matches(client, contest):
    client.force_login(contest.enterprise_user)
    response = client.post(_url("need_create", contest), _form(enterprise=contest.enterprise.pk))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == need.get_absolute_url()
    page = client.get(need.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page.context["project_matches"][0].item == contest.projects["battery"]
    assert page.context["talent_matches"] == []  # organisers only
    assert "固态电池" in page.context["project_matches"][0].explanation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"budget_min_cny": "-1"}, "budget_min_cny", "A budget cannot be negative."),
        ({"budget_max_cny": "10"}, "budget_max_cny", "The budget's upper end cannot be below its lower end."),
        ({"deadline": "2020-01-01"}, "deadline", "The deadline cannot be in the past."),
    ],
)
def test_bad_input_shows_form_errors_and_stores_nothing(client, contest, overrides, field, message, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(contest.enterprise_user)
    response = client.post(
        _url("need_create", contest), _form(enterprise=contest.enterprise.pk, **overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert Need.objects.count() == 0


def test_pages_refuse_people_without_the_role(client, contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    other = make_contest("other")
    client.force_login(contest.audience)
    assert client.get(_url("need_list", contest)).status_code == 403
    assert client.get(_url("need_create", contest)).status_code == 403
    assert client.get(need.get_absolute_url()).status_code == 404
    client.force_login(other.enterprise_user)  # enterprise in another event
    assert client.get(_url("need_list", contest)).status_code == 403
    assert client.post(_url("need_create", contest), _form(enterprise=other.enterprise.pk)).status_code == 403
    rival = member(contest.event, Role.ENTERPRISE)
    EnterpriseProfileFactory().contacts.add(rival)
    client.force_login(rival)
    assert client.get(_url("need_edit", contest, need.pk)).status_code == 404
    assert client.post(_url("need_status", contest, need.pk), {"status": "closed"}).status_code == 404
    client.force_login(contest.enterprise_user)
    assert client.get(_url("match_list", contest)).status_code == 403
    assert client.get(reverse("docking:enterprise_list")).status_code == 403
    assert client.get(reverse("docking:talent_list")).status_code == 403
    need.refresh_from_db()
    assert need.status == "open"


def test_edit_and_close_a_need(client, contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise)
    client.force_login(contest.enterprise_user)
    response = client.post(_url("need_edit", contest, need.pk), _form(enterprise=contest.enterprise.pk, region="临港"))
    assert response.status_code == 302
    client.post(_url("need_status", contest, need.pk), {"status": "closed"})
    need.refresh_from_db()
    assert (need.region, need.status, need.title_zh) == ("临港", "closed", "固态电池热管理")


def test_entrant_sees_open_needs_and_needs_matching_the_project(client, contest):
    open_need = NeedFactory(event=contest.event, title_zh="固态电池热管理", keywords="固态电池")
    NeedFactory(event=contest.event, status="closed")
    client.force_login(contest.entrant)
    page = client.get(_url("need_list", contest))
    assert list(page.context["page"]) == [open_need]
    assert page.context["my_entries"] == [contest.projects["battery"]]
    page = client.get(_url("entry_needs", contest, contest.projects["battery"].pk))
    assert [m.item for m in page.context["matches"]] == [open_need]
    assert client.get(_url("entry_needs", contest, contest.projects["gene"].pk)).status_code == 403


def test_organiser_curates_the_match_list(client, contest):
    need = NeedFactory(
        event=contest.event,
        enterprise=contest.enterprise,
        title_zh="固态电池热管理",
        keywords="固态电池",
        posted_by=contest.enterprise_user,
    )
    battery = contest.projects["battery"]
    client.force_login(contest.organiser)
    page = client.get(need.get_absolute_url())
    assert page.context["project_matches"][0].item == battery
    response = client.post(_url("match_add", contest, need.pk), {"entry": battery.pk, "create_lead": "1"})
    assert response.status_code == 302
    match = CuratedMatch.objects.get()
    assert (match.entry, match.score) == (battery, page.context["project_matches"][0].score)
    assert match.explanation == page.context["project_matches"][0].explanation
    assert Lead.objects.get().source == "match"
    # Only suggested projects can be added: the gene project shares nothing with the need.
    client.post(_url("match_add", contest, need.pk), {"entry": contest.projects["gene"].pk})
    assert CuratedMatch.objects.count() == 1
    talent = UserFactory(expertise="固态电池")
    client.post(_url("match_add", contest, need.pk), {"talent": talent.pk})
    listed = client.get(_url("match_list", contest))
    assert [[m.pk for m in g["matches"]] for g in listed.context["groups"]] == [
        [match.pk, CuratedMatch.objects.get(talent=talent).pk]
    ]
    client.post(_url("match_move", contest, CuratedMatch.objects.get(talent=talent).pk), {"direction": "up"})
    listed = client.get(_url("match_list", contest))
    assert [m.talent_id for m in listed.context["groups"][0]["matches"]] == [talent.pk, None]
    client.post(_url("match_remove", contest, match.pk))
    assert list(CuratedMatch.objects.values_list("talent_id", flat=True)) == [talent.pk]


def test_enterprise_database_pages(client, contest):
    contact = UserFactory(email="buyer@example.org")
    client.force_login(contest.organiser)
    response = client.post(
        reverse("docking:enterprise_create"),
        {
            "name_zh": "东海智能装备",
            "name_en": "",
            "kind": "enterprise",
            "country": "CN",
            "website": "",
            "field": "manufacturing",
            "description_zh": "",
            "description_en": "",
            "region": "临港",
            "contacts": "buyer@example.org, nobody@example.org",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["contacts"]
    assert "nobody@example.org" in response.context["form"].errors["contacts"][0]
    client.post(
        reverse("docking:enterprise_create"),
        {"name_zh": "东海智能装备", "kind": "enterprise", "region": "临港", "contacts": "buyer@example.org"},
    )
    profile = EnterpriseProfile.objects.get(organisation__name_zh="东海智能装备")
    assert list(profile.contacts.all()) == [contact]
    client.force_login(contact)
    response = client.post(
        reverse("docking:enterprise_edit", args=[profile.pk]),
        {"name_zh": "改名", "kind": "investor", "region": "海城", "description_en": "Gearboxes"},
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.organisation.name_zh, profile.organisation.kind, profile.region) == (
        "东海智能装备",
        "enterprise",
        "海城",
    )
    assert list(profile.contacts.all()) == [contact]


def _grow(contest, count):
    for n in range(count):
        need = NeedFactory(event=contest.event, enterprise=contest.enterprise, title_zh=f"需求{n}")
        CuratedMatch.objects.create(event=contest.event, need=need, entry=contest.projects["battery"])
        EnterpriseProfileFactory().contacts.add(UserFactory(), UserFactory())
        UserFactory(expertise=f"领域{n}")


# Session, user, roles and the page's own reads; the same whether the list has 1 or 3 more rows.
@pytest.mark.parametrize(
    ("name", "who", "queries"),
    [
        ("need_list", "organiser", 7),
        ("need_list", "enterprise_user", 8),
        ("need_list", "entrant", 8),
        ("match_list", "organiser", 6),
        ("enterprise_list", "organiser", 7),
        ("talent_list", "organiser", 10),
    ],
)
def test_list_pages_have_a_constant_number_of_queries(client, contest, django_assert_num_queries, name, who, queries):
    client.force_login(getattr(contest, who))
    url = reverse(f"docking:{name}") if name in ("enterprise_list", "talent_list") else _url(name, contest)
    _grow(contest, 1)
    with django_assert_num_queries(queries):
        first = client.get(url)
    _grow(contest, 2)
    with django_assert_num_queries(queries):
        second = client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(second.context["page" if name != "match_list" else "groups"]) > len(
        first.context["page" if name != "match_list" else "groups"]
    )


def test_event_page_links_to_the_needs_by_role(client, contest):
    url = contest.event.get_absolute_url()
    needs, post, matches = (
        _url("need_list", contest),
        _url("need_create", contest),
        _url("match_list", contest),
    )
    expected = {
        "organiser": (True, True, True),
        "enterprise_user": (True, True, False),
        "entrant": (True, False, False),
        "audience": (False, False, False),
    }
    for who, links in expected.items():
        client.force_login(getattr(contest, who))
        html = client.get(url).content.decode()
        assert (f'href="{needs}"' in html, f'href="{post}"' in html, f'href="{matches}"' in html) == links, who


def test_forms_render_with_the_current_values(client, contest):
    need = NeedFactory(event=contest.event, enterprise=contest.enterprise, region="临港")
    client.force_login(contest.enterprise_user)
    form = client.get(_url("need_edit", contest, need.pk)).context["form"]
    assert (form["region"].value(), form["enterprise"].value()) == ("临港", contest.enterprise.pk)
    listed = client.get(_url("need_list", contest))
    assert listed.context["my_enterprises"] == [contest.enterprise]
    form = client.get(reverse("docking:enterprise_edit", args=[contest.enterprise.pk])).context["form"]
    assert form.fields["name_zh"].disabled is True
    assert "contacts" not in form.fields


def test_every_broken_rule_is_shown_at_once(client, contest, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(contest.enterprise_user)
    response = client.post(
        _url("need_create", contest),
        _form(enterprise=contest.enterprise.pk, field="", budget_min_cny="-5", deadline="2020-01-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.context["form"].errors == {
        "field": ["This field is required."],
        "budget_min_cny": ["A budget cannot be negative."],
        "deadline": ["The deadline cannot be in the past."],
    }
    assert Need.objects.count() == 0
