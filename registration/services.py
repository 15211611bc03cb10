"""Registration rules: set-up, entries, teams, files, answers, submission and status changes.

Who may do what is asked of ``events.services.can``/``require``; on top of that an entry
is changed only by its owner, only while it is a draft or submitted, and only inside
the event's registration window. Status changes follow ``TRANSITIONS`` and each one is
kept as a ``StatusChange`` (who, when, from, to, why).
"""

import contextlib
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as KombuOperationalError

from accounts.models import User
from core.tasks import enqueue
from events.models import Event, Role
from events.services import require, role_grant

from . import exports
from .files import LOGO_MAX_SIDE, any_file_check, image_check, pdf_check
from .models import (
    Answer,
    Attachment,
    Entry,
    EntryNote,
    ExportJob,
    Question,
    RegistrationSettings,
    Status,
    StatusChange,
    TeamMember,
    Track,
    export_folder,
)

CHINA_TIME = ZoneInfo("Asia/Shanghai")
logger = logging.getLogger(__name__)
MAX_PHOTOS = 6

# Which status may follow which. Entrants submit and withdraw; organisers do the rest.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.SCREENED_IN, Status.SCREENED_OUT, Status.WITHDRAWN}),
    Status.SCREENED_IN: frozenset({Status.SCREENED_OUT, Status.IN_ROUND, Status.WITHDRAWN}),
    Status.SCREENED_OUT: frozenset({Status.SCREENED_IN}),
    Status.IN_ROUND: frozenset({Status.IN_ROUND, Status.FINALIST, Status.WITHDRAWN}),
    Status.FINALIST: frozenset({Status.AWARDED, Status.WITHDRAWN}),
    Status.AWARDED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
ORGANISER_STATUSES = frozenset(
    {Status.SCREENED_IN, Status.SCREENED_OUT, Status.IN_ROUND, Status.FINALIST, Status.AWARDED}
)
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED})

ENTRY_FIELDS = frozenset(
    {
        "track",
        "title_zh",
        "title_en",
        "summary",
        "stage",
        "technology",
        "ip_summary",
        "patent_count",
        "funding_sought",
        "planned_city",
        "planned_park",
        "video_url",
    }
)
TEAM_FIELDS = frozenset({"name", "role", "email", "organisation", "country", "years_abroad"})


class EntryIncomplete(ValidationError):
    """Raised by ``entry_submit`` (and by changes to a submitted entry) with what is missing."""

    def __init__(self, missing: list["Missing"]):
        super().__init__([ValidationError(m.message, code="incomplete") for m in missing])
        self.missing = missing


@dataclass(frozen=True)
class Missing:
    """One thing an entry lacks before it can be submitted; ``key`` names the form section."""

    key: str
    message: str

    def __str__(self) -> str:
        return self.message


# --- Helpers ---------------------------------------------------------------------------


def china_time(moment) -> str:
    """A moment as text in China time, the programme's reference zone."""
    return _("%(time)s (China time)") % {"time": timezone.localtime(moment, CHINA_TIME).strftime("%Y-%m-%d %H:%M")}


def normalise_title(title: str) -> str:
    """Lower case, without spaces or punctuation: near-identical titles give the same key."""
    return re.sub(r"[\W_]+", "", title.casefold())[:200]


def registration_settings_of(event: Event) -> RegistrationSettings | None:
    try:
        return event.registration_settings
    except RegistrationSettings.DoesNotExist:
        return None


def registration_window_check(event: Event) -> None:
    """Raise ``ValidationError`` unless the event's registration window is open now."""
    window = registration_settings_of(event)
    now = timezone.now()
    if window is None:
        raise ValidationError(_("Registration for this event is not open."), code="no_window")
    if now < window.opens_at:
        raise ValidationError(
            _("Registration opens on %(time)s.") % {"time": china_time(window.opens_at)}, code="not_open_yet"
        )
    if window.has_closed(now):
        raise ValidationError(
            _("Registration closed on %(time)s; entries can no longer be changed or submitted.")
            % {"time": china_time(window.closes_at)},
            code="closed",
        )


def _require_owner(entry: Entry, user) -> None:
    if user is None or not user.is_authenticated or entry.owner_id != user.pk:
        raise PermissionDenied(_("This is not your entry."))


