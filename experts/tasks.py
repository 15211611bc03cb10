"""Expert pool e-mails and site notifications, sent by Celery in the recipient's language."""

from celery import shared_task
from django.urls import reverse

from notifications.services import user_notify

from .models import JudgeInvitation


def _invitation(invitation_id: int) -> JudgeInvitation | None:
    return (
        JudgeInvitation.objects.select_related("event", "round", "expert", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )


@shared_task
def send_invitation(invitation_id: int) -> None:
    """Invite the expert, with the link to accept or decline, while the invitation is pending."""
    invitation = _invitation(invitation_id)
    if invitation is None or not invitation.is_pending:
        return
    user_notify(
        user=invitation.expert,
        event=invitation.event,
        template="experts/email/invitation",
        kind="experts.invitation",
        url=reverse("experts:invitation", kwargs={"token": invitation.token}),
        context={"invitation": invitation},
        once=f"experts.invitation:{invitation.pk}",
    )


@shared_task
def notify_answer(invitation_id: int) -> None:
    """Tell the organiser who invited the expert how they answered."""
    invitation = _invitation(invitation_id)
    if invitation is None or invitation.invited_by is None or invitation.is_pending:
        return
    user_notify(
        user=invitation.invited_by,
        event=invitation.event,
        template="experts/email/answer",
        kind="experts.answer",
        url=reverse("experts:pool", kwargs={"slug": invitation.event.slug}),
        context={"invitation": invitation},
        once=f"experts.answer:{invitation.pk}",
    )
