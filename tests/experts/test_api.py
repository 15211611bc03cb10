"""The expert pool API: the pool and invitations for organisers, the invitee's answers."""

import pytest
from django.urls import reverse

from core.fields import TechField
from events.models import EventRole, Role
from experts.models import JudgeInvitation
from judging.models import Conflict
from tests.experts.conftest import make_expert
from tests.factories import EventFactory, EventRoleFactory, OrganisationFactory, RoundFactory, UserFactory
from tests.judging.conftest import open_round

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def pool_url(event, query=""):
    return reverse("api-experts-pool", args=[event.slug]) + (f"?{query}" if query else "")


def invitations_url(event):
    return reverse("api-judge-invitations", args=[event.slug])


def answer_url(invitation, answer):
    return reverse(f"api-judge-invitation-{answer}", args=[invitation.pk])


def test_pool_rows_for_the_events_organiser(client, event, organiser, entry):
    conflicted = make_expert(organisation=OrganisationFactory(name_en="Charité Berlin"), name_en="Dr Conflict")
    judge = make_expert(fields=[TechField.DIGITAL], languages=["zh", "en"], name_en="Dr Judge")
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    invitation = JudgeInvitation.objects.create(event=event, expert=conflicted, invited_by=organiser)
    client.force_login(organiser)
    response = client.get(pool_url(event))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {conflicted.pk, judge.pk}
    row = rows[conflicted.pk]
    assert (row["name"], row["organisation"], row["fields"], row["field_labels"]) == (
        "Dr Conflict",
        "Charité Berlin",
        ["biomedicine"],
        ["Biomedicine and health"],
    )
    assert (row["languages"], row["language_labels"], row["rounds_judged"], row["open_load"]) == (
        ["en"],
        ["English"],
        0,
        0,
    )
    assert (row["conflict_count"], row["is_judge"], row["can_invite"]) == (1, False, False)
    assert row["conflicts"] == [
        {
            "entry_id": entry.pk,
            "reference": entry.reference,
            "title": entry.title,
            "kind": Conflict.Kind.SAME_ORGANISATION,
            "kind_label": "Same organisation as the team",
        }
    ]
    assert row["latest_invitation"]["id"] == invitation.pk
    assert (row["latest_invitation"]["status"], row["latest_invitation"]["status_label"]) == ("pending", "Pending")
    assert (rows[judge.pk]["is_judge"], rows[judge.pk]["latest_invitation"], rows[judge.pk]["conflict_count"]) == (
        True,
        None,
        0,
    )
    digital = client.get(pool_url(event, "field=digital&language=zh")).json()["results"]
    assert [row["id"] for row in digital] == [judge.pk]


def test_pool_filters_are_checked(client, event, organiser):
    client.force_login(organiser)
    response = client.get(pool_url(event, "field=astrology"))
    assert response.status_code == 400
    assert response.json() == {"errors": {"field": ['"astrology" is not a valid choice.']}}
    other_round = RoundFactory(event=EventFactory())
    response = client.get(pool_url(event, f"round={other_round.pk}"))
    assert response.status_code == 400
    assert response.json() == {"errors": {"round": ["No such round."]}}
    assert client.get(pool_url(event, "round=x")).status_code == 400


def test_pool_and_invitations_are_for_the_events_organisers_only(client, event, organiser):
    expert = make_expert()
    other = EventFactory(is_published=True)
    stranger = UserFactory(language="en")
    EventRoleFactory(event=other, user=stranger, role=Role.ORGANISER)
    for url in (pool_url(event), invitations_url(event)):
        assert client.get(url).status_code in (401, 403)
        client.force_login(stranger)
        assert client.get(url).status_code == 403
        client.force_login(expert)
        assert client.get(url).status_code == 403
        client.logout()
    client.force_login(stranger)
    response = client.post(invitations_url(event), {"expert": expert.pk}, content_type="application/json")
    assert response.status_code == 403
    hidden = EventFactory(is_published=False)
    assert client.get(pool_url(hidden)).status_code == 404
    assert not JudgeInvitation.objects.exists()


def test_organiser_invites_and_duplicates_are_refused(
    client, event, organiser, entry, tracks, django_capture_on_commit_callbacks
):
    round_ = open_round(event, organiser)
    expert = make_expert(organisation=OrganisationFactory(name_en="Charité Berlin"), name_en="Dr Invited")
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            invitations_url(event),
            {"expert": expert.pk, "round": round_.pk, "message": "Join us"},
            content_type="application/json",
        )
    assert response.status_code == 201
    body = response.json()
    invitation = JudgeInvitation.objects.get()
    assert (invitation.expert, invitation.round, invitation.message, invitation.invited_by) == (
        expert,
        round_,
        "Join us",
        organiser,
    )
    assert (body["id"], body["status"], body["round"]["id"], body["expert"]["name"]) == (
        invitation.pk,
        "pending",
        round_.pk,
        "Dr Invited",
    )
    assert [(c["entry_id"], c["kind"]) for c in body["conflicts"]] == [(entry.pk, "same_organisation")]
    again = client.post(invitations_url(event), {"expert": expert.pk}, content_type="application/json")
    assert again.status_code == 400
    assert again.json() == {
        "errors": {"non_field_errors": ["Dr Invited already has a pending invitation to this event."]}
    }
    listed = client.get(invitations_url(event)).json()["results"]
    assert [(row["id"], row["expert"]["id"], row["status"]) for row in listed] == [
        (invitation.pk, expert.pk, "pending")
    ]


