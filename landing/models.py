"""The landing ledger (一企一台账): one ledger per landed company, with its status colour,
milestones, inspections and the check cadence (half-monthly check, monthly coordination,
quarterly review).

A company belongs to the event whose project landed, so the event's organisers and
ledger editors keep it and nobody else sees it. The rules live in ``landing.services``.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import pick_language
from events.models import Event
from registration.storage import private_storage

TEXT_MAX = 5000
MONEY = {"max_digits": 16, "decimal_places": 2}


class LedgerStatus(models.TextChoices):
    RED = "red", _("Red: not started")
    YELLOW = "yellow", _("Yellow: under construction")
    BLUE = "blue", _("Blue: in production")


class LandedCompany(models.Model):
    class Base(models.TextChoices):
        LOCAL = "local", _("Local park or district")
        OFFSHORE = "offshore", _("Offshore incubation base")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.PROTECT, related_name="landed_companies")
    entry = models.OneToOneField(
        "registration.Entry",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="landed_company",
    )
    talent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("talent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="landed_companies",
    )
    deals = models.ManyToManyField("docking.Deal", verbose_name=_("deals"), related_name="landed_companies", blank=True)
    name_zh = models.CharField(_("company name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("company name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        help_text=_("18 characters, as on the business licence (统一社会信用代码)."),
    )
    incorporated_on = models.DateField(_("incorporation date"))
    park = models.CharField(_("park"), max_length=200, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    base = models.CharField(_("base"), max_length=10, choices=Base.choices, default=Base.LOCAL)
    base_name = models.CharField(
        _("base name"), max_length=200, blank=True, help_text=_("E.g. the offshore incubation base's name.")
    )
    registered_capital_cny = models.DecimalField(
        _("registered capital (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    investment_received_cny = models.DecimalField(
        _("investment received (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    status = models.CharField(
        pgettext_lazy("ledger", "status"), max_length=10, choices=LedgerStatus.choices, default=LedgerStatus.RED
    )
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible ledger editor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_companies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("landed company")
        verbose_name_plural = _("landed companies")
        ordering = ["event", "name_zh", "name_en", "pk"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_zh="", name_en=""),
                name="landed_company_has_a_name",
                violation_error_message=_("Give the company a name in Chinese, English or both."),
            ),
            models.CheckConstraint(
                condition=models.Q(registered_capital_cny__gte=0) | models.Q(registered_capital_cny__isnull=True),
                name="landed_company_capital_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(investment_received_cny__gte=0) | models.Q(investment_received_cny__isnull=True),
                name="landed_company_investment_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("landing:company_detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class LedgerChange(models.Model):
    """Audit trail of a ledger: status moves and field edits, with who and when."""

    company = models.ForeignKey(
        LandedCompany, verbose_name=_("company"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("ledger change")
        verbose_name_plural = _("ledger changes")
        ordering = ["company", "changed_at", "pk"]
        indexes = [models.Index(fields=["company", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.from_status} → {self.to_status}"


class Milestone(models.Model):
    company = models.ForeignKey(
        LandedCompany, verbose_name=_("company"), on_delete=models.CASCADE, related_name="milestones"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["company", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_zh="", title_en=""),
                name="milestone_has_a_title",
                violation_error_message=_("Give the milestone a title in Chinese, English or both."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)


class Inspection(models.Model):
    """A follow-up visit or check: when, who, what was found."""

    company = models.ForeignKey(
        LandedCompany, verbose_name=_("company"), on_delete=models.CASCADE, related_name="inspections"
    )
    inspected_on = models.DateField(_("date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    inspectors = models.CharField(_("who inspected"), max_length=300, blank=True)
    findings = models.TextField(_("findings"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)])
    task = models.ForeignKey(
        "CadenceTask",
        verbose_name=_("for the scheduled check"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["company", "-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.company} · {self.inspected_on}"


def inspection_photo_path(instance: "InspectionPhoto", filename: str) -> str:
    return (
        f"inspections/{instance.inspection.company_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()[:8]}"
    )


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="photos"
    )
    # Private storage: photos of a company's site are served only through the ledger's permission-checked view.
    image = models.ImageField(_("photo"), upload_to=inspection_photo_path, storage=private_storage, max_length=300)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")
        ordering = ["inspection", "pk"]

    def __str__(self) -> str:
        return self.image.name


class CadenceTask(models.Model):
    """A scheduled check of a company: created by Celery beat, reminded, flagged when overdue."""

    class Kind(models.TextChoices):
        HALF_MONTHLY_CHECK = "check", _("Half-monthly check")
        MONTHLY_COORDINATION = "coordination", _("Monthly coordination")
        QUARTERLY_REVIEW = "review", _("Quarterly review")

    company = models.ForeignKey(
        LandedCompany, verbose_name=_("company"), on_delete=models.CASCADE, related_name="cadence_tasks"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    period_start = models.DateField(_("period starts"))
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_tasks",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged overdue"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled check")
        verbose_name_plural = _("scheduled checks")
        ordering = ["company", "due_on", "kind"]
        indexes = [models.Index(fields=["due_on", "done_at"])]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "period_start"], name="cadence_task_once_per_period"),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("period_start")),
                name="cadence_task_due_after_period_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.get_kind_display()} · {self.period_start}"
