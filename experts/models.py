"""The expert pool (专家库): experts kept across events, and invitations to judge an event.

An expert's profile is global (fields of expertise, languages, bio); the organisation comes
from the user. Inviting, answering and the judge role an acceptance grants are rules of
``experts.services``; the constraints here hold whatever code writes the data.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fields import TechField
from events.models import Event
from judging.models import Round

BIO_MAX = 2000
MESSAGE_MAX = 2000


class Language(models.TextChoices):
    """Languages an expert can judge in (pitches, decks and comments)."""

    ZH = "zh", _("Chinese")
    EN = "en", _("English")
    DE = "de", _("German")
    FR = "fr", _("French")
    JA = "ja", _("Japanese")
    RU = "ru", _("Russian")
    OTHER = "other", pgettext_lazy("language", "Other")


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class ExpertProfile(models.Model):
    """A person in the expert pool: what they know and in which languages they judge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="expert_profile"
    )
    # TechField values; a short list, checked in clean() (no join table needed to read it).
    fields = models.JSONField(_("fields of expertise"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    bio = models.TextField(_("expert bio"), max_length=BIO_MAX, validators=[MaxLengthValidator(BIO_MAX)], blank=True)
    is_active = models.BooleanField(
        _("in the pool"), default=True, help_text=_("Experts out of the pool are not offered to organisers.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        errors = {}
        if not isinstance(self.fields, list) or not set(self.fields) <= set(TechField.values):
            errors["fields"] = _("Choose fields of expertise from the list.")
        elif not self.fields:
            errors["fields"] = _("Choose at least one field of expertise.")
        if not isinstance(self.languages, list) or not set(self.languages) <= set(Language.values):
            errors["languages"] = _("Choose languages from the list.")
        elif not self.languages:
            errors["languages"] = _("Choose at least one language.")
        if errors:
            raise ValidationError(errors)

    @property
    def field_labels(self) -> list[str]:
        labels = dict(TechField.choices)
        return [str(labels[value]) for value in self.fields if value in labels]

    @property
    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels[value]) for value in self.languages if value in labels]


class JudgeInvitation(models.Model):
    """An organiser's invitation to an expert to judge an event (optionally a given round)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "Pending")
        ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
        DECLINED = "declined", pgettext_lazy("invitation status", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("invitation status", "Cancelled")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="judge_invitations"
    )
    round = models.ForeignKey(
        Round,
        verbose_name=_("round"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="judge_invitations",
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        related_name="judge_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        pgettext_lazy("invitation", "status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message = models.TextField(
        _("message to the expert"), max_length=MESSAGE_MAX, validators=[MaxLengthValidator(MESSAGE_MAX)], blank=True
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("judge invitation")
        verbose_name_plural = _("judge invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "expert"],
                condition=models.Q(status="pending"),
                name="judge_invitation_one_pending_per_expert",
                violation_error_message=_("This expert already has a pending invitation to this event."),
            ),
        ]
        indexes = [models.Index(fields=["expert", "status"])]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.expert_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