STATUS_FIELDS = ("status", "round_number", "status_reason", "submitted_at")


def _sync_status(entry: Entry, source: Entry | None = None) -> None:
    """Copy the status fields from ``source`` (or the database) so a stale object cannot act on an old status."""
    if source is None:
        entry.refresh_from_db(fields=STATUS_FIELDS)
    else:
        for name in STATUS_FIELDS:
            setattr(entry, name, getattr(source, name))


def _require_editable(entry: Entry, user) -> None:
    """Owner only, while draft or submitted, inside the registration window."""
    _require_owner(entry, user)
    _sync_status(entry)
    if entry.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This entry can no longer be changed: its status is “%(status)s”.")
            % {"status": entry.get_status_display()},
            code="locked",
        )
    registration_window_check(entry.event)


def _check_track(entry: Entry) -> None:
    if entry.track_id is not None and entry.track.event_id != entry.event_id:
        raise ValidationError({"track": _("Choose a track of this event.")}, code="bad_track")


def _still_complete(entry: Entry) -> None:
    """A submitted entry must stay complete: raise (and so roll back) if a change broke that."""
    if entry.status == Status.SUBMITTED:
        missing = entry_missing(entry)
        if missing:
            raise EntryIncomplete(missing)


# --- Organiser set-up ------------------------------------------------------------------


def track_create(
    *,
    event: Event,
    created_by: User,
    name_zh: str,
    name_en: str,
    description_zh: str = "",
    description_en: str = "",
    position: int | None = None,
) -> Track:
    """Add a track to the event (organisers)."""
    require(created_by, "registration.configure", event)
    if position is None:
        position = event.tracks.count() + 1
    track = Track(
        event=event,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        description_zh=description_zh,
        description_en=description_en,
        position=position,
    )
    if not (track.name_zh or track.name_en):
        raise ValidationError(_("Give the track a name in Chinese, English or both."), code="no_name")
    track.full_clean()
    track.save()
    return track


def track_update(*, track: Track, changed_by: User, **fields) -> Track:
    require(changed_by, "registration.configure", track.event)
    unknown = set(fields) - {"name_zh", "name_en", "description_zh", "description_en", "position"}
    if unknown:
        raise ValueError(f"Fields not editable here: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(track, name, value)
    if not (track.name_zh or track.name_en):
        raise ValidationError(_("Give the track a name in Chinese, English or both."), code="no_name")
    track.full_clean()
    track.save()
    return track


def track_delete(*, track: Track, deleted_by: User) -> None:
    """Remove a track that no entry uses yet."""
    require(deleted_by, "registration.configure", track.event)
    if track.entries.exists():
        raise ValidationError(_("Entries use this track; move them to another track first."), code="track_in_use")
    track.delete()


def registration_settings_set(
    *,
    event: Event,
    changed_by: User,
    opens_at,
    closes_at,
    require_deck: bool = True,
    require_logo: bool = False,
    max_team_members: int = 10,
    reminder_days_before: int = 3,
    notes_zh: str = "",
    notes_en: str = "",
) -> RegistrationSettings:
    """Set the registration window and requirements (organisers). Times must be time-zone aware.

    Moving the deadline re-arms the reminder to owners of unsubmitted drafts.
    """
    require(changed_by, "registration.configure", event)
    if timezone.is_naive(opens_at) or timezone.is_naive(closes_at):
        raise ValueError("Registration times must be time-zone aware.")
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("Registration must close after it opens.")}, code="bad_window")
    window = registration_settings_of(event) or RegistrationSettings(event=event)
    if window.pk and window.closes_at != closes_at:
        window.reminder_sent_at = None
    window.opens_at = opens_at
    window.closes_at = closes_at
    window.require_deck = require_deck
    window.require_logo = require_logo
    window.max_team_members = max_team_members
    window.reminder_days_before = reminder_days_before
    window.notes_zh = notes_zh
    window.notes_en = notes_en
    window.full_clean()
    window.save()
    event.registration_settings = window
    return window


