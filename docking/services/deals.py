"""Deals: what came of the docking, recorded by organisers and ledger editors.

Rules:

- a deal concerns a submitted project taking part in the event; its meeting and lead, if
  given, are of the same event and project; the amount in CNY is never negative;
- a deal is recorded as a letter of intent or as signed; a signed deal has a signing date,
  not in the future;
- the stage moves only intent → signed, intent → cancelled, signed → cancelled, and a
  cancellation gives its reason; a cancelled deal is closed for edits;
- every change is kept as a ``DealChange`` (who, when, stage from/to, changed fields);
- documents are PDFs or images up to ``DEAL_DOCUMENT_MAX_BYTES``, kept in private storage;
- a lead the deal references moves on to "deal recorded".

Signed-deal counts everywhere come from ``Deal`` rows (``docking.selectors.deals.signed_deals``).
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Event
from events.services import require
from registration.files import any_file_check
from registration.models import Entry

from ..models import Deal, DealChange, DealDocument, Lead
from ..selectors.meetings import docking_entries
from .leads import lead_advance

DEAL_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
EDITABLE = ("entry", "enterprise", "kind", "amount_cny", "parties", "signed_on", "meeting", "lead", "notes")
# Stage moves a deal may make; anything else is refused.
TRANSITIONS = {
    (Deal.Stage.INTENT, Deal.Stage.SIGNED),
    (Deal.Stage.INTENT, Deal.Stage.CANCELLED),
    (Deal.Stage.SIGNED, Deal.Stage.CANCELLED),
}


def _amount(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        amount = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount_cny": _("Enter the amount as a number of yuan.")}, code="bad_amount") from None
    if not amount.is_finite():
        raise ValidationError({"amount_cny": _("Enter the amount as a number of yuan.")}, code="bad_amount")
    if amount < 0:
        raise ValidationError({"amount_cny": _("An amount cannot be negative.")}, code="negative_amount")
    return amount


def _as_text(value) -> str | None:
    """A field's value as the audit trail stores it."""
    if value is None:
        return None
    if hasattr(value, "pk"):
        return str(value.pk)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _validate(deal: Deal) -> None:
    errors: dict[str, str] = {}
    event = deal.event
    if deal.entry_id and not docking_entries(event).filter(pk=deal.entry_id).exists():
        errors["entry"] = _("Choose a submitted project taking part in this event.")
    if deal.meeting_id and (deal.meeting.event_id != event.pk or deal.meeting.entry_id != deal.entry_id):
        errors["meeting"] = _("Choose a meeting of this event about this project.")
    if deal.lead_id and (deal.lead.event_id != event.pk or deal.lead.entry_id != deal.entry_id):
        errors["lead"] = _("Choose a lead of this event on this project.")
    if deal.stage == Deal.Stage.SIGNED:
        if deal.signed_on is None:
            errors["signed_on"] = _("A signed deal needs its signing date.")
        elif deal.signed_on > timezone.localdate():
            errors["signed_on"] = _("The signing date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    deal.full_clean(validate_constraints=False)


def _audit(deal: Deal, *, by: User, from_stage: str, to_stage: str, changes: dict, reason: str = "") -> DealChange:
    return DealChange.objects.create(
        deal=deal, changed_by=by, from_stage=from_stage, to_stage=to_stage, changes=changes, reason=reason
    )


def deal_create(
    *,
    event: Event,
    recorded_by: User,
    entry: Entry,
    kind: str,
    stage: str = Deal.Stage.INTENT,
    amount_cny=None,
    enterprise=None,
    parties: str = "",
    signed_on: date | None = None,
    meeting=None,
    lead: Lead | None = None,
    notes: str = "",
) -> Deal:
    """Record a deal (organisers, ledger editors) as a letter of intent or signed."""
    require(recorded_by, "docking.record_deal", event)
    if stage not in (Deal.Stage.INTENT, Deal.Stage.SIGNED):
        raise ValidationError({"stage": _("A new deal is a letter of intent or signed.")}, code="bad_stage")
    deal = Deal(
        event=event,
        entry=entry,
        enterprise=enterprise,
        kind=kind,
        stage=stage,
        amount_cny=_amount(amount_cny),
        parties=parties.strip(),
        signed_on=signed_on if stage == Deal.Stage.SIGNED else None,
        meeting=meeting,
        lead=lead,
        notes=notes.strip(),
        created_by=recorded_by,
    )
    _validate(deal)
    with transaction.atomic():
        deal.save()
        changes = {
            name: [None, _as_text(getattr(deal, name))] for name in EDITABLE if getattr(deal, name) not in (None, "")
        }
        _audit(deal, by=recorded_by, from_stage="", to_stage=deal.stage, changes=changes)
        lead_advance(lead=lead, status=Lead.Status.DEAL)
    return deal


def deal_update(*, deal: Deal, changed_by: User, **fields) -> Deal:
    """Change a deal's details (not its stage: see ``deal_transition``); the changed fields are audited."""
    require(changed_by, "docking.record_deal", deal.event)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable deal fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().select_related("event").get(pk=deal.pk)
        if locked.stage == Deal.Stage.CANCELLED:
            raise ValidationError(_("A cancelled deal can no longer be changed."), code="cancelled")
        if "amount_cny" in fields:
            fields["amount_cny"] = _amount(fields["amount_cny"])
        for name in ("parties", "notes"):
            if name in fields:
                fields[name] = (fields[name] or "").strip()
        if locked.stage != Deal.Stage.SIGNED:
            fields.pop("signed_on", None)
        changes = {}
        for name, value in fields.items():
            old = getattr(locked, name)
            if _as_text(old) != _as_text(value):
                changes[name] = [_as_text(old), _as_text(value)]
                setattr(locked, name, value)
        if not changes:
            return locked
        _validate(locked)
        locked.save()
        _audit(locked, by=changed_by, from_stage=locked.stage, to_stage=locked.stage, changes=changes)
        if "lead" in changes:
            lead_advance(lead=locked.lead, status=Lead.Status.DEAL)
    return locked


def deal_transition(
    *, deal: Deal, to_stage: str, changed_by: User, signed_on: date | None = None, reason: str = ""
) -> Deal:
    """Move a deal on: intent → signed (with the signing date), intent or signed → cancelled (with a reason)."""
    require(changed_by, "docking.record_deal", deal.event)
    reason = reason.strip()
    with transaction.atomic():
        locked = Deal.objects.select_for_update().select_related("event").get(pk=deal.pk)
        from_stage = locked.stage
        if (from_stage, to_stage) not in TRANSITIONS:
            raise ValidationError(
                {
                    "stage": _("A deal cannot move from “%(from)s” to “%(to)s”.")
                    % {"from": Deal.Stage(from_stage).label, "to": Deal.Stage(to_stage).label}
                    if to_stage in Deal.Stage.values
                    else _("Choose a valid stage.")
                },
                code="bad_transition",
            )
        changes = {"stage": [from_stage, to_stage]}
        if to_stage == Deal.Stage.CANCELLED and not reason:
            raise ValidationError({"reason": _("Give the reason for cancelling the deal.")}, code="reason_needed")
        if to_stage == Deal.Stage.SIGNED:
            if signed_on is None:
                raise ValidationError({"signed_on": _("A signed deal needs its signing date.")}, code="no_date")
            changes["signed_on"] = [_as_text(locked.signed_on), _as_text(signed_on)]
            locked.signed_on = signed_on
        locked.stage = to_stage
        _validate(locked)
        locked.save()
        _audit(locked, by=changed_by, from_stage=from_stage, to_stage=to_stage, changes=changes, reason=reason)
    return locked


def deal_document_add(*, deal: Deal, upload, uploaded_by: User) -> DealDocument:
    """Keep a deal document (a PDF or an image, checked by its content) in private storage."""
    require(uploaded_by, "docking.record_deal", deal.event)
    checked = any_file_check(upload=upload, max_bytes=DEAL_DOCUMENT_MAX_BYTES, name="deal")
    original = (getattr(upload, "name", "") or "document").rsplit("/", 1)[-1][:200]
    document = DealDocument(deal=deal, original_name=original, size=checked.size, uploaded_by=uploaded_by)
    document.file.save(checked.content.name, checked.content, save=False)
    try:
        with transaction.atomic():
            document.save()
            _audit(
                deal,
                by=uploaded_by,
                from_stage=deal.stage,
                to_stage=deal.stage,
                changes={"documents": [None, original]},
            )
    except BaseException:
        # Nothing was recorded: do not keep the file either.
        document.file.storage.delete(document.file.name)
        raise
    return document
