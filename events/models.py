from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, pick_language


class Event(models.Model):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("Innovation contest")
        FAIR = "fair", _("Docking fair")

    slug = models.SlugField(_("short name in the address"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONTEST)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    location_zh = models.CharField(_("place (Chinese)"), max_length=200, blank=True)
    location_en = models.CharField(_("place (English)"), max_length=200, blank=True)
    organiser_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organising organisation"),
        on_delete=models.PROTECT,
        related_name="organised_events",
        null=True,
        blank=True,
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(title_zh="", title_en=""),
                name="event_has_a_title",
                violation_error_message=_("Give the event a title in Chinese, English or both."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_zh, self.description_en)

    @property
    def location(self) -> str:
        return pick_language(self.location_zh, self.location_en)


class Role(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    JUDGE = "judge", _("Judge")
    ENTRANT = "entrant", _("Entrant")
    AUDIENCE = "audience", _("Audience")
    ENTERPRISE = "enterprise", _("Enterprise or investor")
    LEDGER_EDITOR = "ledger_editor", _("Ledger editor")


class EventRole(models.Model):
    """A person's role in one event. Roles never carry over to another event."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="event_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("event role")
        verbose_name_plural = _("event roles")
        ordering = ["event", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["event", "user", "role"], name="event_role_unique")]
        indexes = [models.Index(fields=["user", "event"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.event.slug}"
