from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message shown on the site to one person (every app may send them).

    Text is stored already rendered in the recipient's language, as e-mails are.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=40, help_text=_("What sent it, e.g. entry.submitted."))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One message to one person, recorded under a key before it goes out, so it goes out once.

    A Celery task is acknowledged only after it finished; a worker killed half-way through a
    batch gets the task delivered again, to the next worker, with the same task id. The task
    passes a key (its id and what the message is about, or the thing notified, e.g. a status
    change); the second run finds the (key, person) row and skips that person.

    The row and the site notification are written in one transaction *before* the e-mail is
    handed to the mail server, and ``sent_at`` is set after. A row without ``sent_at`` is a send
    whose worker died in between: the e-mail may or may not have left, and it is not sent
    again. E-mails are at most once: a person never gets the same e-mail twice.
    """

    key = models.CharField(_("once key"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed = models.BooleanField(_("e-mailed"), default=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mail handed over at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["key", "user"], name="notifications_delivery_once")]

    def __str__(self) -> str:
        return f"{self.key} → {self.user_id}"
