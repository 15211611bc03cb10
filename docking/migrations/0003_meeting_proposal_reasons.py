"""A meeting proposal's reasons are stored as language-independent parts (``reasons``) instead of text
written in the language of whoever generated it.

Existing text is read back into parts when it is recognised, in either language, as the reasons the
generator wrote (a declared interest; a need of the event, by its title, with the matcher's
explanation). Text that cannot be read back (a need since renamed, text that filled all 1000
characters and so was probably cut off) stays in ``old_reason`` and is shown as it is.
"""

import re

from django.conf import settings
from django.db import migrations, models
from django.utils import translation
from django.utils.translation import gettext

SEPARATOR = "; "
OLD_MAX_LENGTH = 1000  # the generator cut the joined text to the field's length
END = r"(?=; |\Z)"
INTEREST = "Declared interest (%(source)s)"
NEED = "Need “%(need)s”: %(why)s"
SAME_FIELD_SHARES = "Same field; shares: %(terms)s"
SAME_FIELD = "Same field"
SHARES = "Shares: %(terms)s"


def _pattern(template: str, groups: dict[str, str]) -> str:
    """``template`` (a translated msgid) as a regular expression, each placeholder a named group."""
    pieces = re.split(r"(%\(\w+\)s)", template)
    out = []
    for piece in pieces:
        name = piece[2:-2] if piece.startswith("%(") else None
        out.append(f"(?P<{name}>{groups[name]})" if name in groups else re.escape(piece))
    return "".join(out)


def _grammar(language: str, sources):
    """The reasons' patterns as the generator wrote them in ``language``."""
    with translation.override(language):
        interests = {gettext(INTEREST) % {"source": str(label)}: value for value, label in sources}
        terms = r"[^;；]+?"
        why = "|".join(
            [
                _pattern(gettext(SAME_FIELD_SHARES), {"terms": terms}).replace("(?P<terms>", "(?P<both>"),
                _pattern(gettext(SHARES), {"terms": terms}),
                re.escape(gettext(SAME_FIELD)),
            ]
        )
        same_field = gettext(SAME_FIELD)
        need = re.compile(_pattern(gettext(NEED), {"need": ".+?", "why": f"(?:{why})"}) + END)
    interest = re.compile("(?P<label>" + "|".join(re.escape(text) for text in interests) + ")" + END)
    return interests, interest, need, same_field


def _parse(text: str, grammar, need_of) -> list[dict] | None:
    """The parts of ``text``, or None when any of it is not a reason the generator wrote."""
    interests, interest, need, same_field = grammar
    parts, position = [], 0
    while position < len(text):
        found = interest.match(text, position)
        if found:
            parts.append({"kind": "interest", "source": interests[found["label"]]})
        else:
            found = need.match(text, position)
            if not found:
                return None
            row = need_of(found["need"])
            if row is None:
                return None
            listed = found["both"] or found["terms"] or ""
            parts.append(
                {
                    "kind": "need",
                    "need_id": row.pk,
                    "title_zh": row.title_zh,
                    "title_en": row.title_en,
                    "same_field": bool(found["both"]) or found["why"] == same_field,
                    "shared_terms": [term for term in listed.split(", ") if term],
                }
            )
        position = found.end()
        if text.startswith(SEPARATOR, position):
            position += len(SEPARATOR)
            if position == len(text):
                return None
    return parts or None


def reasons_to_parts(apps, schema_editor):
    MeetingProposal = apps.get_model("docking", "MeetingProposal")
    Need = apps.get_model("docking", "Need")
    sources = apps.get_model("docking", "Lead")._meta.get_field("source").choices
    grammars = [_grammar(code, sources) for code, _name in settings.LANGUAGES]
    for proposal in MeetingProposal.objects.exclude(old_reason="").iterator():
        if len(proposal.old_reason) >= OLD_MAX_LENGTH:
            continue
        needs = Need.objects.filter(event_id=proposal.event_id).order_by("pk")

        def need_of(title, needs=needs):
            return needs.filter(models.Q(title_zh=title) | models.Q(title_en=title)).first()

        for grammar in grammars:
            parts = _parse(proposal.old_reason, grammar, need_of)
            if parts is not None:
                proposal.reasons, proposal.old_reason = parts, ""
                proposal.save(update_fields=["reasons", "old_reason"])
                break


def parts_to_reasons(apps, schema_editor):
    """Back to text, in the site's language."""
    MeetingProposal = apps.get_model("docking", "MeetingProposal")
    labels = dict(apps.get_model("docking", "Lead")._meta.get_field("source").choices)
    with translation.override(settings.LANGUAGE_CODE):
        for proposal in MeetingProposal.objects.exclude(reasons=[]).iterator():
            lines = []
            for part in proposal.reasons:
                if part.get("kind") == "interest":
                    label = labels.get(part.get("source"), part.get("source", ""))
                    lines.append(gettext(INTEREST) % {"source": str(label)})
                elif part.get("kind") == "need":
                    terms = ", ".join(part.get("shared_terms") or [])
                    if part.get("same_field") and terms:
                        why = gettext(SAME_FIELD_SHARES) % {"terms": terms}
                    elif part.get("same_field"):
                        why = gettext(SAME_FIELD)
                    else:
                        why = gettext(SHARES) % {"terms": terms}
                    title = part.get("title_zh") or part.get("title_en") or ""
                    if not settings.LANGUAGE_CODE.startswith("zh"):
                        title = part.get("title_en") or part.get("title_zh") or ""
                    lines.append(gettext(NEED) % {"need": title, "why": why})
            proposal.old_reason = SEPARATOR.join(lines)[:OLD_MAX_LENGTH]
            proposal.save(update_fields=["old_reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("docking", "0002_meeting_proposals"),
    ]

    operations = [
        migrations.RenameField(model_name="meetingproposal", old_name="reason", new_name="old_reason"),
        migrations.AlterField(
            model_name="meetingproposal",
            name="old_reason",
            field=models.CharField(
                blank=True,
                help_text="The text of a proposal made before reasons were stored as parts; shown when there are none.",
                max_length=1000,
                verbose_name="why they should meet (as first written)",
            ),
        ),
        migrations.AddField(
            model_name="meetingproposal",
            name="reasons",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Stored as parts, written out in the reader's language.",
                verbose_name="why they should meet",
            ),
        ),
        migrations.RunPython(reasons_to_parts, parts_to_reasons),
    ]
