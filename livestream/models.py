"""Roadshow rooms and their live layer: the stored room log, chat, questions, polls and mutes.

Every change that viewers must see alike is stored as a ``RoomEvent`` with a per-room
increasing ``seq``; chat messages and questions carry the ``seq`` of the event that
announced them, so a client that reconnects can be sent exactly what it missed.
"""

import uuid
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import pick_language
from events.models import Event
from registration.storage import private_storage

MAX_SLOW_MODE_SECONDS = 3600
MAX_PITCH_MINUTES = 120


def embed_host_allowed(url: str) -> bool:
    """Is ``url`` an https address on a host the organisers approved (``LIVESTREAM_EMBED_HOSTS``)?"""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and host in {h.lower() for h in settings.LIVESTREAM_EMBED_HOSTS}


def recording_path(instance: "RoadshowRoom", filename: str) -> str:
    """A random name: recordings of registered-only rooms must not be found by guessing their address."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"recordings/{uuid.uuid4().hex}{suffix}"


class RoadshowRoom(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone may watch, posting needs sign-in")
        REGISTERED = "registered", _("Registered users only")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("room status", "Scheduled")
        LIVE = "live", pgettext_lazy("room status", "Live")
        ENDED = "ended", pgettext_lazy("room status", "Ended")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="rooms")
    slug = models.SlugField(_("short name in the address"), max_length=60, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    visibility = models.CharField(
        _("who may watch"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(
        pgettext_lazy("room", "status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    started_at = models.DateTimeField(_("went live at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    hls_url = models.URLField(
        _("HLS stream address"), max_length=500, blank=True, help_text=_("An .m3u8 address played in the page.")
    )
    embed_url = models.URLField(
        _("embedded player address"),
        max_length=500,
        blank=True,
        help_text=_("An https address on one of the video hosts the organisers approved."),
    )
    # Private storage: served only through the room's permission-checked recording view.
    recording = models.FileField(
        _("recording for replay"), upload_to=recording_path, storage=private_storage, max_length=200, blank=True
    )
    slow_mode_seconds = models.PositiveIntegerField(
        _("slow mode (seconds between messages)"),
        default=0,
        help_text=_("0 turns slow mode off. Moderators are never slowed down."),
    )
    judging_round = models.ForeignKey(
        "judging.Round",
        verbose_name=_("live judging round"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rooms",
        help_text=_("A round scored live: the event's judges score each pitch in the room."),
    )
    # The newest seq handed out in this room; bumped by the transaction that stores an event.
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("roadshow room")
        verbose_name_plural = _("roadshow rooms")
        ordering = ["scheduled_start", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_zh="", title_en=""),
                name="room_has_a_title",
                violation_error_message=_("Give the room a title in Chinese, English or both."),
            ),
            models.CheckConstraint(
                condition=models.Q(hls_url="") | models.Q(embed_url=""),
                name="room_one_live_video_source",
                violation_error_message=_("Give either an HLS address or an embedded player address, not both."),
            ),
            models.CheckConstraint(
                condition=models.Q(slow_mode_seconds__lte=MAX_SLOW_MODE_SECONDS),
                name="room_slow_mode_at_most_an_hour",
                violation_error_message=_("Slow mode can be at most one hour."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("livestream:room", kwargs={"slug": self.slug})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.hls_url and not urlsplit(self.hls_url).path.lower().endswith(".m3u8"):
            errors["hls_url"] = ValidationError(
                _("An HLS stream address ends in .m3u8 (the stream's playlist)."), code="hls_playlist"
            )
        if self.embed_url and not embed_host_allowed(self.embed_url):
            errors["embed_url"] = ValidationError(
                _("This video host is not on the organisers' approved list: %(hosts)s."),
                code="embed_host",
                params={"hosts": ", ".join(settings.LIVESTREAM_EMBED_HOSTS)},
            )
        if self.judging_round_id and (self.judging_round.event_id != self.event_id or not self.judging_round.live):
            errors["judging_round"] = ValidationError(
                _("Choose a round of this event that is scored live."), code="judging_round"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def is_ended(self) -> bool:
        return self.status == self.Status.ENDED

    @property
    def recording_url(self) -> str:
        """The permission-checked address of the recording, or "" when there is none."""
        return reverse("livestream:recording", kwargs={"slug": self.slug}) if self.recording else ""


class Visibility(models.TextChoices):
    """Who receives a room event: everyone in the room, or only its moderators or judges."""

    ALL = "all", _("Everyone in the room")
    MODERATORS = "moderators", _("Moderators")
    JUDGES = "judges", _("Judges and moderators")


class RoomEvent(models.Model):
    """One entry of a room's ordered log; ``payload`` plus ``type`` and ``seq`` is the frame sent."""

    room = models.ForeignKey(RoadshowRoom, on_delete=models.CASCADE, related_name="log")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.ALL)
    # A hidden chat message or question is left out when the log is replayed.
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("room event")
        verbose_name_plural = _("room events")
        ordering = ["room", "seq"]
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="room_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.room.slug} #{self.seq} {self.type}"


