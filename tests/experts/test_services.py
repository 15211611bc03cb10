import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.fields import TechField
from events.models import EventRole, Role
from events.services import can
from experts import selectors, services
from experts.models import ExpertProfile, JudgeInvitation
from judging.models import Conflict
from notifications.models import Notification
from tests.experts.conftest import make_expert
from tests.factories import EventFactory, EventRoleFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(event, expert, organiser, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return services.judge_invite(event=event, round=None, expert=expert, invited_by=organiser, **kw)


def test_profile_rejects_unknown_fields_and_empty_lists():
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        services.expert_profile_set(user=user, changed_by=user, fields=["astrology"], languages=[])
    assert caught.value.message_dict == {
        "fields": ["Choose fields of expertise from the list."],
        "languages": ["Choose at least one language."],
    }
    assert not ExpertProfile.objects.exists()


def test_profile_for_someone_else_needs_an_organiser_of_the_event(event, organiser):
    user, stranger = UserFactory(), UserFactory()
    with pytest.raises(PermissionDenied):
        services.expert_profile_set(user=user, changed_by=stranger, fields=["digital"], languages=["zh"], event=event)
    profile = services.expert_profile_set(
        user=user, changed_by=organiser, fields=["digital", "digital"], languages=["zh"], event=event
    )
    assert (profile.fields, profile.languages, profile.created_by) == (["digital"], ["zh"], organiser)
    with pytest.raises(ValidationError):
        services.expert_profile_set(user=user, changed_by=organiser, fields=["marine"], languages=["en"], event=event)
    staff = UserFactory(is_staff=True)
    profile = services.expert_profile_set(user=user, changed_by=staff, fields=["marine"], languages=["en"])
    assert profile.fields == ["marine"]
    mine = services.expert_profile_set(user=user, changed_by=user, fields=["digital"], languages=["en"], bio=" Hi ")
    assert (mine.fields, mine.bio) == (["digital"], "Hi")


def test_conflicts_are_listed_per_entry_before_inviting(event, organiser, entry, tracks):
    from tests.judging.conftest import make_entry

    charite = OrganisationFactory(name_en="Charité Berlin", name_zh="柏林夏里特医院")
    other_entry = make_entry(event, tracks[0], member_organisation=" charité berlin ")
    make_entry(event, tracks[0], member_organisation="Fraunhofer")
    expert = make_expert(organisation=charite)
    conflicts = services.invitation_conflicts(event=event, expert=expert, viewer=organiser)
    assert [(c.entry, c.kind) for c in conflicts] == [
        (entry, Conflict.Kind.SAME_ORGANISATION),
        (other_entry, Conflict.Kind.SAME_ORGANISATION),
    ]
    assert str(conflicts[0].kind_label) == "Same organisation as the team"
    assert not Conflict.objects.exists()  # looking is not recording
    with pytest.raises(PermissionDenied):
        services.invitation_conflicts(event=event, expert=expert, viewer=expert)


def test_invite_then_accept_grants_the_judge_role_in_that_event_only(
    event, organiser, django_capture_on_commit_callbacks
):
    other_event = EventFactory()
    expert = make_expert()
    invitation = invite(event, expert, organiser, django_capture_on_commit_callbacks, message="Please join us.")
    assert invitation.status == JudgeInvitation.Status.PENDING
    assert not can(expert, "judging.score", event)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_accept(invitation=invitation, user=expert)
    invitation.refresh_from_db()
    assert invitation.status == JudgeInvitation.Status.ACCEPTED
    assert invitation.responded_at is not None
    grant = EventRole.objects.get(event=event, user=expert)
    assert (grant.role, grant.granted_by) == (Role.JUDGE, organiser)
    assert can(expert, "judging.score", event)
    assert not can(expert, "judging.score", other_event)
    assert [n.kind for n in Notification.objects.filter(user=organiser)] == ["experts.answer"]
    assert mail.outbox[-1].to == [organiser.email]
    assert mail.outbox[-1].subject == f"{expert.display_name} accepted to judge {event.title}"


def test_decline_grants_nothing_and_an_answer_is_final(event, organiser, django_capture_on_commit_callbacks):
    expert = make_expert()
    invitation = invite(event, expert, organiser, django_capture_on_commit_callbacks)
    services.invitation_decline(invitation=invitation, user=expert)
    assert JudgeInvitation.objects.get().status == JudgeInvitation.Status.DECLINED
    assert not EventRole.objects.filter(event=event, user=expert).exists()
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(invitation=invitation, user=expert)
    assert caught.value.messages == ["This invitation is no longer open: it is Declined."]
    assert not EventRole.objects.filter(event=event, user=expert).exists()


def test_only_the_invitee_can_answer(event, organiser, django_capture_on_commit_callbacks):
    expert = make_expert()
    invitation = invite(event, expert, organiser, django_capture_on_commit_callbacks)
    for intruder in (organiser, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.invitation_accept(invitation=invitation, user=intruder)
    assert JudgeInvitation.objects.get().status == JudgeInvitation.Status.PENDING
    assert EventRole.objects.filter(role=Role.JUDGE).count() == 0


def test_duplicates_and_current_judges_are_refused(event, organiser, django_capture_on_commit_callbacks):
    expert = make_expert(name_en="Dr Wang")
    invite(event, expert, organiser, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as caught:
        invite(event, expert, organiser, django_capture_on_commit_callbacks)
    assert caught.value.messages == ["Dr Wang already has a pending invitation to this event."]
    judge = make_expert(name_en="Dr Li")
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    with pytest.raises(ValidationError) as caught:
        invite(event, judge, organiser, django_capture_on_commit_callbacks)
    assert caught.value.messages == ["Dr Li is already a judge of this event."]
    outsider = UserFactory()
    with pytest.raises(ValidationError) as caught:
        invite(event, outsider, organiser, django_capture_on_commit_callbacks)
    assert caught.value.messages == ["This person is not in the expert pool."]
    assert JudgeInvitation.objects.count() == 1


def test_after_a_cancel_the_expert_can_be_invited_again(event, organiser, django_capture_on_commit_callbacks):
    expert = make_expert()
    first = invite(event, expert, organiser, django_capture_on_commit_callbacks)
    services.invitation_cancel(invitation=first, cancelled_by=organiser)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=first, user=expert)
    second = invite(event, expert, organiser, django_capture_on_commit_callbacks)
    assert [i.status for i in JudgeInvitation.objects.order_by("pk")] == ["cancelled", "pending"]
    assert second.token != first.token


def test_organiser_of_one_event_cannot_invite_into_another(event, organiser, django_capture_on_commit_callbacks):
    other_event = EventFactory(slug="other")
    expert = make_expert()
    with pytest.raises(PermissionDenied):
        invite(other_event, expert, organiser, django_capture_on_commit_callbacks)
    from tests.judging.conftest import open_round

    other_organiser = UserFactory()
    EventRoleFactory(event=other_event, user=other_organiser, role=Role.ORGANISER)
    other_round = open_round(other_event, other_organiser)
    with pytest.raises(ValidationError) as caught:
        services.judge_invite(event=event, round=other_round, expert=expert, invited_by=organiser)
    assert caught.value.message_dict == {"round": ["This round belongs to another event."]}
    invitation = invite(event, expert, organiser, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        services.invitation_cancel(invitation=invitation, cancelled_by=other_organiser)
    assert not JudgeInvitation.objects.filter(event=other_event).exists()


@pytest.mark.parametrize(("language", "suffix"), [("en", "en"), ("zh-hans", "zh")])
def test_invitation_email_is_in_the_experts_language(
    event, organiser, django_capture_on_commit_callbacks, language, suffix
):
    expert = make_expert(language=language)
    invitation = invite(event, expert, organiser, django_capture_on_commit_callbacks, message="Welcome aboard.")
    message = mail.outbox[-1]
    assert message.to == [expert.email]
    # Names and titles are picked in the expert's language, whatever the organiser's.
    assert getattr(event, f"title_{suffix}") in message.subject
    assert getattr(expert, f"name_{suffix}") in message.body
    assert f"/experts/invitations/{invitation.token}/" in message.body
    assert "Welcome aboard." in message.body
    if language == "en":
        assert message.subject == f"Invitation to judge {event.title_en}"
        assert "Accept or decline on the site:" in message.body
    notification = Notification.objects.get(user=expert)
    assert (notification.kind, notification.title, notification.event) == (
        "experts.invitation",
        message.subject,
        event,
    )
    assert notification.url == f"/experts/invitations/{invitation.token}/"


def test_coverage_of_a_rounds_fields(event, organiser, tracks, django_capture_on_commit_callbacks):
    from tests.judging.conftest import open_round

    round_ = open_round(event, organiser)
    judge = make_expert(fields=[TechField.NEW_MATERIALS, TechField.DIGITAL], name_en="Materials judge")
    EventRoleFactory(event=event, user=judge, role=Role.JUDGE)
    invited = make_expert(fields=[TechField.BIOMEDICINE], name_en="Invited biologist")
    invite(event, invited, organiser, django_capture_on_commit_callbacks)
    coverage = selectors.round_coverage(round_)
    assert [(c.field, c.covered, c.judges, c.pending, c.tracks) for c in coverage] == [
        (TechField.NEW_MATERIALS, True, [judge], [], [tracks[0]]),
        (TechField.BIOMEDICINE, False, [], [invited], [tracks[1]]),
    ]
    round_.tracks.set([tracks[1]])
    assert [c.field for c in selectors.round_coverage(round_)] == [TechField.BIOMEDICINE]


def test_pool_rows_filter_and_record(event, organiser, entry, django_capture_on_commit_callbacks):
    from judging.models import Assignment, Scorecard
    from tests.judging.conftest import open_round

    bio = make_expert(fields=[TechField.BIOMEDICINE], languages=["zh", "en"], email="bio@example.org")
    make_expert(fields=[TechField.DIGITAL], languages=["de"], email="digital@example.org")
    past = EventFactory(slug="past")
    past_organiser = UserFactory()
    EventRoleFactory(event=past, user=past_organiser, role=Role.ORGANISER)
    from tests.judging.conftest import make_entry

    past_round = open_round(past, past_organiser)
    past_entry = make_entry(past, None)
    Assignment.objects.create(round=past_round, entry=past_entry, judge=bio)
    Scorecard.objects.create(
        round=past_round,
        entry=past_entry,
        judge=bio,
        status=Scorecard.Status.SUBMITTED,
        submitted_at=entry.submitted_at,
    )
    open_entry = make_entry(past, None)
    Assignment.objects.create(round=past_round, entry=open_entry, judge=bio)
    rows = selectors.pool_rows(event, field_value=TechField.BIOMEDICINE, language="zh")
    assert [(r.user, r.rounds_judged, r.events_judged, r.cards_submitted, r.open_load) for r in rows] == [
        (bio, 1, 1, 1, 1)
    ]
    assert [r.user.email for r in selectors.pool_rows(event, language="de")] == ["digital@example.org"]
    assert rows[0].can_invite
    invite(event, bio, organiser, django_capture_on_commit_callbacks)
    assert not selectors.pool_rows(event, field_value=TechField.BIOMEDICINE)[0].can_invite
