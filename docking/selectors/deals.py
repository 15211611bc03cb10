"""Reads for deals. Signed-deal counts anywhere on the site come from ``signed_deals``."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from events.models import Event

from ..models import Deal, DealChange, DealDocument


def signed_deals(event: Event | None = None) -> QuerySet[Deal]:
    """The signed deals (of one event, or of the whole programme): the only source of signed counts."""
    deals = Deal.objects.filter(stage=Deal.Stage.SIGNED)
    if event is not None:
        deals = deals.filter(event=event)
    return deals


def deals_of(event: Event, *, stage: str = "", kind: str = "") -> QuerySet[Deal]:
    deals = Deal.objects.filter(event=event)
    if stage:
        deals = deals.filter(stage=stage)
    if kind:
        deals = deals.filter(kind=kind)
    return deals.select_related("entry__event", "enterprise__organisation", "created_by").order_by("-created_at", "-pk")


def deal_for_page(event: Event, pk: int) -> Deal | None:
    return (
        Deal.objects.filter(event=event, pk=pk)
        .select_related("event", "entry__event", "enterprise__organisation", "meeting", "lead__person", "created_by")
        .prefetch_related(
            Prefetch("changes", queryset=DealChange.objects.select_related("changed_by").order_by("changed_at", "pk")),
            Prefetch("documents", queryset=DealDocument.objects.select_related("uploaded_by").order_by("uploaded_at")),
        )
        .first()
    )


def _shown(name: str, value: str | None) -> str:
    if value in (None, ""):
        return "—"
    if name == "kind":
        return str(Deal.Kind(value).label) if value in Deal.Kind.values else value
    if name == "stage":
        return str(Deal.Stage(value).label) if value in Deal.Stage.values else value
    if name in ("entry", "enterprise", "meeting", "lead"):
        return f"#{value}"
    return value


def stage_label(stage: str) -> str:
    return _shown("stage", stage)


def change_lines(change: DealChange) -> list[tuple[str, str, str]]:
    """A change's fields as ``(label, old, new)`` for people to read (field names in their language)."""
    lines = []
    for name, (old, new) in change.changes.items():
        label = Deal._meta.get_field(name).verbose_name if name != "documents" else _("documents")
        lines.append((str(label), _shown(name, old), _shown(name, new)))
    return lines
