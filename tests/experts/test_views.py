import pytest
from django.urls import reverse

from core.fields import TechField
from events.models import EventRole, Role
from experts.models import JudgeInvitation
from tests.experts.conftest import make_expert
from tests.factories import EventFactory, EventRoleFactory, OrganisationFactory, RoundFactory, UserFactory
from tests.judging.conftest import open_round

pytestmark = pytest.mark.django_db


def pool_url(event):
    return reverse("experts:pool", kwargs={"slug": event.slug})


def test_pool_shows_conflicts_before_the_invite_button(client, event, organiser, entry):
    expert = make_expert(organisation=OrganisationFactory(name_en="Charité Berlin"), name_en="Dr Conflict")
    make_expert(name_en="Dr Free")
    client.force_login(organiser)
    html = client.get(pool_url(event)).content.decode()
    row = html[html.index(f'id="expert-{expert.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"{entry.reference} · {entry.title} — Same organisation as the team" in row
    assert row.index("Same organisation as the team") < row.index("Invite despite conflicts")
    assert html.count("Invite despite conflicts") == 1
    assert html.count(">Invite</button>") == 1


def test_pool_is_for_organisers_of_that_event_only(client, event, organiser):
    other = EventFactory(slug="other")
    expert = make_expert()
    client.force_login(organiser)
    assert client.get(pool_url(other)).status_code == 403
    response = client.post(reverse("experts:invite", kwargs={"slug": other.slug, "user_id": expert.pk}))
    assert response.status_code == 403
    client.force_login(expert)
    assert client.get(pool_url(event)).status_code == 403
    assert not JudgeInvitation.objects.exists()


def test_invite_from_the_pool_then_accept_from_the_link(client, event, organiser, tracks):
    round_ = open_round(event, organiser)
    expert = make_expert(name_en="Dr Accept")
    client.force_login(organiser)
    response = client.post(
        reverse("experts:invite", kwargs={"slug": event.slug, "user_id": expert.pk}),
        {"message": "Join us", "round": str(round_.pk), "query": f"round={round_.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{pool_url(event)}?round={round_.pk}"
    invitation = JudgeInvitation.objects.get()
    assert (invitation.round, invitation.message, invitation.invited_by) == (round_, "Join us", organiser)
    again = client.post(reverse("experts:invite", kwargs={"slug": event.slug, "user_id": expert.pk}), follow=True)
    assert "Dr Accept already has a pending invitation to this event." in again.content.decode()
    link = reverse("experts:invitation", kwargs={"token": invitation.token})
    assert client.get(link).status_code == 404  # the organiser is not the invitee
    client.force_login(expert)
    assert "Join us" in client.get(link).content.decode()
    response = client.post(link, {"answer": "accept"})
    assert response["Location"] == event.get_absolute_url()
    assert EventRole.objects.filter(event=event, user=expert, role=Role.JUDGE).exists()
    followup = client.post(link, {"answer": "decline"}, follow=True)
    assert "This invitation is no longer open: it is Accepted." in followup.content.decode()


def test_decline_from_my_invitations(client, event, organiser):
    expert = make_expert()
    JudgeInvitation.objects.create(event=event, expert=expert, invited_by=organiser)
    client.force_login(expert)
    page = client.get(reverse("experts:my_invitations")).content.decode()
    assert event.title in page and 'value="decline"' in page
    token = JudgeInvitation.objects.get().token
    response = client.post(reverse("experts:invitation", kwargs={"token": token}), {"answer": "decline"})
    assert response["Location"] == reverse("experts:my_invitations")
    assert JudgeInvitation.objects.get().status == JudgeInvitation.Status.DECLINED
    assert not EventRole.objects.filter(user=expert).exists()


def test_profile_form_saves_and_shows_errors(client):
    user = UserFactory(language="en")
    client.force_login(user)
    url = reverse("experts:profile")
    response = client.post(url, {"fields": [], "languages": ["en"], "bio": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    response = client.post(
        url, {"fields": ["digital", "marine"], "languages": ["en", "zh"], "bio": "AI", "is_active": "on"}
    )
    assert response.status_code == 302
    profile = user.expert_profile
    assert (profile.fields, profile.languages, profile.bio, profile.is_active) == (
        ["digital", "marine"],
        ["en", "zh"],
        "AI",
        True,
    )


def _fill_pool(event, n):
    for i in range(n):
        expert = make_expert(fields=[TechField.BIOMEDICINE], organisation=OrganisationFactory())
        if i % 2:
            EventRoleFactory(event=event, user=expert, role=Role.JUDGE)
        else:
            JudgeInvitation.objects.create(event=event, expert=expert)


@pytest.mark.parametrize("count", [1, 3])
def test_pool_page_query_count(client, event, organiser, entry, tracks, count, django_assert_num_queries):
    round_ = open_round(event, organiser)
    _fill_pool(event, count)
    client.force_login(organiser)
    url = f"{pool_url(event)}?round={round_.pk}&field=biomedicine"
    client.get(url)
    with django_assert_num_queries(23):
        response = client.get(url)
    assert response.context["rows"].__len__() == count


@pytest.mark.parametrize("count", [1, 3])
def test_my_invitations_query_count(client, organiser, count, django_assert_num_queries):
    expert = make_expert()
    for _ in range(count):
        JudgeInvitation.objects.create(event=EventFactory(), expert=expert, invited_by=organiser)
    client.force_login(expert)
    with django_assert_num_queries(5):
        response = client.get(reverse("experts:my_invitations"))
    assert response.content.decode().count('value="accept"') == count


def test_organiser_adds_someone_to_the_pool_but_cannot_overwrite_a_profile(client, event, organiser):
    person = UserFactory(email="newexpert@example.org", name_en="Dr New")
    client.force_login(organiser)
    url = reverse("experts:add", kwargs={"slug": event.slug})
    missing = client.post(url, {"email": "nobody@example.org", "fields": ["marine"], "languages": ["en"]})
    assert "No account has this e-mail address: ask the expert to sign up first." in missing.content.decode()
    response = client.post(url, {"email": "NewExpert@example.org", "fields": ["marine"], "languages": ["en"]})
    assert response["Location"] == pool_url(event)
    profile = person.expert_profile
    assert (profile.fields, profile.languages, profile.created_by) == (["marine"], ["en"], organiser)
    again = client.post(url, {"email": person.email, "fields": ["digital"], "languages": ["zh"]})
    assert "Dr New is already in the expert pool." in again.content.decode()
    profile.refresh_from_db()
    assert profile.fields == ["marine"]
    client.force_login(person)
    assert client.post(url, {"email": person.email, "fields": ["digital"], "languages": ["zh"]}).status_code == 403


def test_pool_takes_a_round_id_like_the_api(client, event, organiser, tracks):
    RoundFactory()  # another event's round first, so that this event's round ids are not their numbers
    first = open_round(event, organiser)
    final = open_round(event, organiser, number=first.pk, name_en="Final")  # numbered like the first one's id
    client.force_login(organiser)
    response = client.get(f"{pool_url(event)}?round={final.pk}")
    assert response.context["round"] == final
    assert f'<option value="{final.pk}" selected>Final</option>' in response.content.decode()
    # An id of this event's rounds wins over a number: this is the first round, not the final.
    assert client.get(f"{pool_url(event)}?round={first.pk}").context["round"] == first


def test_a_link_naming_the_round_by_number_is_sent_on_to_its_id(client, event, organiser, tracks):
    RoundFactory()
    first = open_round(event, organiser)
    client.force_login(organiser)
    response = client.get(f"{pool_url(event)}?field=biomedicine&round=1")
    assert response.status_code == 302
    assert response["Location"] == f"{pool_url(event)}?field=biomedicine&round={first.pk}"
    # Neither an id nor a number of this event's rounds: the whole event.
    assert client.get(f"{pool_url(event)}?round={first.pk + 1}").context["round"] is None


def test_the_round_assignments_page_links_the_pool_with_the_rounds_id(client, event, organiser, tracks):
    RoundFactory()
    round_ = open_round(event, organiser)
    client.force_login(organiser)
    html = client.get(reverse("judging:assignments", kwargs={"slug": event.slug, "number": round_.number})).content
    assert f'href="{pool_url(event)}?round={round_.pk}"' in html.decode()