def _question_validate(question: Question) -> None:
    """Rules every question must follow, whoever writes it."""
    errors: dict[str, str] = {}
    if not (question.label_zh.strip() or question.label_en.strip()):
        errors["label_zh"] = _("Write the question in Chinese, English or both.")
    values = [c.get("value") for c in question.choices]
    if question.is_choice:
        if len(values) < 2:
            errors["choices"] = _("A choice question needs at least two choices.")
        elif len(set(values)) != len(values) or not all(values):
            errors["choices"] = _("Each choice needs its own, different wording.")
    elif question.choices:
        errors["choices"] = _("Only choice questions have choices.")
    if question.is_eligibility:
        if not question.is_choice:
            errors["is_eligibility"] = _("Only choice questions can decide eligibility.")
        elif not question.eligible_choices or not set(question.eligible_choices) <= set(values):
            errors["eligible_choices"] = _("Pick at least one of the choices as the eligible answer.")
    elif question.eligible_choices:
        question.eligible_choices = []
    if question.min_value is not None and question.max_value is not None and question.min_value > question.max_value:
        errors["max_value"] = _("The largest number must not be smaller than the smallest.")
    if errors:
        raise ValidationError(errors)
    question.full_clean()


QUESTION_FIELDS = frozenset(
    {
        "kind",
        "label_zh",
        "label_en",
        "help_zh",
        "help_en",
        "choices",
        "required",
        "is_eligibility",
        "eligible_choices",
        "min_value",
        "max_value",
        "max_length",
        "position",
    }
)


def question_create(*, event: Event, created_by: User, **fields) -> Question:
    """Add an extra (or eligibility) question to the event's registration form (organisers)."""
    require(created_by, "registration.configure", event)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ValueError(f"Not question fields: {sorted(unknown)}")
    fields.setdefault("position", event.questions.count() + 1)
    question = Question(event=event, **fields)
    _question_validate(question)
    question.save()
    return question


