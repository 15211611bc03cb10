"""Registration: tracks, the registration window, extra questions, entries and their files.

The rules (who may change what, when, and which status may follow which) live in
``registration.services``; these models hold the data and the constraints that must
hold whatever code writes them.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from accounts.models import pick_language
from core.fields import TechField
from events.models import Event

from .storage import private_storage

TITLE_MAX = 200
SUMMARY_MAX = 5000
LONG_TEXT_MAX = 5000
ANSWER_TEXT_MAX = 5000


class Track(models.Model):
    """A field of the contest (生物医药, 新材料, ...); every entry belongs to one."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="tracks")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description_zh = models.TextField(
        _("description (Chinese)"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )
    description_en = models.TextField(
        _("description (English)"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )
    field = models.CharField(
        _("technology field"),
        max_length=20,
        choices=TechField.choices,
        blank=True,
        help_text=_("Used to match the track's projects with enterprise needs in the same field."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["event", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="track_has_a_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_zh, self.description_en)


class RegistrationSettings(models.Model):
    """The registration window and entry requirements of one event.

    Without a settings row, or outside ``opens_at``–``closes_at``, nobody can register.
    Times are stored in UTC and shown in China time and in the visitor's own zone.
    """

    event = models.OneToOneField(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registration_settings"
    )
    opens_at = models.DateTimeField(_("registration opens"))
    closes_at = models.DateTimeField(_("registration closes"))
    require_deck = models.BooleanField(_("a pitch deck (PDF) is required"), default=True)
    require_logo = models.BooleanField(_("a logo is required"), default=False)
    max_team_members = models.PositiveSmallIntegerField(
        _("largest team (lead included)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind owners of unsubmitted drafts this many days before the deadline"),
        default=3,
        validators=[MaxValueValidator(60)],
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    notes_zh = models.TextField(
        _("eligibility and rules (Chinese)"), max_length=5000, validators=[MaxLengthValidator(5000)], blank=True
    )
    notes_en = models.TextField(
        _("eligibility and rules (English)"), max_length=5000, validators=[MaxLengthValidator(5000)], blank=True
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="registration_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.slug}: {self.opens_at:%Y-%m-%d} – {self.closes_at:%Y-%m-%d}"

    @property
    def notes(self) -> str:
        return pick_language(self.notes_zh, self.notes_en)

    def is_open(self, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at

    def has_closed(self, at=None) -> bool:
        return (at or timezone.now()) >= self.closes_at


class Question(models.Model):
    """An organiser-defined question every entry of the event answers.

    Eligibility questions are choice questions whose answer must be one of
    ``eligible_choices`` for the entry to be submitted.
    """

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        FILE = "file", _("File (PDF or image)")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind of answer"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    label_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    label_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    help_zh = models.CharField(_("help text (Chinese)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_("For choice questions: a list of {value, zh, en}."),
    )
    required = models.BooleanField(_("an answer is required"), default=False)
    is_eligibility = models.BooleanField(_("eligibility question"), default=False)
    eligible_choices = models.JSONField(_("answers that make an entry eligible"), default=list, blank=True)
    min_value = models.DecimalField(_("smallest number"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest number"), max_digits=16, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveIntegerField(
        _("longest text (characters)"), default=2000, validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["event", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(label_zh="", label_en=""), name="question_has_a_label"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick_language(self.label_zh, self.label_en)

    @property
    def help_text(self) -> str:
        return pick_language(self.help_zh, self.help_en)

    @property
    def is_choice(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    def choice_items(self) -> list[tuple[str, str]]:
        """(value, label in the active language) pairs."""
        return [(c["value"], pick_language(c.get("zh", ""), c.get("en", ""))) for c in self.choices]

    def choice_label(self, value: str) -> str:
        return dict(self.choice_items()).get(value, value)


class Status(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("entry status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("entry status", "Submitted")
    SCREENED_IN = "screened_in", pgettext_lazy("entry status", "Screened in")
    SCREENED_OUT = "screened_out", pgettext_lazy("entry status", "Screened out")
    IN_ROUND = "in_round", pgettext_lazy("entry status", "In a judging round")
    FINALIST = "finalist", pgettext_lazy("entry status", "Finalist")
    AWARDED = "awarded", pgettext_lazy("entry status", "Awarded")
    WITHDRAWN = "withdrawn", pgettext_lazy("entry status", "Withdrawn")


class Entry(models.Model):
    """A registered project. Drafts may be incomplete; ``entry_submit`` checks completeness."""

    class Stage(models.TextChoices):
        IDEA = "idea", _("Idea")
        PROTOTYPE = "prototype", _("Prototype")
        REVENUE = "revenue", _("Revenue")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="entries")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="entries"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.PROTECT, related_name="entries", null=True, blank=True
    )
    title_zh = models.CharField(_("project title (Chinese)"), max_length=TITLE_MAX, blank=True)
    title_en = models.CharField(_("project title (English)"), max_length=TITLE_MAX, blank=True)
    summary = models.TextField(
        _("summary"), max_length=SUMMARY_MAX, validators=[MaxLengthValidator(SUMMARY_MAX)], blank=True
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, blank=True)
    technology = models.TextField(
        _("technology"), max_length=LONG_TEXT_MAX, validators=[MaxLengthValidator(LONG_TEXT_MAX)], blank=True
    )
    ip_summary = models.TextField(
        _("intellectual property"), max_length=LONG_TEXT_MAX, validators=[MaxLengthValidator(LONG_TEXT_MAX)], blank=True
    )
    patent_count = models.PositiveSmallIntegerField(
        _("patents granted or filed"), default=0, validators=[MaxValueValidator(9999)]
    )
    funding_sought = models.DecimalField(
        _("funding sought (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    planned_city = models.CharField(_("planned city"), max_length=100, blank=True)
    planned_park = models.CharField(_("planned park or district"), max_length=200, blank=True)
    video_url = models.URLField(
        _("video link"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("An http or https address of a video of the project."),
    )
    status = models.CharField(
        pgettext_lazy("entry", "status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    round_number = models.PositiveSmallIntegerField(_("judging round"), null=True, blank=True)
    status_reason = models.TextField(
        _("reason for the status"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )
    lead_email = models.EmailField(_("lead's e-mail"), blank=True)
    # Normalised titles (lower case, no spaces or punctuation) for likely-duplicate hints.
    title_zh_key = models.CharField(max_length=TITLE_MAX, blank=True, editable=False)
    title_en_key = models.CharField(max_length=TITLE_MAX, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="in_round") | models.Q(round_number__gte=1),
                name="entry_in_round_has_round_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(submitted_at__isnull=False)
                | models.Q(status="withdrawn"),
                name="entry_submitted_has_submission_time",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["event", "submitted_at"]),
            models.Index(fields=["event", "lead_email"]),
            models.Index(fields=["event", "title_zh_key"]),
            models.Index(fields=["event", "title_en_key"]),
        ]

    def __str__(self) -> str:
        return self.title or _("Untitled entry #%(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("registration:entry_detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def reference(self) -> str:
        """A short, stable reference shown to entrants and organisers."""
        return f"{self.event_id}-{self.pk:05d}"

    def status_label(self) -> str:
        if self.status == Status.IN_ROUND and self.round_number:
            return _("In round %(number)s") % {"number": self.round_number}
        return self.get_status_display()


class TeamMember(models.Model):
    """A person in the entry's team. Exactly one member is the lead (the owner's own row)."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="team")
    is_lead = models.BooleanField(_("team lead"), default=False)
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(pgettext_lazy("team member", "role"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country/region"), blank=True)
    years_abroad = models.PositiveSmallIntegerField(
        _("years abroad"), null=True, blank=True, validators=[MaxValueValidator(80)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["entry", "-is_lead", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=models.Q(is_lead=True), name="team_member_one_lead_per_entry"
            ),
        ]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"entries/{instance.entry.event_id}/{instance.entry_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file of an entry: pitch deck, logo, photo, or the answer to a file question.

    Files are checked by content before they are stored (see ``registration.files``) and
    live in private storage, read only through the permission-checked download view.
    """

    class Kind(models.TextChoices):
        DECK = "deck", _("Pitch deck (PDF)")
        LOGO = "logo", _("Logo")
        PHOTO = "photo", _("Photo")
        ANSWER = "answer", _("Answer file")

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage, max_length=300)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=attachment_path, storage=private_storage, max_length=300, blank=True
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["entry", "kind", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "kind"],
                condition=models.Q(kind__in=["deck", "logo"]),
                name="attachment_one_deck_and_logo_per_entry",
            ),
            models.UniqueConstraint(
                fields=["entry", "question"],
                condition=models.Q(kind="answer"),
                name="attachment_one_file_per_question",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="answer", question__isnull=False)
                | (~models.Q(kind="answer") & models.Q(question__isnull=True)),
                name="attachment_answer_has_question",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.get_kind_display()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class Answer(models.Model):
    """The answer of one entry to one non-file question.

    ``value`` is a string for text, number (decimal as text) and single-choice questions,
    and a list of choice values for multiple-choice questions.
    """

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+")
    value = models.JSONField(_("answer"), default=str, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["entry", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"

    def is_blank(self) -> bool:
        return self.value in ("", None, [])

    def display(self) -> str:
        if self.question.kind == Question.Kind.MULTIPLE:
            return ", ".join(self.question.choice_label(v) for v in self.value or [])
        if self.question.kind == Question.Kind.SINGLE:
            return self.question.choice_label(self.value) if self.value else ""
        return str(self.value or "")


class StatusChange(models.Model):
    """One step in an entry's history: who changed its status, when, from what to what, and why."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    round_number = models.PositiveSmallIntegerField(_("judging round"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["entry", "changed_at", "id"]
        indexes = [models.Index(fields=["entry", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.from_status or '-'} → {self.to_status}"

    def to_label(self) -> str:
        if self.to_status == Status.IN_ROUND and self.round_number:
            return _("In round %(number)s") % {"number": self.round_number}
        return self.get_to_status_display()


class EntryNote(models.Model):
    """An organiser's internal note on an entry; entrants never see notes."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"), max_length=5000, validators=[MaxLengthValidator(5000)])
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["entry", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


def export_folder(instance: "ExportJob") -> str:
    """One folder per job: a build run again after a worker died clears what the dead one left."""
    return f"exports/{instance.event_id}/{instance.pk}"


def export_path(instance: "ExportJob", filename: str) -> str:
    return f"{export_folder(instance)}/{filename}"


class ExportJob(models.Model):
    """A spreadsheet of an event's entries, built by a Celery task; progress is shown while it runs."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel (XLSX)")
        CSV = "csv", _("CSV")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.XLSX)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    processed = models.PositiveIntegerField(_("entries written"), default=0)
    total = models.PositiveIntegerField(_("entries to write"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, storage=private_storage, max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event.slug} {self.format} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.processed / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)
