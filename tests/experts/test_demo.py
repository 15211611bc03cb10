import pytest

from core.demo import seed_demo
from events.models import Role
from experts.models import ExpertProfile, JudgeInvitation
from registration.demo import CONTEST

pytestmark = pytest.mark.django_db


def test_demo_pool_is_seeded_once():
    ctx = seed_demo()
    profiles = dict(ExpertProfile.objects.values_list("user__email", "fields"))
    assert set(profiles) == {f"judge{i}@haizhi.example" for i in range(1, 6)} | {
        "expert1@haizhi.example",
        "expert2@haizhi.example",
    }
    invitation = JudgeInvitation.objects.get()
    assert (invitation.event, invitation.expert.email, invitation.status) == (
        ctx.events[CONTEST],
        "expert2@haizhi.example",
        JudgeInvitation.Status.PENDING,
    )
    assert not ctx.users["expert1"].event_roles.filter(role=Role.JUDGE).exists()
    again = seed_demo()
    assert "expert profiles" not in again.created and "judge invitations" not in again.created
    assert (ExpertProfile.objects.count(), JudgeInvitation.objects.count()) == (7, 1)
