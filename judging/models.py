"""Judging: rounds with weighted criteria, judge assignments and conflicts, scorecards and their audit.

The rules (who may score what and when, how cards lock, how entries advance) live in
``judging.services``; the arithmetic of aggregation and ranking in ``judging.aggregation``.
These models hold the data and the constraints that must hold whatever code writes them.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import pick_language
from events.models import Event
from registration.models import Entry, Track

from . import weights
from .aggregation import Method

COMMENT_MAX = 5000
REASON_MAX = 2000
SCORE_DIGITS = 6
SCORE_PLACES = 2
WEIGHT_DIGITS = 5
WEIGHT_PLACES = 2
EXTRA_WEIGHT_MAX = Decimal(weights.EXTRA_WEIGHT_MAX)


class Round(models.Model):
    """One judging round of an event (初赛, 复赛, 决赛): its entries, window, scale and rules."""

    class Pool(models.TextChoices):
        """Which entries the round judges, by their registration status."""

        SCREENED_IN = "screened_in", _("Entries screened in (and those moved into this round)")
        IN_ROUND = "in_round", _("Entries moved into this round")
        FINALIST = "finalist", _("Finalists")

    class AdvancementRule(models.TextChoices):
        TOP_OVERALL = "top_overall", _("Top N overall")
        TOP_PER_TRACK = "top_per_track", _("Top N in each track")
        THRESHOLD = "threshold", _("Everyone at or above a score")

    class AdvanceTo(models.TextChoices):
        NEXT_ROUND = "next_round", _("The next round")
        FINALIST = "finalist", _("Finalist")
        AWARDED = "awarded", _("Awarded")

    class SignalsMeasure(models.TextChoices):
        """Which live signal of the roadshow rooms counts when the organiser gives signals a weight."""

        INTERESTED = "interested", _("People interested")
        QUESTION_VOTES = "question_votes", _("Question votes")
        REACTIONS = "reactions", _("Reactions")
        PEAK_VIEWERS = "peak_viewers", _("Peak viewers")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round number"), validators=[MinValueValidator(1)])
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    pool = models.CharField(_("entries judged"), max_length=16, choices=Pool.choices, default=Pool.SCREENED_IN)
    tracks = models.ManyToManyField(
        Track,
        verbose_name=_("tracks"),
        blank=True,
        related_name="rounds",
        help_text=_("Leave empty to judge entries of every track."),
    )
    opens_at = models.DateTimeField(_("scoring opens"))
    closes_at = models.DateTimeField(_("scoring closes"))
    blind = models.BooleanField(
        _("blind round"), default=False, help_text=_("Judges do not see names, team, organisations or file details.")
    )
    live = models.BooleanField(
        _("scored live at a roadshow"),
        default=False,
        help_text=_("Every judge of the event scores each pitch on stage; no assignment is needed."),
    )
    scale_min = models.DecimalField(
        _("lowest score"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, default=Decimal(0)
    )
    scale_max = models.DecimalField(
        _("highest score"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, default=Decimal(10)
    )
    method = models.CharField(
        _("aggregation method"),
        max_length=20,
        choices=[
            (Method.WEIGHTED_MEAN.value, _("Weighted mean")),
            (Method.TRIMMED_MEAN.value, _("Trimmed mean (drop the highest and the lowest)")),
            (Method.MEDIAN.value, _("Median")),
            (Method.JUDGE_NORMALISED.value, _("Judge-normalised (z-scores)")),
        ],
        default=Method.WEIGHTED_MEAN.value,
    )
    tie_break_criterion = models.ForeignKey(
        "Criterion",
        verbose_name=_("tie-break criterion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    judges_per_entry = models.PositiveSmallIntegerField(
        _("judges per entry"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    advancement_rule = models.CharField(
        _("who advances"), max_length=16, choices=AdvancementRule.choices, default=AdvancementRule.TOP_OVERALL
    )
    advancement_count = models.PositiveIntegerField(_("N"), null=True, blank=True, validators=[MinValueValidator(1)])
    advancement_threshold = models.DecimalField(
        _("lowest advancing score"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    advance_to = models.CharField(
        _("advancing entries become"), max_length=12, choices=AdvanceTo.choices, default=AdvanceTo.NEXT_ROUND
    )
    audience_weight = models.DecimalField(
        _("audience vote weight (%)"),
        max_digits=WEIGHT_DIGITS,
        decimal_places=WEIGHT_PLACES,
        default=Decimal(0),
        help_text=_(
            "0 keeps the audience vote out of the total. Above 0, the chosen audience award's votes count "
            "this share of each entry's total (at most 50 %); the judges' scores count the rest."
        ),
    )
    audience_award = models.ForeignKey(
        "awards.Award",
        verbose_name=_("audience award whose votes count"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("An audience-vote award of this event; needed when the audience vote weight is above 0."),
    )
    signals_weight = models.DecimalField(
        _("live signal weight (%)"),
        max_digits=WEIGHT_DIGITS,
        decimal_places=WEIGHT_PLACES,
        default=Decimal(0),
        help_text=_(
            "0 shows the roadshow rooms' live signals as evidence only. Above 0, the chosen signal counts "
            "this share of each entry's total; audience vote and live signal together at most 50 %."
        ),
    )
    signals_measure = models.CharField(
        _("live signal that counts"),
        max_length=16,
        choices=SignalsMeasure.choices,
        default=SignalsMeasure.INTERESTED,
        help_text=_(
            "Counted over the entry's pitches in the event's rooms and put on the round's scale: the entry "
            "with the highest count gets the top of the scale."
        ),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    advancement_confirmed_at = models.DateTimeField(_("advancement confirmed at"), null=True, blank=True)
    advancement_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    results_released_at = models.DateTimeField(_("results released at"), null=True, blank=True)
    # Bumped by every change that alters the results, so cached results are never stale.
    results_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("judging round")
        verbose_name_plural = _("judging rounds")
        ordering = ["event_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "number"],
                name="round_number_unique_per_event",
                violation_error_message=_("This event already has a round with this number."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name_zh="", name_en=""),
                name="round_has_a_name",
                violation_error_message=_("Give the round a name in Chinese, English or both."),
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
                violation_error_message=_("Scoring must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(scale_max__gt=models.F("scale_min")),
                name="round_scale_max_above_min",
                violation_error_message=_("The highest score must be above the lowest."),
            ),
            models.CheckConstraint(
                condition=models.Q(advancement_rule="threshold", advancement_threshold__isnull=False)
                | (~models.Q(advancement_rule="threshold") & models.Q(advancement_count__isnull=False)),
                name="round_advancement_rule_complete",
                violation_error_message=_("Give N for a top-N rule, or the lowest advancing score for a threshold."),
            ),
            models.CheckConstraint(
                condition=models.Q(audience_weight__gte=0, signals_weight__gte=0)
                & models.Q(audience_weight__lte=EXTRA_WEIGHT_MAX - models.F("signals_weight")),
                name="round_extra_weights_leave_judges_the_majority",
                violation_error_message=_(
                    "The audience vote and the live signal together may weigh at most 50 %; "
                    "the judges' scores keep the majority."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    def is_open(self, at=None) -> bool:
        """Judges may score now: inside the window and not closed by the organiser."""
        at = at or timezone.now()
        return self.closed_at is None and self.opens_at <= at < self.closes_at

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None or timezone.now() >= self.closes_at

    @property
    def results_released(self) -> bool:
        return self.results_released_at is not None

    @property
    def advancement_confirmed(self) -> bool:
        return self.advancement_confirmed_at is not None

    @property
    def judges_weight(self) -> Decimal:
        """The share of the total, in percent, that the judges' scores count."""
        return Decimal(100) - self.audience_weight - self.signals_weight

    @property
    def is_weighted(self) -> bool:
        """The total includes the audience vote or a live signal, not the judges' scores alone."""
        return self.audience_weight > 0 or self.signals_weight > 0

    @property
    def weights_summary(self) -> str:
        """The sentence shown wherever the round's total appears, or "" when only judges count."""
        if not self.is_weighted:
            return ""
        values = {
            "audience": f"{self.audience_weight.normalize():f}",
            "signal": f"{self.signals_weight.normalize():f}",
            "measure": self.get_signals_measure_display(),
            "judges": f"{self.judges_weight.normalize():f}",
        }
        if self.audience_weight > 0 and self.signals_weight > 0:
            text = _(
                "This round's total includes the audience vote at %(audience)s %% and the live signal "
                "“%(measure)s” at %(signal)s %%; judges' scores count %(judges)s %%."
            )
        elif self.audience_weight > 0:
            text = _(
                "This round's total includes the audience vote at %(audience)s %%; judges' scores count %(judges)s %%."
            )
        else:
            text = _(
                "This round's total includes the live signal “%(measure)s” at %(signal)s %%; "
                "judges' scores count %(judges)s %%."
            )
        return str(text) % values


