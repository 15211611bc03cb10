"""The permission helper: role × action × same/other event."""

import pytest
from django.contrib.auth.models import AnonymousUser

from events.models import Role
from events.permissions import ACTION_RULES, PUBLIC, SIGNED_IN
from events.services import can
from tests.factories import EventFactory, EventRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

ROLE_ACTIONS = sorted((role, action) for role in Role.values for action in ACTION_RULES)


@pytest.mark.parametrize(("role", "action"), ROLE_ACTIONS)
def test_role_grants_action_only_in_its_own_event(role, action):
    event_a = EventFactory(is_published=True)
    event_b = EventFactory(is_published=True)
    user = UserFactory()
    EventRoleFactory(event=event_a, user=user, role=role)

    rules = ACTION_RULES[action]
    expected_same = role in rules or PUBLIC in rules or SIGNED_IN in rules
    expected_other = PUBLIC in rules or SIGNED_IN in rules

    assert can(user, action, event_a) is expected_same
    assert can(user, action, event_b) is expected_other


@pytest.mark.parametrize("role", Role.values)
def test_unpublished_event_hides_public_actions_from_people_without_a_role(role):
    event = EventFactory(is_published=False)
    outsider = UserFactory()
    insider = UserFactory()
    EventRoleFactory(event=event, user=insider, role=role)

    assert can(AnonymousUser(), "event.view", event) is False
    assert can(outsider, "event.view", event) is False
    sees_unpublished = role in ACTION_RULES["event.view_unpublished"]
    assert can(insider, "event.view", event) is sees_unpublished


def test_anonymous_user_gets_public_actions_only():
    event = EventFactory(is_published=True)
    anonymous = AnonymousUser()
    for action, rules in ACTION_RULES.items():
        assert can(anonymous, action, event) is (PUBLIC in rules), action


def test_staff_may_do_everything_and_inactive_users_nothing():
    event = EventFactory(is_published=False)
    staff = UserFactory(is_staff=True)
    inactive = UserFactory(is_active=False)
    EventRoleFactory(event=event, user=inactive, role=Role.ORGANISER)
    for action in ACTION_RULES:
        assert can(staff, action, event) is True
        assert can(inactive, action, event) is False


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown permission action"):
        can(UserFactory(), "event.fly", EventFactory())
