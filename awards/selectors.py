"""Reusable reads of awards: the event's awards, eligible entries, winners, votes and flags."""

from django.db.models import Count, QuerySet

from events.models import Event
from registration.models import Entry, TeamMember

from .models import AudienceVote, Award, AwardWinner, VoteFlag

HOME_COUNTRY = "CN"


def awards_of(event: Event) -> QuerySet[Award]:
    """The event's awards with their numbers of winners and votes (one query)."""
    return (
        Award.objects.filter(event=event)
        .select_related("track", "round")
        .annotate(winner_total=Count("winners", distinct=True), vote_total=Count("votes", distinct=True))
    )


def award_of(event: Event, pk: int) -> Award | None:
    return Award.objects.filter(event=event, pk=pk).select_related("event", "track", "round").first()


def eligible_entries(award: Award) -> QuerySet[Entry]:
    """Entries of the award's event that may win it: by status, track and (if asked) an overseas lead.

    An overseas team is one whose lead's country/region is set and is not China; a lead who
    gave no country is not counted as overseas.
    """
    entries = Entry.objects.filter(event_id=award.event_id, status__in=award.eligible_statuses)
    if award.track_id is not None:
        entries = entries.filter(track_id=award.track_id)
    if award.overseas_only:
        overseas_leads = TeamMember.objects.filter(is_lead=True).exclude(country="").exclude(country=HOME_COUNTRY)
        entries = entries.filter(pk__in=overseas_leads.values("entry_id"))
    return entries.select_related("track").order_by("pk")


def audience_awards(event_id: int) -> QuerySet[Award]:
    """The event's audience-vote awards."""
    return Award.objects.filter(event_id=event_id, kind=Award.Kind.AUDIENCE)


def vote_counts(award: Award) -> dict[int, int]:
    """Votes per entry id in an audience award."""
    return dict(
        AudienceVote.objects.filter(award=award)
        .values_list("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )


def winners_of(award: Award) -> QuerySet[AwardWinner]:
    return AwardWinner.objects.filter(award=award).select_related("entry", "entry__track").order_by("rank", "pk")


def published_winners(event: Event) -> QuerySet[AwardWinner]:
    """Every winner of the event's published awards, award by award (one query)."""
    return (
        AwardWinner.objects.filter(award__event=event, award__is_published=True)
        .select_related("award", "entry", "entry__track")
        .order_by("award_id", "rank", "pk")
    )


def open_votes(event: Event) -> QuerySet[Award]:
    return Award.objects.filter(
        event=event, kind=Award.Kind.AUDIENCE, vote_opened_at__isnull=False, vote_closed_at__isnull=True
    )


def vote_log(award: Award) -> QuerySet[AudienceVote]:
    return AudienceVote.objects.filter(award=award).select_related("voter", "entry").order_by("-created_at", "-pk")


def flags_of(award: Award) -> QuerySet[VoteFlag]:
    return VoteFlag.objects.filter(award=award).select_related("reviewed_by").order_by("reviewed", "-created_at")


def vote_of(award: Award, user) -> AudienceVote | None:
    if not user.is_authenticated:
        return None
    return AudienceVote.objects.filter(award=award, voter=user).select_related("entry").first()
