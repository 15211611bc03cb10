"""Reusable reads of registration data, with their joins, so every page and the API ask alike."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from events.models import Event, EventRole, Role
from events.services import can

from .models import Answer, Attachment, Entry, EntryNote, Question, Status, StatusChange, TeamMember, Track

CHINA_TIME = ZoneInfo("Asia/Shanghai")


def tracks_of(event: Event) -> QuerySet[Track]:
    return Track.objects.filter(event=event).order_by("position", "id")


def questions_of(event: Event) -> list[Question]:
    return list(Question.objects.filter(event=event).order_by("position", "id"))


def lead_prefetch() -> Prefetch:
    return Prefetch("team", queryset=TeamMember.objects.filter(is_lead=True), to_attr="lead_members")


def entries_visible_to(user, event: Event) -> QuerySet[Entry]:
    """All entries of the event for its organisers; only their own for anyone else."""
    qs = Entry.objects.filter(event=event)
    if can(user, "entry.view_all", event):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(owner=user)


def entry_for_page(user, event: Event, pk: int) -> Entry | None:
    """One entry with everything its page shows, or None if ``user`` may not see it."""
    return (
        entries_visible_to(user, event)
        .select_related("event", "track", "owner")
        .prefetch_related(
            Prefetch("team", queryset=TeamMember.objects.order_by("-is_lead", "position", "id")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("question")),
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
        )
        .filter(pk=pk)
        .first()
    )


def entry_notes(entry: Entry) -> QuerySet[EntryNote]:
    return EntryNote.objects.filter(entry=entry).select_related("author").order_by("created_at", "id")


def entries_of_owner(user) -> QuerySet[Entry]:
    """A person's own entries in every event, newest first, for 'my entries' and the dashboard."""
    return (
        Entry.objects.filter(owner=user)
        .select_related("event", "track")
        .prefetch_related(Prefetch("status_changes", queryset=StatusChange.objects.order_by("changed_at", "id")))
        .order_by("-event__starts_on", "-created_at")
    )


SEARCH_FIELDS = ("title_en", "title_zh", "summary", "technology", "planned_city")


def _search(qs: QuerySet[Entry], text: str) -> QuerySet[Entry]:
    """PostgreSQL full-text search (plus substring match for Chinese, which has no spaces
    between words); a case-insensitive substring search elsewhere.

    On PostgreSQL the full-text part is a subquery so that it uses the GIN index of
    migration 0003 (built on exactly this ``SearchVector``) instead of computing a
    vector for every row.
    """
    substring = (
        Q(title_zh__icontains=text)
        | Q(title_en__icontains=text)
        | Q(summary__icontains=text)
        | Q(lead_email__icontains=text)
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        matches = (
            Entry.objects.annotate(search=SearchVector(*SEARCH_FIELDS, config="simple"))
            .filter(search=SearchQuery(text, config="simple", search_type="websearch"))
            .values("pk")
        )
        return qs.filter(Q(pk__in=matches) | substring)
    return qs.filter(substring | Q(technology__icontains=text) | Q(planned_city__icontains=text))


def _title_order() -> list[str]:
    first, second = ("title_zh", "title_en") if (get_language() or "").startswith("zh") else ("title_en", "title_zh")
    return [first, second, "id"]


SORT_ORDERS = {
    "-submitted_at": lambda: ["-submitted_at", "-id"],
    "submitted_at": lambda: ["submitted_at", "id"],
    "title": _title_order,
    "track": lambda: ["track__position", "-submitted_at", "id"],
    "status": lambda: ["status", "-submitted_at", "id"],
    "-funding_sought": lambda: ["-funding_sought", "id"],
}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TIME)