class Criterion(models.Model):
    """A scored aspect of a round (innovation, market, team, ...) and its weight in percent."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="criteria")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    guidance_zh = models.TextField(
        _("guidance for judges (Chinese)"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )
    guidance_en = models.TextField(
        _("guidance for judges (English)"), max_length=2000, validators=[MaxLengthValidator(2000)], blank=True
    )
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=WEIGHT_DIGITS,
        decimal_places=WEIGHT_PLACES,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["round_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="criterion_has_a_name"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=0, weight__lte=100), name="criterion_weight_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def guidance(self) -> str:
        return pick_language(self.guidance_zh, self.guidance_en)


class Assignment(models.Model):
    """A judge asked to score one entry in one round."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="assignments")
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["round_id", "entry_id", "judge_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry", "judge"], name="assignment_unique"),
        ]
        indexes = [models.Index(fields=["round", "judge"])]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.judge_id} → {self.entry_id}"


class Conflict(models.Model):
    """A judge who must not score an entry: declared by the judge, or the same organisation as its team."""

    class Kind(models.TextChoices):
        DECLARED = "declared", _("Declared by the judge")
        SAME_ORGANISATION = "same_organisation", _("Same organisation as the team")
        OWN_ENTRY = "own_entry", _("The judge is in the team")

    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.CASCADE, related_name="conflicts"
    )
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DECLARED)
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX, validators=[MaxLengthValidator(REASON_MAX)], blank=True
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["entry_id", "judge_id"]
        constraints = [models.UniqueConstraint(fields=["judge", "entry"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.judge_id} ✕ {self.entry_id} ({self.kind})"


class Scorecard(models.Model):
    """One judge's scores for one entry in one round, with comments; kept as a draft until submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("scorecard status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("scorecard status", "Submitted")

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="scorecards")
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="scorecards")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("judge"), on_delete=models.PROTECT, related_name="scorecards"
    )
    status = models.CharField(
        pgettext_lazy("scorecard", "status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    locked = models.BooleanField(_("locked"), default=False)
    reopened = models.BooleanField(_("reopened by an organiser"), default=False)
    comment_to_organisers = models.TextField(
        _("comment to the organisers"), max_length=COMMENT_MAX, validators=[MaxLengthValidator(COMMENT_MAX)], blank=True
    )
    feedback_to_entrant = models.TextField(
        _("feedback to the entrant"), max_length=COMMENT_MAX, validators=[MaxLengthValidator(COMMENT_MAX)], blank=True
    )
    feedback_released = models.BooleanField(_("feedback released to the entrant"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["round_id", "entry_id", "judge_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "entry", "judge"], name="scorecard_unique_per_judge"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(submitted_at__isnull=False),
                name="scorecard_submitted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"]), models.Index(fields=["round", "judge"])]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.judge_id} → {self.entry_id} ({self.status})"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Score(models.Model):
    """The score of one criterion on one card."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("score"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["scorecard_id", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_one_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class ScorecardChange(models.Model):
    """One change to a card: who, when, which field, the old and new value, and why (if given)."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    field = models.CharField(_("field"), max_length=50)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(
        _("reason"), max_length=REASON_MAX, validators=[MaxLengthValidator(REASON_MAX)], blank=True
    )

    class Meta:
        verbose_name = _("scorecard change")
        verbose_name_plural = _("scorecard changes")
        ordering = ["scorecard_id", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.scorecard_id} {self.field}: {self.old_value!r} → {self.new_value!r}"


class RoundOutcome(models.Model):
    """Where an entry ended in a round once the organiser confirmed advancement."""

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="outcomes")
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="round_outcomes")
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    value = models.FloatField(_("score"), null=True, blank=True)
    # The parts of ``value`` when the round weighs in the audience vote or a live signal, as they
    # stood at the confirmation (votes and signals may still move afterwards; the decision does not).
    judges_value = models.FloatField(_("judges' score"), null=True, blank=True)
    audience_votes = models.PositiveIntegerField(_("audience votes"), null=True, blank=True)
    audience_value = models.FloatField(_("audience vote on the scale"), null=True, blank=True)
    signal_count = models.PositiveIntegerField(_("live signal"), null=True, blank=True)
    signal_value = models.FloatField(_("live signal on the scale"), null=True, blank=True)
    advanced = models.BooleanField(_("advanced"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        verbose_name = _("round outcome")
        verbose_name_plural = _("round outcomes")
        ordering = ["round_id", "rank", "entry_id"]
        constraints = [models.UniqueConstraint(fields=["round", "entry"], name="round_outcome_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.entry_id} {'✓' if self.advanced else '✕'}"
