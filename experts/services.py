"""Expert pool rules: profiles, conflicts before inviting, invitations and their answers.

- A person edits their own expert profile; an organiser of an event (or site staff) may add
  someone else to the pool.
- Only organisers of an event (``judging.assign``) invite experts into it, one pending
  invitation per expert and event, never someone who already judges it; the expert hears by
  e-mail and on the site, in their own language.
- Only the invited person answers; accepting makes them a judge of that event (and nothing
  more, nowhere else); declining changes no role. An answered invitation stays answered.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.tasks import enqueue
from events.models import Event, EventRole, Role
from events.services import can, require, role_grant
from judging.models import Round

from . import selectors
from .models import ExpertProfile, JudgeInvitation


def expert_profile_set(
    *,
    user: User,
    changed_by: User,
    fields: Iterable[str],
    languages: Iterable[str],
    bio: str = "",
    is_active: bool = True,
    event: Event | None = None,
) -> ExpertProfile:
    """Create or update ``user``'s expert profile.

    Anyone may edit their own. For someone else, site staff may create or edit it, and an
    organiser of ``event`` (who may assign judges there) may add a person not yet in the pool.
    """
    profile = selectors.profile_of(user)
    if changed_by.pk != user.pk and not changed_by.is_staff:
        if event is None or not can(changed_by, "judging.assign", event):
            raise PermissionDenied(_("You may only edit your own expert profile."))
        if profile is not None:
            raise ValidationError(
                _("%(name)s is already in the expert pool.") % {"name": user.display_name}, code="in_pool"
            )
    profile = profile or ExpertProfile(user=user, created_by=changed_by)
    profile.fields = list(dict.fromkeys(fields))
    profile.languages = list(dict.fromkeys(languages))
    profile.bio = (bio or "").strip()
    profile.is_active = is_active
    profile.full_clean(exclude=["user", "created_by"])
    profile.save()
    return profile


def invitation_conflicts(
    *, event: Event, expert: User, viewer: User, round: Round | None = None
) -> list[selectors.EntryConflict]:
    """The entries of the event (or the round) the expert conflicts with, by judging's rules:
    declared, in the team, or the same organisation as a team member. Organisers only."""
    require(viewer, "judging.assign", event)
    return selectors.conflicts_by_expert(event, [expert], round).get(expert.pk, [])


def _check_round(event: Event, round_: Round | None) -> None:
    if round_ is not None and round_.event_id != event.pk:
        raise ValidationError({"round": _("This round belongs to another event.")}, code="other_event")


def judge_invite(
    *, event: Event, round: Round | None, expert: User, invited_by: User, message: str = ""
) -> JudgeInvitation:
    """Invite an expert from the pool to judge ``event`` (organisers), telling them by e-mail and on the site."""
    require(invited_by, "judging.assign", event)
    _check_round(event, round)
    profile = selectors.profile_of(expert)
    if profile is None or not profile.is_active or not expert.is_active:
        raise ValidationError(_("This person is not in the expert pool."), code="not_in_pool")
    if EventRole.objects.filter(event=event, user=expert, role=Role.JUDGE).exists():
        raise ValidationError(
            _("%(name)s is already a judge of this event.") % {"name": expert.display_name}, code="judge"
        )
    invitation = JudgeInvitation(
        event=event, round=round, expert=expert, invited_by=invited_by, message=(message or "").strip()
    )
    invitation.full_clean(exclude=["event", "round", "expert", "invited_by", "token"], validate_constraints=False)
    duplicate = ValidationError(
        _("%(name)s already has a pending invitation to this event.") % {"name": expert.display_name},
        code="duplicate",
    )
    if JudgeInvitation.objects.filter(event=event, expert=expert, status=JudgeInvitation.Status.PENDING).exists():
        raise duplicate
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise duplicate from None
    transaction.on_commit(lambda: _queue("send_invitation", invitation.pk), robust=True)
    return invitation


def _queue(task_name: str, *args) -> None:
    from . import tasks  # the tasks module calls these services' models

    enqueue(getattr(tasks, task_name), *args)


def _answer(invitation: JudgeInvitation, user: User, status: str) -> JudgeInvitation:
    if user is None or not user.is_authenticated or user.pk != invitation.expert_id:
        raise PermissionDenied(_("Only the invited expert can answer this invitation."))
    with transaction.atomic():
        locked = JudgeInvitation.objects.select_for_update().select_related("event").get(pk=invitation.pk)
        if not locked.is_pending:
            raise ValidationError(
                _("This invitation is no longer open: it is %(status)s.") % {"status": locked.get_status_display()},
                code="answered",
            )
        locked.status = status
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        if status == JudgeInvitation.Status.ACCEPTED:
            grant = role_grant(event=locked.event, user=user, role=Role.JUDGE, granted_by=None)
            if grant.granted_by_id is None and locked.invited_by_id:
                EventRole.objects.filter(pk=grant.pk).update(granted_by_id=locked.invited_by_id)
        if locked.invited_by_id:
            transaction.on_commit(lambda: _queue("notify_answer", locked.pk), robust=True)
    invitation.status, invitation.responded_at = locked.status, locked.responded_at
    return invitation


def invitation_accept(*, invitation: JudgeInvitation, user: User) -> JudgeInvitation:
    """The invited expert accepts: they become a judge of the invitation's event."""
    return _answer(invitation, user, JudgeInvitation.Status.ACCEPTED)


def invitation_decline(*, invitation: JudgeInvitation, user: User) -> JudgeInvitation:
    """The invited expert declines: no role changes."""
    return _answer(invitation, user, JudgeInvitation.Status.DECLINED)


def invitation_cancel(*, invitation: JudgeInvitation, cancelled_by: User) -> JudgeInvitation:
    """An organiser withdraws a pending invitation; its link stops working."""
    require(cancelled_by, "judging.assign", invitation.event)
    updated = JudgeInvitation.objects.filter(pk=invitation.pk, status=JudgeInvitation.Status.PENDING).update(
        status=JudgeInvitation.Status.CANCELLED, responded_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("Only a pending invitation can be cancelled."), code="answered")
    invitation.refresh_from_db()
    return invitation
