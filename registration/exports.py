"""The spreadsheet of an event's entries (one row an entry, with its team and answers),
written as XLSX or CSV. Text that a spreadsheet would run as a formula is defused."""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import Answer, Attachment, Entry, Question, TeamMember

CHINA_TIME = ZoneInfo("Asia/Shanghai")
CHUNK = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value):
    """Keep user text from being read as a spreadsheet formula (CSV/XLSX injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_queryset(event) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(event=event)
        .select_related("track", "owner")
        .prefetch_related(
            Prefetch("team", queryset=TeamMember.objects.order_by("-is_lead", "position", "id")),
            Prefetch("answers", queryset=Answer.objects.select_related("question")),
            "attachments",
        )
        .order_by("submitted_at", "id")
    )


def headers(questions: list[Question]) -> list[str]:
    return [
        _("Reference"),
        _("Status"),
        _("Round"),
        _("Track"),
        _("Title (Chinese)"),
        _("Title (English)"),
        _("Stage"),
        _("Summary"),
        _("Technology"),
        _("Intellectual property"),
        _("Patents"),
        _("Funding sought (CNY)"),
        _("Planned city"),
        _("Planned park or district"),
        _("Video link"),
        _("Lead"),
        _("Lead e-mail"),
        _("Lead country/region"),
        _("Lead organisation"),
        _("Lead years abroad"),
        _("Other team members"),
        _("Team size"),
        _("Pitch deck"),
        _("Photos"),
        _("Submitted (China time)"),
        _("Created (China time)"),
        *[q.label for q in questions],
    ]


def _china(moment) -> str:
    return timezone.localtime(moment, CHINA_TIME).strftime("%Y-%m-%d %H:%M") if moment else ""


def _member_text(member: TeamMember) -> str:
    details = [member.role, member.email, member.organisation, member.country.name if member.country else ""]
    if member.years_abroad is not None:
        details.append(_("%(years)s years abroad") % {"years": member.years_abroad})
    return f"{member.name} ({', '.join(d for d in details if d)})"


def row(entry: Entry, questions: list[Question]) -> list:
    team = list(entry.team.all())
    lead = next((m for m in team if m.is_lead), None)
    others = [m for m in team if not m.is_lead]
    answers = {a.question_id: a for a in entry.answers.all()}
    files = list(entry.attachments.all())
    answer_files = {a.question_id: a.original_name for a in files if a.kind == Attachment.Kind.ANSWER}
    values = [
        entry.reference,
        entry.get_status_display(),
        entry.round_number,
        entry.track.name if entry.track else "",
        entry.title_zh,
        entry.title_en,
        entry.get_stage_display() if entry.stage else "",
        entry.summary,
        entry.technology,
        entry.ip_summary,
        entry.patent_count,
        float(entry.funding_sought) if entry.funding_sought is not None else None,
        entry.planned_city,
        entry.planned_park,
        entry.video_url,
        lead.name if lead else "",
        lead.email if lead else entry.lead_email,
        lead.country.name if lead and lead.country else "",
        lead.organisation if lead else "",
        lead.years_abroad if lead else None,
        "; ".join(_member_text(m) for m in others),
        len(team),
        next((a.original_name for a in files if a.kind == Attachment.Kind.DECK), ""),
        sum(1 for a in files if a.kind == Attachment.Kind.PHOTO),
        _china(entry.submitted_at),
        _china(entry.created_at),
    ]
    for question in questions:
        if question.kind == Question.Kind.FILE:
            values.append(answer_files.get(question.pk, ""))
        else:
            answer = answers.get(question.pk)
            values.append(answer.display() if answer else "")
    return [defuse(v) for v in values]


def rows(event, questions: list[Question], progress: Callable[[int], None]) -> Iterator[list]:
    """Yield every entry's row, reporting how many were written every ``CHUNK`` rows."""
    done = 0
    for entry in export_queryset(event).iterator(chunk_size=CHUNK):
        yield row(entry, questions)
        done += 1
        if done % CHUNK == 0:
            progress(done)
    progress(done)


def write_xlsx(header: list[str], data: Iterator[list]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Entries"))
    sheet.append(header)
    for values in data:
        sheet.append(values)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        return handle.read()


def write_csv(header: list[str], data: Iterator[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for values in data:
        writer.writerow(["" if v is None else v for v in values])
    # A byte-order mark lets Excel open UTF-8 (Chinese) text correctly.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