def entries_for_screening(
    event: Event,
    *,
    q: str = "",
    track: Track | None = None,
    status: str = "",
    country: str = "",
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    sort: str = "",
) -> QuerySet[Entry]:
    """The organisers' list: filtered, searched and sorted, with what each row shows.

    Drafts are left out unless asked for. Dates are whole days in China time.
    """
    qs = Entry.objects.filter(event=event)
    qs = qs.filter(status=status) if status else qs.exclude(status=Status.DRAFT)
    if track is not None:
        qs = qs.filter(track=track)
    if country:
        qs = qs.filter(team__is_lead=True, team__country=country.upper())
    if submitted_from:
        qs = qs.filter(submitted_at__gte=_day_start(submitted_from))
    if submitted_to:
        qs = qs.filter(submitted_at__lt=_day_start(submitted_to) + timedelta(days=1))
    if q.strip():
        qs = _search(qs, q.strip())
    order = SORT_ORDERS.get(sort, SORT_ORDERS["-submitted_at"])()
    return qs.select_related("event", "track", "owner").prefetch_related(lead_prefetch()).order_by(*order)


def lead_countries(event: Event) -> list[tuple[str, str]]:
    """(code, name) of the countries/regions of the event's team leads, for the filter."""
    codes = (
        TeamMember.objects.filter(entry__event=event, is_lead=True)
        .exclude(country="")
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    return sorted(((code, countries.name(code)) for code in codes), key=lambda pair: pair[1])


def duplicate_hints(event: Event, entries: list[Entry]) -> dict[int, list[str]]:
    """For each listed entry, why it may duplicate another entry of the event.

    Likely duplicates share the lead's e-mail address or a title that is the same once
    case, spaces and punctuation are ignored. Three queries, whatever the number of rows.
    """
    emails = {e.lead_email for e in entries if e.lead_email}
    zh_keys = {e.title_zh_key for e in entries if e.title_zh_key}
    en_keys = {e.title_en_key for e in entries if e.title_en_key}
    base = Entry.objects.filter(event=event)
    shared_emails = set(
        base.filter(lead_email__in=emails)
        .values("lead_email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("lead_email", flat=True)
    )
    shared_zh = set(
        base.filter(title_zh_key__in=zh_keys)
        .values("title_zh_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("title_zh_key", flat=True)
    )
    shared_en = set(
        base.filter(title_en_key__in=en_keys)
        .values("title_en_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("title_en_key", flat=True)
    )
    hints: dict[int, list[str]] = {}
    for entry in entries:
        reasons = []
        if entry.lead_email in shared_emails:
            reasons.append(_("Same lead e-mail as another entry"))
        if entry.title_zh_key in shared_zh or entry.title_en_key in shared_en:
            reasons.append(_("Nearly the same title as another entry"))
        if reasons:
            hints[entry.pk] = reasons
    return hints


def duplicates_of(entry: Entry) -> QuerySet[Entry]:
    """Other entries of the same event with the same lead e-mail or a near-identical title."""
    match = Q()
    if entry.lead_email:
        match |= Q(lead_email=entry.lead_email)
    if entry.title_zh_key:
        match |= Q(title_zh_key=entry.title_zh_key)
    if entry.title_en_key:
        match |= Q(title_en_key=entry.title_en_key)
    if not match:
        return Entry.objects.none()
    return Entry.objects.filter(match, event_id=entry.event_id).exclude(pk=entry.pk).select_related("track")


def status_counts(event: Event) -> dict[str, int]:
    rows = Entry.objects.filter(event=event).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def organiser_screening_counts(user) -> list[tuple[Event, int, int]]:
    """(event, entries waiting to be screened, all submitted or later) for each event the user organises."""
    event_ids = EventRole.objects.filter(user=user, role=Role.ORGANISER).values("event_id")
    events = (
        Event.objects.filter(pk__in=event_ids)
        .annotate(
            to_screen=Count("entries", filter=Q(entries__status=Status.SUBMITTED)),
            received=Count("entries", filter=~Q(entries__status=Status.DRAFT)),
        )
        .order_by("-starts_on")
    )
    return [(event, event.to_screen, event.received) for event in events]