def question_update(*, question: Question, changed_by: User, **fields) -> Question:
    require(changed_by, "registration.configure", question.event)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise ValueError(f"Not question fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(question, name, value)
    _question_validate(question)
    question.save()
    return question


def question_delete(*, question: Question, deleted_by: User) -> None:
    """Remove a question; the answers given to it go with it."""
    require(deleted_by, "registration.configure", question.event)
    question.delete()


# --- Entries -----------------------------------------------------------------------------


def _apply_entry_fields(entry: Entry, fields: dict) -> None:
    unknown = set(fields) - ENTRY_FIELDS
    if unknown:
        raise ValueError(f"Not entry fields: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str) and name != "video_url":
            value = value.strip()
        setattr(entry, name, value)
    entry.video_url = (entry.video_url or "").strip()
    entry.title_zh_key = normalise_title(entry.title_zh)
    entry.title_en_key = normalise_title(entry.title_en)
    _check_track(entry)
    entry.full_clean()


def entry_create(*, event: Event, owner: User, **fields) -> Entry:
    """Start a draft entry while registration is open. The owner becomes the team lead
    and an entrant of the event."""
    require(owner, "entry.create", event)
    registration_window_check(event)
    entry = Entry(event=event, owner=owner, lead_email=owner.email.lower())
    _apply_entry_fields(entry, fields)
    with transaction.atomic():
        entry.save()
        TeamMember.objects.create(
            entry=entry,
            is_lead=True,
            name=(owner.name_zh or owner.name_en or owner.display_name)[:100],
            email=owner.email,
            organisation=(owner.organisation.name if owner.organisation_id else "")[:200],
            country=owner.country,
        )
        StatusChange.objects.create(entry=entry, from_status="", to_status=Status.DRAFT, changed_by=owner)
        role_grant(event=event, user=owner, role=Role.ENTRANT, granted_by=None)
    return entry


def entry_update(*, entry: Entry, changed_by: User, **fields) -> Entry:
    """Save changes to the entry (the draft autosave uses this too).

    Owner only, while the entry is a draft or submitted and before the deadline. Drafts
    may be incomplete; a submitted entry must stay complete (``EntryIncomplete``).
    """
    _require_editable(entry, changed_by)
    _apply_entry_fields(entry, fields)
    with transaction.atomic():
        _still_complete(entry)
        entry.save(update_fields=[*fields, "title_zh_key", "title_en_key", "updated_at"])
    return entry


def entry_missing(entry: Entry) -> list[Missing]:
    """Everything the entry lacks before it can be submitted, in form order."""
    missing: list[Missing] = []
    if not (entry.title_zh.strip() or entry.title_en.strip()):
        missing.append(Missing("title", _("A project title (in Chinese, English or both)")))
    if entry.track_id is None:
        missing.append(Missing("track", _("A track")))
    if not entry.summary.strip():
        missing.append(Missing("summary", _("A summary of the project")))
    if not entry.stage:
        missing.append(Missing("stage", _("The project's stage")))
    if not entry.technology.strip():
        missing.append(Missing("technology", _("A description of the technology")))
    if entry.funding_sought is None:
        missing.append(Missing("funding_sought", _("The funding sought (CNY)")))
    if not entry.planned_city.strip():
        missing.append(Missing("planned_city", _("The city where the project plans to land")))

    window = registration_settings_of(entry.event)
    team = list(entry.team.all())
    lead = next((m for m in team if m.is_lead), None)
    if lead is None or not (lead.name.strip() and lead.email and lead.country):
        missing.append(Missing("team", _("The team lead's name, e-mail address and country/region")))
    if window is not None and len(team) > window.max_team_members:
        missing.append(
            Missing(
                "team",
                _("A team of at most %(limit)s people (lead included); it now has %(count)s")
                % {"limit": window.max_team_members, "count": len(team)},
            )
        )

    files = list(entry.attachments.all())
    kinds = {a.kind for a in files}
    if window is not None and window.require_deck and Attachment.Kind.DECK not in kinds:
        missing.append(Missing("deck", _("A pitch deck (PDF)")))
    if window is not None and window.require_logo and Attachment.Kind.LOGO not in kinds:
        missing.append(Missing("logo", _("A logo")))

    answered_files = {a.question_id for a in files if a.kind == Attachment.Kind.ANSWER}
    answers = {a.question_id: a for a in entry.answers.all()}
    for question in entry.event.questions.all():
        key = f"q_{question.pk}"
        if question.kind == Question.Kind.FILE:
            if question.required and question.pk not in answered_files:
                missing.append(Missing(key, _("A file for “%(question)s”") % {"question": question.label}))
            continue
        answer = answers.get(question.pk)
        if answer is None or answer.is_blank():
            if question.required or question.is_eligibility:
                missing.append(Missing(key, _("An answer to “%(question)s”") % {"question": question.label}))
            continue
        valid_values = {c["value"] for c in question.choices}
        given = answer.value if isinstance(answer.value, list) else [answer.value]
        if question.is_choice and not set(given) <= valid_values:
            missing.append(
                Missing(key, _("A new answer to “%(question)s” (its choices changed)") % {"question": question.label})
            )
        elif question.is_eligibility and not set(given) & set(question.eligible_choices):
            missing.append(
                Missing(
                    key,
                    _("Your answer to “%(question)s” does not meet the eligibility rules")
                    % {"question": question.label},
                )
            )
    return missing


def _transition(entry: Entry, to_status: str, *, by: User | None, reason: str = "", round_number=None) -> StatusChange:
    change = StatusChange.objects.create(
        entry=entry,
        from_status=entry.status,
        to_status=to_status,
        round_number=round_number if to_status == Status.IN_ROUND else None,
        reason=reason,
        changed_by=by,
    )
    entry.status = to_status
    entry.round_number = round_number if to_status == Status.IN_ROUND else entry.round_number
    entry.status_reason = reason
    entry.save(update_fields=["status", "round_number", "status_reason", "submitted_at", "updated_at"])
    transaction.on_commit(lambda: _queue_status_notice(change.pk), robust=True)
    return change


def _queue_status_notice(change_id: int) -> None:
    from .tasks import notify_status_change  # the tasks module calls these services

    enqueue(notify_status_change, change_id)


def entry_submit(*, entry: Entry, submitted_by: User) -> Entry:
    """Submit a complete entry inside the registration window (owner only).

    Raises ``EntryIncomplete`` listing what is missing. Submitting an entry that is
    already submitted (or further along) changes nothing and sends nothing.
    """
    _require_owner(entry, submitted_by)
    with transaction.atomic():
        locked = Entry.objects.select_for_update(of=("self",)).select_related("event").get(pk=entry.pk)
        if locked.status == Status.WITHDRAWN:
            raise ValidationError(_("A withdrawn entry cannot be submitted."), code="withdrawn")
        if locked.status != Status.DRAFT:
            _sync_status(entry, locked)
            return locked
        registration_window_check(locked.event)
        missing = entry_missing(locked)
        if missing:
            raise EntryIncomplete(missing)
        locked.submitted_at = timezone.now()
        _transition(locked, Status.SUBMITTED, by=submitted_by)
    _sync_status(entry, locked)
    return locked


def entry_withdraw(*, entry: Entry, withdrawn_by: User, reason: str = "") -> Entry:
    """Withdraw the entry (owner only, at any time before it is screened out or awarded).

    Withdrawing twice changes nothing the second time.
    """
    _require_owner(entry, withdrawn_by)
    if len(reason) > 2000:
        raise ValidationError(_("Keep the reason to at most 2,000 characters."), code="too_long")
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == Status.WITHDRAWN:
            _sync_status(entry, locked)
            return locked
        if Status.WITHDRAWN not in TRANSITIONS[locked.status]:
            raise ValidationError(
                _("An entry with the status “%(status)s” cannot be withdrawn.")
                % {"status": locked.get_status_display()},
                code="bad_transition",
            )
        _transition(locked, Status.WITHDRAWN, by=withdrawn_by, reason=reason.strip())
    _sync_status(entry, locked)
    return locked


def _may_move(entry: Entry, to_status: str, round_number: int | None) -> bool:
    if to_status not in TRANSITIONS[entry.status]:
        return False
    if entry.status == Status.IN_ROUND and to_status == Status.IN_ROUND:
        return round_number is not None and round_number > (entry.round_number or 0)
    return True


def entries_status_change(
    *,
    entries: Iterable[Entry],
    to_status: str,
    changed_by: User,
    reason: str = "",
    round_number: int | None = None,
) -> list[Entry]:
    """Move entries to an organiser status (screened in/out, in round N, finalist, awarded).

    Organisers of each entry's event only. Screening out needs a reason; "in a round"
    needs a round number of at least 1. Entries already there are left alone; if any
    other entry cannot make the move, nothing changes. Returns the entries that moved.
    """
    if to_status not in ORGANISER_STATUSES:
        raise ValidationError(_("Organisers cannot set this status."), code="bad_status")
    reason = reason.strip()
    if len(reason) > 2000:
        raise ValidationError(_("Keep the reason to at most 2,000 characters."), code="too_long")
    if to_status == Status.SCREENED_OUT and not reason:
        raise ValidationError(_("Give a reason for screening an entry out."), code="reason_required")
    if to_status == Status.IN_ROUND and (round_number is None or round_number < 1):
        raise ValidationError(_("Give the number of the judging round (1 or more)."), code="round_required")
    ids = [e.pk for e in entries]
    with transaction.atomic():
        locked = list(
            Entry.objects.select_for_update(of=("self",)).filter(pk__in=ids).select_related("event").order_by("pk")
        )
        for event in {e.event_id: e.event for e in locked}.values():
            require(changed_by, "entry.screen", event)
        to_move = []
        refused = []
        for entry in locked:
            if entry.status == to_status and (to_status != Status.IN_ROUND or entry.round_number == round_number):
                continue
            (to_move if _may_move(entry, to_status, round_number) else refused).append(entry)
        if refused:
            raise ValidationError(
                _("Nothing was changed: %(count)s entries cannot move to “%(status)s” from their status: %(entries)s.")
                % {
                    "count": len(refused),
                    "status": Status(to_status).label,
                    "entries": "; ".join(f"{e.title or e.reference} ({e.get_status_display()})" for e in refused),
                },
                code="bad_transition",
            )
        for entry in to_move:
            _transition(entry, to_status, by=changed_by, reason=reason, round_number=round_number)
    return to_move


def entry_screen(*, entries: Iterable[Entry], screened_in: bool, screened_by: User, reason: str = "") -> list[Entry]:
    """Screen submitted entries in or out (organisers; a reason is required to screen out)."""
    return entries_status_change(
        entries=entries,
        to_status=Status.SCREENED_IN if screened_in else Status.SCREENED_OUT,
        changed_by=screened_by,
        reason=reason,
    )


def entry_note_add(*, entry: Entry, author: User, text: str) -> EntryNote:
    """Add an internal note (organisers); entrants never see notes."""
    require(author, "entry.screen", entry.event)
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something in the note."), code="empty")
    note = EntryNote(entry=entry, author=author, text=text)
    note.full_clean()
    note.save()
    return note


# --- Extra questions -------------------------------------------------------------------------


def answer_clean(question: Question, raw) -> str | list[str]:
    """Turn raw input into the stored answer for ``question`` or raise ``ValidationError``."""
    if question.kind == Question.Kind.MULTIPLE:
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = list(dict.fromkeys(str(v) for v in values if str(v)))
        allowed = {c["value"] for c in question.choices}
        if not set(values) <= allowed:
            raise ValidationError(_("Choose among the offered answers."), code="bad_choice")
        return values
    text = "" if raw is None else str(raw).strip()
    if not text:
        return ""
    if question.kind == Question.Kind.TEXT:
        if len(text) > question.max_length:
            raise ValidationError(
                _("Keep the answer to at most %(limit)s characters (it has %(length)s).")
                % {"limit": question.max_length, "length": len(text)},
                code="too_long",
            )
        return text
    if question.kind == Question.Kind.NUMBER:
        try:
            number = Decimal(text.replace(",", "").replace(" ", ""))
        except InvalidOperation:
            raise ValidationError(_("Enter a number."), code="not_a_number") from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."), code="not_a_number")
        if question.min_value is not None and number < question.min_value:
            raise ValidationError(
                _("Enter a number of at least %(min)s.") % {"min": question.min_value}, code="too_small"
            )
        if question.max_value is not None and number > question.max_value:
            raise ValidationError(
                _("Enter a number of at most %(max)s.") % {"max": question.max_value}, code="too_large"
            )
        return format(number.normalize(), "f")
    if question.kind == Question.Kind.SINGLE:
        if text not in {c["value"] for c in question.choices}:
            raise ValidationError(_("Choose one of the offered answers."), code="bad_choice")
        return text
    raise ValueError("File questions are answered with attachment_add.")


def answers_save(*, entry: Entry, changed_by: User, answers: dict[int, object]) -> list[Answer]:
    """Store answers to the event's non-file questions, keyed by question id.

    Each answer is checked against its question (length, number range, offered choices);
    errors come back keyed ``q_<id>`` and nothing is saved. Owner only, while editable.
    """
    _require_editable(entry, changed_by)
    questions = {q.pk: q for q in entry.event.questions.all()}
    cleaned: dict[int, object] = {}
    errors: dict[str, list[str]] = {}
    for question_id, raw in answers.items():
        question = questions.get(int(question_id))
        if question is None or question.kind == Question.Kind.FILE:
            raise ValueError(f"Question {question_id} is not a non-file question of this event.")
        try:
            cleaned[question.pk] = answer_clean(question, raw)
        except ValidationError as exc:
            errors[f"q_{question.pk}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    existing = {a.question_id: a for a in entry.answers.all()}
    with transaction.atomic():
        saved = []
        for question_id, value in cleaned.items():
            answer = existing.get(question_id)
            if answer is None:
                answer = Answer.objects.create(entry=entry, question_id=question_id, value=value)
            elif answer.value != value:
                answer.value = value
                answer.save(update_fields=["value"])
            saved.append(answer)
        _still_complete(entry)
        Entry.objects.filter(pk=entry.pk).update(updated_at=timezone.now())
    return saved


# --- Team ---------------------------------------------------------------------------------


def team_member_add(*, entry: Entry, changed_by: User, **fields) -> TeamMember:
    """Add a member to the team (owner only, while editable, within the team size limit)."""
    _require_editable(entry, changed_by)
    unknown = set(fields) - TEAM_FIELDS
    if unknown:
        raise ValueError(f"Not team member fields: {sorted(unknown)}")
    window = registration_settings_of(entry.event)
    count = entry.team.count()
    if window is not None and count >= window.max_team_members:
        raise ValidationError(
            _("A team can have at most %(limit)s people, lead included.") % {"limit": window.max_team_members},
            code="team_full",
        )
    cleaned = {name: value.strip() if isinstance(value, str) else value for name, value in fields.items()}
    member = TeamMember(entry=entry, position=count, **cleaned)
    member.full_clean()
    member.save()
    return member


def team_member_update(*, member: TeamMember, changed_by: User, **fields) -> TeamMember:
    """Change a member's details; a change to the lead's e-mail updates the entry's lead e-mail."""
    entry = member.entry
    _require_editable(entry, changed_by)
    unknown = set(fields) - TEAM_FIELDS
    if unknown:
        raise ValueError(f"Not team member fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(member, name, value.strip() if isinstance(value, str) else value)
    member.full_clean()
    with transaction.atomic():
        member.save()
        if member.is_lead and member.email.lower() != entry.lead_email:
            entry.lead_email = member.email.lower()
            entry.save(update_fields=["lead_email", "updated_at"])
        _still_complete(entry)
    return member


def team_member_remove(*, member: TeamMember, changed_by: User) -> None:
    """Remove a member from the team; the lead stays."""
    _require_editable(member.entry, changed_by)
    if member.is_lead:
        raise ValidationError(_("The team lead cannot be removed."), code="lead")
    member.delete()


# --- Files ----------------------------------------------------------------------------------


def _delete_files_later(names: list[tuple[object, str]]) -> None:
    def delete():
        for storage, name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete)


def attachment_add(
    *, entry: Entry, changed_by: User, kind: str, upload, question: Question | None = None
) -> Attachment:
    """Check ``upload`` by its content and attach it to the entry (owner only, while editable).

    A deck must be a readable PDF; logos and photos are re-encoded images with
    thumbnails; a file question takes a PDF or an image. A new deck, logo or answer
    file replaces the old one; an entry has at most ``MAX_PHOTOS`` photos.
    """
    _require_editable(entry, changed_by)
    base = f"{kind}-{entry.pk}"
    if kind == Attachment.Kind.DECK:
        checked = pdf_check(upload=upload, max_bytes=settings.REGISTRATION_DECK_MAX_BYTES, name=base)
    elif kind == Attachment.Kind.LOGO:
        checked = image_check(
            upload=upload, max_bytes=settings.REGISTRATION_IMAGE_MAX_BYTES, max_side=LOGO_MAX_SIDE, name=base
        )
    elif kind == Attachment.Kind.PHOTO:
        if entry.attachments.filter(kind=Attachment.Kind.PHOTO).count() >= MAX_PHOTOS:
            raise ValidationError(
                _("An entry can have at most %(limit)s photos; remove one first.") % {"limit": MAX_PHOTOS},
                code="too_many_photos",
            )
        checked = image_check(upload=upload, max_bytes=settings.REGISTRATION_IMAGE_MAX_BYTES, name=base)
    elif kind == Attachment.Kind.ANSWER:
        if question is None or question.event_id != entry.event_id or question.kind != Question.Kind.FILE:
            raise ValueError("An answer file needs a file question of the entry's event.")
        checked = any_file_check(upload=upload, max_bytes=settings.REGISTRATION_FILE_MAX_BYTES, name=base)
    else:
        raise ValueError(f"Unknown attachment kind {kind!r}")

    replaced = []
    if kind in (Attachment.Kind.DECK, Attachment.Kind.LOGO):
        replaced = list(entry.attachments.filter(kind=kind))
    elif kind == Attachment.Kind.ANSWER:
        replaced = list(entry.attachments.filter(kind=kind, question=question))
    attachment = Attachment(
        entry=entry,
        kind=kind,
        question=question if kind == Attachment.Kind.ANSWER else None,
        original_name=os.path.basename(getattr(upload, "name", "") or "")[:255],
        content_type=checked.content_type,
        size=checked.size,
        page_count=checked.page_count,
        width=checked.width,
        height=checked.height,
        uploaded_by=changed_by,
    )
    with transaction.atomic():
        old_names = []
        for old in replaced:
            old_names += [(old.file.storage, old.file.name), (old.thumbnail.storage, old.thumbnail.name)]
            old.delete()
        attachment.file.save(checked.content.name, checked.content, save=False)
        if checked.thumbnail is not None:
            attachment.thumbnail.save(checked.thumbnail.name, checked.thumbnail, save=False)
        attachment.save()
        Entry.objects.filter(pk=entry.pk).update(updated_at=timezone.now())
        _delete_files_later(old_names)
    return attachment


def attachment_remove(*, attachment: Attachment, changed_by: User) -> None:
    """Remove a file (owner only, while editable); a submitted entry keeps its required files."""
    entry = attachment.entry
    _require_editable(entry, changed_by)
    with transaction.atomic():
        names = [
            (attachment.file.storage, attachment.file.name),
            (attachment.thumbnail.storage, attachment.thumbnail.name),
        ]
        attachment.delete()
        _still_complete(entry)
        _delete_files_later(names)


# --- Exports -------------------------------------------------------------------------------------


def export_request(*, event: Event, requested_by: User, fmt: str) -> ExportJob:
    """Queue a spreadsheet of every entry of the event (organisers); a Celery task builds it."""
    require(requested_by, "entry.export", event)
    if fmt not in ExportJob.Format.values:
        raise ValidationError(_("Choose XLSX or CSV."), code="bad_format")
    job = ExportJob.objects.create(event=event, requested_by=requested_by, format=fmt)
    transaction.on_commit(lambda: _queue_export(job.pk), robust=True)
    return job


def _queue_export(job_id: int) -> None:
    from .tasks import build_export  # the tasks module calls these services

    try:
        build_export.delay(job_id)
    except KombuOperationalError:
        # Redis stayed away past the publish retries: the page says so, instead of "Waiting" forever.
        logger.exception("Export %s could not be queued", job_id)
        ExportJob.objects.filter(pk=job_id, state=ExportJob.State.PENDING).update(
            state=ExportJob.State.FAILED,
            error=_("The task service could not be reached. Ask for the export again."),
            finished_at=timezone.now(),
        )


def export_build(*, job: ExportJob) -> ExportJob:
    """Write the spreadsheet in the requester's language, recording progress as it goes.

    A job keeps one file, however often it is built. A build that a killed worker left half-done
    is started over (the task is redelivered): what it left in the job's folder is removed first.
    Should two builds of one job ever overlap (a build outliving the broker's visibility timeout is
    delivered again while it runs), the first to finish records its file and the other deletes its own.
    """
    finished = (ExportJob.State.DONE, ExportJob.State.FAILED)
    total = Entry.objects.filter(event=job.event).count()
    if (
        not ExportJob.objects.filter(pk=job.pk)
        .exclude(state__in=finished)
        .update(state=ExportJob.State.RUNNING, total=total, processed=0)
    ):
        job.refresh_from_db()  # already built
        return job
    storage = job.file.storage
    folder = export_folder(job)
    with contextlib.suppress(FileNotFoundError):
        for leftover in storage.listdir(folder)[1]:
            storage.delete(f"{folder}/{leftover}")

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed=done)

    try:
        with translation.override(job.requested_by.language or settings.LANGUAGE_CODE):
            questions = list(Question.objects.filter(event=job.event).order_by("position", "id"))
            header = exports.headers(questions)
            data = exports.rows(job.event, questions, progress)
            content = exports.write_xlsx(header, data) if job.format == "xlsx" else exports.write_csv(header, data)
        stamp = timezone.localtime(timezone.now(), CHINA_TIME).strftime("%Y%m%d-%H%M")
        job.file.save(f"{job.event.slug}-entries-{stamp}.{job.format}", ContentFile(content), save=False)
        job.state, job.total, job.processed = ExportJob.State.DONE, total, total
    except Exception as exc:  # a failed export is shown on the page, not lost in a worker log
        job.state, job.error = ExportJob.State.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    job.finished_at = timezone.now()
    recorded = (
        ExportJob.objects.filter(pk=job.pk)
        .exclude(state__in=finished)
        .update(
            file=job.file.name,
            state=job.state,
            total=job.total,
            processed=job.processed,
            error=job.error,
            finished_at=job.finished_at,
        )
    )
    if not recorded:  # another build of this job finished first: keep its file, not this one
        mine = job.file.name
        job.refresh_from_db()
        if mine and mine != job.file.name:
            storage.delete(mine)
    return job
