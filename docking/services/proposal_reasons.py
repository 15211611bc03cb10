"""Why a meeting is proposed, kept as language-independent parts and written out in the reader's language.

A proposal is generated once but read by organisers, the API's clients and the invited contact,
each in their own language, so its reasons are stored as parts (``MeetingProposal.reasons``):

- ``{"kind": "interest", "source": <Lead.Source value>}``: the contact declared interest;
- ``{"kind": "need", "need_id": …, "title_zh": …, "title_en": …, "same_field": bool,
  "shared_terms": [...]}``: a need of the contact's enterprise matches the project (the titles are
  kept so the reason still reads when the need is edited or deleted).

``reasons_text`` writes them out in the active language, with the matcher's own explanation;
``proposal_reason`` does it for one proposal (the model only stores the parts: models do not
import services).
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from accounts.models import pick_language

from ..models import Lead, MeetingProposal, Need
from .matching import Match, match_explanation

INTEREST = "interest"
NEED = "need"
MAX_REASONS = 5  # the best ones; enough to say why, short enough for a meeting request's message
SEPARATOR = "; "


def interest_reason(source: str) -> dict[str, Any]:
    return {"kind": INTEREST, "source": str(source)}


def need_reason(need: Need, match: Match) -> dict[str, Any]:
    return {
        "kind": NEED,
        "need_id": need.pk,
        "title_zh": need.title_zh,
        "title_en": need.title_en,
        "same_field": match.same_field,
        "shared_terms": list(match.shared_terms),
    }


def _source_label(source: str) -> str:
    try:
        return str(Lead.Source(source).label)
    except ValueError:  # a source since removed: its stored value still says something
        return source


def reason_line(part: Any) -> str:
    """One part in the active language; empty for a part this code does not know."""
    if not isinstance(part, dict):
        return ""
    if part.get("kind") == INTEREST:
        return _("Declared interest (%(source)s)") % {"source": _source_label(str(part.get("source", "")))}
    if part.get("kind") == NEED:
        title = pick_language(str(part.get("title_zh") or ""), str(part.get("title_en") or ""))
        terms = [str(term) for term in part.get("shared_terms") or []]
        why = match_explanation(same_field=bool(part.get("same_field")), shared_terms=terms)
        return _("Need “%(need)s”: %(why)s") % {"need": title, "why": why}
    return ""


def reasons_text(parts: Sequence[Any], fallback: str = "") -> str:
    """The parts in the active language, joined; ``fallback`` (text stored before the parts were)
    when none can be written out."""
    lines = [line for line in (reason_line(part) for part in parts or []) if line]
    return SEPARATOR.join(lines) if lines else fallback


def proposal_reason(proposal: MeetingProposal) -> str:
    """Why they should meet, in the active language."""
    return reasons_text(proposal.reasons, fallback=proposal.old_reason)
