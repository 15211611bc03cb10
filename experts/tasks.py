"""Expert pool e-mails and site notifications, sent by Celery in the recipient's language."""

from celery import shared_task
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import email_user
from notifications.services import notification_send

from .models import JudgeInvitation


def _tell(*, user: User, template: str, kind: str, url: str, context: dict) -> None:
    """E-mail ``user`` and leave the same news on the site, both in the user's language."""
    context = {"url": f"{settings.SITE_URL}{url}", **context}
    email_user(user=user, template=template, context=context)
    with translation.override(user.language or settings.LANGUAGE_CODE):
        title = " ".join(render_to_string(f"{template}_subject.txt", {"user": user, **context}).split())
    notification_send(user=user, kind=kind, title=title, url=url, event=context["event"])


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
    _tell(
        user=invitation.expert,
        template="experts/email/invitation",
        kind="experts.invitation",
        url=reverse("experts:invitation", kwargs={"token": invitation.token}),
        context={"event": invitation.event, "invitation": invitation},
    )


@shared_task
def notify_answer(invitation_id: int) -> None:
    """Tell the organiser who invited the expert how they answered."""
    invitation = _invitation(invitation_id)
    if invitation is None or invitation.invited_by is None or invitation.is_pending:
        return
    _tell(
        user=invitation.invited_by,
        template="experts/email/answer",
        kind="experts.answer",
        url=reverse("experts:pool", kwargs={"slug": invitation.event.slug}),
        context={"event": invitation.event, "invitation": invitation},
    )