def test_invite_bad_input_answers_400_with_the_reason(client, event, organiser):
    outsider = UserFactory()  # has an account, not in the pool
    expert = make_expert()
    other_round = RoundFactory(event=EventFactory())
    client.force_login(organiser)
    cases = [
        ({}, {"expert": ["This field is required."]}),
        ({"expert": "x"}, {"expert": ["A valid integer is required."]}),
        ({"expert": 999999}, {"expert": ["This person is not in the expert pool."]}),
        ({"expert": outsider.pk}, {"non_field_errors": ["This person is not in the expert pool."]}),
        ({"expert": expert.pk, "round": 999999}, {"round": ["No such round."]}),
        ({"expert": expert.pk, "round": other_round.pk}, {"round": ["This round belongs to another event."]}),
        (
            {"expert": expert.pk, "message": "x" * 2001},
            {"message": ["Ensure this field has no more than 2000 characters."]},
        ),
    ]
    for payload, errors in cases:
        response = client.post(invitations_url(event), payload, content_type="application/json")
        assert (response.status_code, response.json()) == (400, {"errors": errors}), payload
    assert not JudgeInvitation.objects.exists()


def test_messages_come_in_the_requests_language(client, event, organiser):
    client.force_login(organiser)
    response = client.post(
        invitations_url(event),
        {"expert": UserFactory().pk},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.json() == {"errors": {"non_field_errors": ["此人不在专家库中。"]}}


def test_the_invitee_accepts_and_cannot_answer_twice(client, event, organiser):
    expert = make_expert()
    invitation = JudgeInvitation.objects.create(event=event, expert=expert, invited_by=organiser, message="Hello")
    client.force_login(organiser)  # not the invitee: the invitation does not exist for them
    assert client.post(answer_url(invitation, "accept")).status_code == 404
    client.logout()
    assert client.post(answer_url(invitation, "accept")).status_code in (401, 403)
    client.force_login(expert)
    mine = client.get(reverse("api-my-judge-invitations")).json()["results"]
    assert [(row["id"], row["event"]["slug"], row["message"]) for row in mine] == [(invitation.pk, event.slug, "Hello")]
    response = client.post(answer_url(invitation, "accept"))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == ("accepted", "Accepted")
    assert EventRole.objects.filter(event=event, user=expert, role=Role.JUDGE).exists()
    response = client.post(answer_url(invitation, "decline"))
    assert response.status_code == 400
    assert response.json() == {"errors": {"non_field_errors": ["This invitation is no longer open: it is Accepted."]}}
    assert client.get(answer_url(invitation, "accept")).status_code == 405


def test_the_invitee_declines(client, event, organiser):
    expert = make_expert()
    invitation = JudgeInvitation.objects.create(event=event, expert=expert, invited_by=organiser)
    client.force_login(expert)
    response = client.post(answer_url(invitation, "decline"))
    assert (response.status_code, response.json()["status"]) == (200, "declined")
    assert not EventRole.objects.filter(user=expert).exists()


def _fill_pool(event, organiser, n):
    for i in range(n):
        expert = make_expert(fields=[TechField.BIOMEDICINE], organisation=OrganisationFactory(name_en="Charité Berlin"))
        if i % 2:
            EventRoleFactory(event=event, user=expert, role=Role.JUDGE)
        else:
            JudgeInvitation.objects.create(event=event, expert=expert, invited_by=organiser)


@pytest.mark.parametrize("count", [1, 3])
def test_pool_query_count(client, event, organiser, entry, tracks, count, django_assert_num_queries):
    round_ = open_round(event, organiser)
    _fill_pool(event, organiser, count)
    client.force_login(organiser)
    url = pool_url(event, f"round={round_.pk}&field=biomedicine")
    with django_assert_num_queries(16):
        response = client.get(url)
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_invitation_lists_query_count(client, event, organiser, count, django_assert_num_queries):
    expert = make_expert()
    for _ in range(count):
        JudgeInvitation.objects.create(event=EventFactory(), expert=expert, invited_by=organiser)
        JudgeInvitation.objects.create(event=event, expert=make_expert(), invited_by=organiser)
    client.force_login(organiser)
    with django_assert_num_queries(6):
        response = client.get(invitations_url(event))
    assert len(response.json()["results"]) == count
    client.force_login(expert)
    with django_assert_num_queries(4):
        response = client.get(reverse("api-my-judge-invitations"))
    assert len(response.json()["results"]) == count
