"""Docking: enterprises and their technology needs, matches, leads, meetings and deals.

Enterprise profiles and people are kept across events (the enterprise database); a need,
a lead, a meeting and a deal belong to one event, so nobody sees another event's data.
The rules (who may do what, which state may follow which, no double booking) live in
``docking.services``; these models hold the data and the constraints that must hold
whatever code writes them.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation, pick_language
from core.fields import TechField
from events.models import Event
from registration.storage import private_storage

TEXT_MAX = 5000
MONEY = {"max_digits": 16, "decimal_places": 2}


class EnterpriseProfile(models.Model):
    """An enterprise or investor in the programme's enterprise database, reused across events."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="enterprise_profile"
    )
    field = models.CharField(_("main technology field"), max_length=20, choices=TechField.choices, blank=True)
    description_zh = models.TextField(
        _("description (Chinese)"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True
    )
    description_en = models.TextField(
        _("description (English)"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True
    )
    region = models.CharField(_("city or region"), max_length=100, blank=True)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact people"),
        related_name="enterprise_profiles",
        blank=True,
        help_text=_("People who act for this enterprise on the site."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise profile")
        verbose_name_plural = _("enterprise profiles")
        ordering = ["organisation__name_en", "organisation__name_zh"]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def description(self) -> str:
        return pick_language(self.description_zh, self.description_en)


class Need(models.Model):
    """A technology need an enterprise posts for an event (a contest or a docking fair)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("need status", "Open")
        CLOSED = "closed", pgettext_lazy("need status", "Closed")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="needs")
    enterprise = models.ForeignKey(
        EnterpriseProfile, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="needs"
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    field = models.CharField(_("technology field"), max_length=20, choices=TechField.choices)
    description_zh = models.TextField(
        _("description (Chinese)"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True
    )
    description_en = models.TextField(
        _("description (English)"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True
    )
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Separated by commas, e.g. solid-state battery, BMS.")
    )
    budget_min_cny = models.DecimalField(
        _("budget from (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    budget_max_cny = models.DecimalField(
        _("budget up to (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    region = models.CharField(_("city or region"), max_length=100, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    status = models.CharField(
        pgettext_lazy("need", "status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("posted by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("technology need")
        verbose_name_plural = _("technology needs")
        ordering = ["event", "-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_zh="", title_en=""),
                name="need_has_a_title",
                violation_error_message=_("Give the need a title in Chinese, English or both."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min_cny__gte=0) | models.Q(budget_min_cny__isnull=True),
                name="need_budget_min_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_max_cny__gte=0) | models.Q(budget_max_cny__isnull=True),
                name="need_budget_max_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(budget_min_cny__isnull=True)
                | models.Q(budget_max_cny__isnull=True)
                | models.Q(budget_max_cny__gte=models.F("budget_min_cny")),
                name="need_budget_range_ordered",
                violation_error_message=_("The budget's upper end cannot be below its lower end."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("docking:need_detail", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_zh, self.description_en)


class CuratedMatch(models.Model):
    """A pairing an organiser put on a fair's match list: a need with a project or a talent."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="curated_matches")
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="curated_matches")
    entry = models.ForeignKey(
        "registration.Entry",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="curated_matches",
        null=True,
        blank=True,
    )
    talent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("talent"),
        on_delete=models.CASCADE,
        related_name="curated_matches",
        null=True,
        blank=True,
    )
    score = models.FloatField(_("match score"), default=0)
    explanation = models.CharField(_("why they match"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("curated match")
        verbose_name_plural = _("curated matches")
        ordering = ["event", "need", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry__isnull=False, talent__isnull=True)
                | models.Q(entry__isnull=True, talent__isnull=False),
                name="curated_match_entry_or_talent",
                violation_error_message=_("A match pairs the need with either a project or a talent."),
            ),
            models.UniqueConstraint(fields=["need", "entry"], name="curated_match_need_entry_once"),
            models.UniqueConstraint(fields=["need", "talent"], name="curated_match_need_talent_once"),
        ]

    def __str__(self) -> str:
        return f"{self.need} ↔ {self.entry or self.talent}"


class Lead(models.Model):
    """Someone on the enterprise/investor side is interested in a project: follow it up."""

    class Source(models.TextChoices):
        ROOM = "room", _("Marked interest in a roadshow room")
        MATCH = "match", _("From a match")
        MANUAL = "manual", _("Entered by hand")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("lead status", "New")
        CONTACTED = "contacted", pgettext_lazy("lead status", "Contacted")
        MEETING = "meeting", pgettext_lazy("lead status", "Meeting arranged")
        DEAL = "deal", pgettext_lazy("lead status", "Deal recorded")
        CLOSED = "closed", pgettext_lazy("lead status", "Closed")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="leads")
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("project"), on_delete=models.CASCADE, related_name="leads"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interested person"),
        on_delete=models.CASCADE,
        related_name="docking_leads",
    )
    enterprise = models.ForeignKey(
        EnterpriseProfile,
        verbose_name=_("enterprise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    room_interest = models.OneToOneField(
        "livestream.RoomInterest",
        verbose_name=_("interest in a room"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
    )
    status = models.CharField(
        pgettext_lazy("lead", "status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["event", "-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "status"])]
        constraints = [models.UniqueConstraint(fields=["entry", "person"], name="lead_once_per_person_and_project")]

    def __str__(self) -> str:
        return f"{self.person} → {self.entry}"


class FairTable(models.Model):
    """A numbered table at a docking fair where 1:1 meetings take place."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="fair_tables")
    label = models.CharField(_("table"), max_length=30)
    location = models.CharField(_("hall or area"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("fair table")
        verbose_name_plural = _("fair tables")
        ordering = ["event", "label"]
        constraints = [models.UniqueConstraint(fields=["event", "label"], name="fair_table_label_unique")]

    def __str__(self) -> str:
        return self.label


class MeetingRequest(models.Model):
    """A request to meet about a project, with proposed time slots, answered by the invitee."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("meeting request", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("meeting request", "Accepted")
        DECLINED = "declined", pgettext_lazy("meeting request", "Declined")
        COUNTERED = "countered", pgettext_lazy("meeting request", "Other time proposed")
        CANCELLED = "cancelled", pgettext_lazy("meeting request", "Cancelled")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meeting_requests")
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("project"), on_delete=models.CASCADE, related_name="meeting_requests"
    )
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="meeting_requests_sent",
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitee"),
        on_delete=models.CASCADE,
        related_name="meeting_requests_received",
    )
    message = models.TextField(_("message"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True)
    status = models.CharField(
        pgettext_lazy("meeting request", "status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    counter_of = models.ForeignKey(
        "self",
        verbose_name=_("answers the request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counters",
    )
    response_note = models.TextField(_("answer"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["event", "-created_at", "-pk"]
        indexes = [models.Index(fields=["invitee", "status"]), models.Index(fields=["requested_by", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requested_by=models.F("invitee")),
                name="meeting_request_not_to_self",
                violation_error_message=_("You cannot ask yourself for a meeting."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_by} → {self.invitee}: {self.entry}"


class ProposedSlot(models.Model):
    """One time a meeting request proposes; the invitee accepts one of them."""

    request = models.ForeignKey(
        MeetingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ["request", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="proposed_slot_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class Meeting(models.Model):
    """An arranged meeting: online with a link, or at a fair table in a time slot."""

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        FAIR_TABLE = "table", _("At a docking-fair table")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("meeting status", "Scheduled")
        HELD = "held", pgettext_lazy("meeting status", "Held")
        CANCELLED = "cancelled", pgettext_lazy("meeting status", "Cancelled")
        NO_SHOW = "no_show", pgettext_lazy("meeting status", "Did not take place")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meetings")
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("project"), on_delete=models.CASCADE, related_name="meetings"
    )
    request = models.OneToOneField(
        MeetingRequest,
        verbose_name=_("request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting",
    )
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    mode = models.CharField(_("where"), max_length=10, choices=Mode.choices, default=Mode.ONLINE)
    online_url = models.URLField(_("online meeting link"), blank=True)
    table = models.ForeignKey(
        FairTable, verbose_name=_("table"), on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    status = models.CharField(
        pgettext_lazy("meeting", "status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    outcome_notes = models.TextField(
        _("outcome notes"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("arranged by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("arranged"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["event", "starts_at", "pk"]
        indexes = [models.Index(fields=["event", "starts_at"]), models.Index(fields=["table", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="table") | models.Q(table__isnull=False),
                name="meeting_at_table_has_table",
                violation_error_message=_("Choose the table for a meeting at the fair."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingParticipant(models.Model):
    """A person in a meeting; no person may be in two scheduled meetings at once."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="docking_meetings"
    )
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        ordering = ["meeting", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meeting_participant_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


class Deal(models.Model):
    """An agreement about a project. Signed-deal counts everywhere are counted from these rows."""

    class Kind(models.TextChoices):
        INVESTMENT = "investment", _("Investment")
        COOPERATION = "cooperation", _("Technology cooperation")
        TALENT = "talent", _("Talent introduction")
        INCORPORATION = "incorporation", _("Company incorporation")

    class Stage(models.TextChoices):
        INTENT = "intent", pgettext_lazy("deal stage", "Letter of intent")
        SIGNED = "signed", pgettext_lazy("deal stage", "Signed")
        CANCELLED = "cancelled", pgettext_lazy("deal stage", "Cancelled")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deals")
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("project"), on_delete=models.PROTECT, related_name="deals"
    )
    enterprise = models.ForeignKey(
        EnterpriseProfile,
        verbose_name=_("enterprise or investor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.INTENT)
    amount_cny = models.DecimalField(
        _("amount (CNY)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    parties = models.CharField(
        _("other parties"), max_length=500, blank=True, help_text=_("Parties besides the project and the enterprise.")
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)], blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["event", "-signed_on", "-created_at", "-pk"]
        indexes = [models.Index(fields=["event", "stage"]), models.Index(fields=["entry", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cny__gte=0) | models.Q(amount_cny__isnull=True),
                name="deal_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~models.Q(stage="signed") | models.Q(signed_on__isnull=False),
                name="deal_signed_has_date",
                violation_error_message=_("A signed deal needs its signing date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.entry}"


class DealChange(models.Model):
    """Audit trail of a deal: who changed what, when, from which stage to which."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    from_stage = models.CharField(_("from stage"), max_length=10, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=10, blank=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("deal change")
        verbose_name_plural = _("deal changes")
        ordering = ["deal", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage} → {self.to_stage}"


def deal_document_path(instance: "DealDocument", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"deals/{instance.deal.event_id}/{uuid.uuid4().hex}{suffix}"


class DealDocument(models.Model):
    """A signed agreement or another deal document, kept in private storage."""

    deal = models.ForeignKey(Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=deal_document_path, storage=private_storage, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("deal document")
        verbose_name_plural = _("deal documents")
        ordering = ["deal", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class MeetingProposal(models.Model):
    """A 1:1 meeting the platform proposes after a judging round's results: a top project with an
    enterprise or investor contact whose need or declared interest matches it. The organiser edits
    it, discards it or sends it; a sent proposal becomes a normal meeting request."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("meeting proposal", "Draft")
        SENT = "sent", pgettext_lazy("meeting proposal", "Sent")
        DISCARDED = "discarded", pgettext_lazy("meeting proposal", "Discarded")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="meeting_proposals"
    )
    round = models.ForeignKey(
        "judging.Round", verbose_name=_("round"), on_delete=models.CASCADE, related_name="meeting_proposals"
    )
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("project"), on_delete=models.CASCADE, related_name="meeting_proposals"
    )
    rank = models.PositiveIntegerField(_("rank in the round"), default=0)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enterprise or investor contact"),
        on_delete=models.CASCADE,
        related_name="meeting_proposals",
    )
    enterprise = models.ForeignKey(
        EnterpriseProfile,
        verbose_name=_("enterprise or investor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_proposals",
    )
    score = models.FloatField(_("match score"), default=0)
    reasons = models.JSONField(
        _("why they should meet"),
        default=list,
        blank=True,
        help_text=_("Stored as parts, written out in the reader's language."),
    )
    old_reason = models.CharField(
        _("why they should meet (as first written)"),
        max_length=1000,
        blank=True,
        help_text=_("The text of a proposal made before reasons were stored as parts; shown when there are none."),
    )
    starts_at = models.DateTimeField(_("proposed start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("proposed end"), null=True, blank=True)
    status = models.CharField(
        pgettext_lazy("meeting proposal", "status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    request = models.OneToOneField(
        MeetingRequest,
        verbose_name=_("meeting request"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting proposal")
        verbose_name_plural = _("meeting proposals")
        ordering = ["round", "rank", "-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry", "person"], name="meeting_proposal_once_per_pair"),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True, ends_at__isnull=True)
                | models.Q(starts_at__isnull=False, ends_at__isnull=False, ends_at__gt=models.F("starts_at")),
                name="meeting_proposal_time_complete",
                violation_error_message=_("Give both a start and an end, the end after the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry} ↔ {self.person}"