class ChatMessage(models.Model):
    room = models.ForeignKey(RoadshowRoom, on_delete=models.CASCADE, related_name="chat_messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("message"))
    client_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user", "client_id"], name="chat_client_id_unique"),
            models.UniqueConstraint(fields=["room", "seq"], name="chat_seq_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class Question(models.Model):
    room = models.ForeignKey(RoadshowRoom, on_delete=models.CASCADE, related_name="questions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("question"))
    client_id = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    # Kept equal to the number of QuestionVote rows by question_upvote, so lists sort without counting.
    votes = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(_("answered"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    # Set when a moderator turned a chat message into this question: a message becomes one question at most.
    source_message = models.OneToOneField(
        ChatMessage,
        verbose_name=_("from chat message"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="question",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["room", "-votes", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user", "client_id"], name="question_client_id_unique"),
            models.UniqueConstraint(fields=["room", "seq"], name="question_seq_unique"),
        ]

    def __str__(self) -> str:
        return self.text[:50]


class QuestionVote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="question_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="question_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.question_id}"


class Poll(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("poll status", "Open")
        CLOSED = "closed", pgettext_lazy("poll status", "Closed")

    room = models.ForeignKey(RoadshowRoom, on_delete=models.CASCADE, related_name="polls")
    question_zh = models.CharField(_("question (Chinese)"), max_length=200, blank=True)
    question_en = models.CharField(_("question (English)"), max_length=200, blank=True)
    status = models.CharField(pgettext_lazy("poll", "status"), max_length=8, choices=Status.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["room", "opened_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(status="open"),
                name="poll_one_open_per_room",
                violation_error_message=_("Close the open poll before opening another one."),
            ),
            models.CheckConstraint(
                condition=~models.Q(question_zh="", question_en=""),
                name="poll_has_a_question",
                violation_error_message=_("Give the poll a question in Chinese, English or both."),
            ),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def question(self) -> str:
        return pick_language(self.question_zh, self.question_en)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label_zh = models.CharField(_("answer (Chinese)"), max_length=100, blank=True)
    label_en = models.CharField(_("answer (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position", "pk"]

    def __str__(self) -> str:
        return pick_language(self.label_zh, self.label_en)


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "user"], name="poll_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.option_id}"


class RoomMute(models.Model):
    """A user who may watch a room but not post in it, until a moderator lifts the mute."""

    room = models.ForeignKey(RoadshowRoom, on_delete=models.CASCADE, related_name="mutes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("muted user")
        verbose_name_plural = _("muted users")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_mute_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.room}"


class AgendaSlot(models.Model):
    """One pitch on a room's agenda: which entry presents, in which order, for how long.

    A slot is pending until the organiser starts it, presenting while its timer runs (at most
    one per room), and done once it ended. Its timer ends ``duration_minutes`` plus
    ``extended_seconds`` after ``started_at``.
    """

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("pitch state", "Coming up")
        PRESENTING = "presenting", pgettext_lazy("pitch state", "Presenting")
        DONE = "done", pgettext_lazy("pitch state", "Done")

    room = models.ForeignKey(RoadshowRoom, verbose_name=_("room"), on_delete=models.CASCADE, related_name="slots")
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("entry"), on_delete=models.PROTECT, related_name="roadshow_slots"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("pitch length (minutes)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PITCH_MINUTES)],
    )
    state = models.CharField(
        pgettext_lazy("pitch", "state"), max_length=12, choices=State.choices, default=State.PENDING
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    extended_seconds = models.PositiveIntegerField(_("extra time (seconds)"), default=0)

    class Meta:
        verbose_name = _("agenda slot")
        verbose_name_plural = _("agenda slots")
        ordering = ["room", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "entry"],
                name="agenda_slot_entry_once_per_room",
                violation_error_message=_("An entry can pitch only once in a room."),
            ),
            models.UniqueConstraint(
                fields=["room"],
                condition=models.Q(state="presenting"),
                name="agenda_slot_one_presenting_per_room",
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MAX_PITCH_MINUTES),
                name="agenda_slot_duration_1_to_120_minutes",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(started_at__isnull=False),
                name="agenda_slot_started_has_start_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room.slug} #{self.position} {self.entry}"

    @property
    def ends_at(self) -> datetime | None:
        if self.started_at is None:
            return None
        return self.started_at + timedelta(minutes=self.duration_minutes, seconds=self.extended_seconds)


class RoomInterest(models.Model):
    """A viewer's "I'm interested" in a project pitched in a room: a lead the docking app follows up.

    One per person per entry, wherever they marked it; ``room`` and ``slot`` record where.
    """

    room = models.ForeignKey(RoadshowRoom, verbose_name=_("room"), on_delete=models.CASCADE, related_name="interests")
    slot = models.ForeignKey(
        AgendaSlot, verbose_name=_("pitch"), on_delete=models.SET_NULL, null=True, blank=True, related_name="interests"
    )
    entry = models.ForeignKey(
        "registration.Entry", verbose_name=_("entry"), on_delete=models.CASCADE, related_name="room_interests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="room_interests"
    )
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interest in a project")
        verbose_name_plural = _("interest in projects")
        ordering = ["entry", "-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "user"], name="room_interest_once_per_entry")]

    def __str__(self) -> str:
        return f"{self.user} → {self.entry}"


class PitchSignals(models.Model):
    """What the audience did during one pitch, recorded by the room hubs once per tick: evidence for
    the organisers, not part of a judging total unless the organiser gives one of these signals a
    weight in the round's settings (``judging.services.round_standing``), shown on the results.

    Each hub samples the room's whole viewer count (its own sockets plus the other processes'
    announced counts), so the mean of all samples is the mean viewer count however many processes
    serve the room; reactions are added by the process that received them. Question votes and
    interest marks are read from their own rows (``selectors.pitch_signals_of_entries``).
    """

    slot = models.OneToOneField(AgendaSlot, verbose_name=_("pitch"), on_delete=models.CASCADE, related_name="signals")
    peak_viewers = models.PositiveIntegerField(_("peak viewers"), default=0)
    viewer_samples = models.PositiveIntegerField(default=0)
    viewers_sampled = models.PositiveBigIntegerField(default=0)
    reactions = models.JSONField(_("reactions"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("live signals of a pitch")
        verbose_name_plural = _("live signals of pitches")

    def __str__(self) -> str:
        return f"{self.slot_id}: {self.peak_viewers}"

    @property
    def average_viewers(self) -> float | None:
        return self.viewers_sampled / self.viewer_samples if self.viewer_samples else None
