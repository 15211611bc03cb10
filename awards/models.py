"""Special awards beside the main ranking, their winners, and the audience vote (人气奖).

The rules (who may configure, rank, decide and vote, and how a burst of votes is flagged)
live in ``awards.services``. An award ranks eligible entries by a subset of one judging
round's criteria, or — for the audience award — by votes. Votes are not part of the judges'
totals unless the organiser gives the audience vote a weight in the round's settings (the round
names the audience award whose votes count; ``judging.services.round_standing`` reads its vote
counts), shown on the results.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import pick_language
from events.models import Event
from judging.models import Criterion, Round
from registration.models import Entry, Track


class Award(models.Model):
    """One special award of an event: who may win it, how they are ranked, how many win.

    Its track and round are kept (SET_NULL) when the organiser removes them in registration or
    judging; the services then say what the award is missing instead of failing.
    """

    class Kind(models.TextChoices):
        TRACK = "track", _("Track prize")
        SPONSOR = "sponsor", _("Sponsor prize")
        OVERSEAS = "overseas", _("Best overseas team")
        AUDIENCE = "audience", _("Audience vote")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="awards")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    track = models.ForeignKey(
        Track, verbose_name=_("track"), on_delete=models.SET_NULL, null=True, blank=True, related_name="awards"
    )
    sponsor = models.CharField(_("sponsor"), max_length=200, blank=True)
    eligible_statuses = models.JSONField(_("eligible entry statuses"), default=list)
    overseas_only = models.BooleanField(
        _("overseas teams only"), default=False, help_text=_("Only entries whose team lead lives outside China.")
    )
    round = models.ForeignKey(
        Round, verbose_name=_("judging round"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    criteria = models.ManyToManyField(Criterion, verbose_name=_("criteria"), blank=True, related_name="awards")
    winner_count = models.PositiveSmallIntegerField(_("number of winners"), default=1)
    vote_opened_at = models.DateTimeField(_("vote opened at"), null=True, blank=True)
    vote_closed_at = models.DateTimeField(_("vote closed at"), null=True, blank=True)
    is_published = models.BooleanField(_("winners published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["event_id", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="award_has_a_name"),
            models.CheckConstraint(condition=models.Q(winner_count__gte=1), name="award_has_winners"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def is_audience(self) -> bool:
        return self.kind == self.Kind.AUDIENCE

    @property
    def vote_is_open(self) -> bool:
        return self.is_audience and self.vote_opened_at is not None and self.vote_closed_at is None


class AwardWinner(models.Model):
    """An entry the organiser confirmed as a winner of an award, at a rank."""

    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="winners")
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="award_wins")
    rank = models.PositiveSmallIntegerField(_("rank"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("award winner")
        verbose_name_plural = _("award winners")
        ordering = ["award_id", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["award", "entry"], name="award_winner_unique")]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.entry_id} #{self.rank}"

    @property
    def certificate_number(self) -> str:
        """A stable number printed on the certificate."""
        return f"HZ-{self.award.event_id:03d}-{self.award_id:03d}-{self.pk:05d}"


class AudienceVote(models.Model):
    """One account's vote for an entry in an audience award, with where it came from."""

    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="votes")
    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="audience_votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="audience_votes"
    )
    created_at = models.DateTimeField(_("voted at"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent_hash = models.CharField(_("browser fingerprint"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audience vote")
        verbose_name_plural = _("audience votes")
        ordering = ["award_id", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["award", "voter"], name="audience_vote_one_per_account")]
        indexes = [models.Index(fields=["award", "ip_address", "created_at"])]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.voter_id} → {self.entry_id}"


class VoteFlag(models.Model):
    """Something suspicious in an audience vote, for the organiser to review (votes are kept)."""

    class Kind(models.TextChoices):
        BURST = "burst", _("Many new accounts from one address")

    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    details = models.JSONField(_("details"), default=dict)
    created_at = models.DateTimeField(_("flagged at"))
    reviewed = models.BooleanField(_("reviewed"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vote flag")
        verbose_name_plural = _("vote flags")
        ordering = ["award_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.award_id}: {self.kind}"
