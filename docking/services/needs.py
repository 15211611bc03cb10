"""Enterprise profiles, technology needs and the organisers' curated match list.

Rules:
- The enterprise database is shared by all events. Site staff and anyone who organises an
  event create and edit profiles and choose their contacts; a profile's contacts edit its
  own description.
- A need belongs to one event. The event's organisers post needs for any enterprise; a
  person with the enterprise role posts needs only for an enterprise they are a contact of,
  and edits, closes and reopens only those. A budget is never negative, its upper end not
  below its lower end, and a new deadline is never in the past.
- Only the event's organisers keep its match list; a match pairs a need with a submitted
  project of the same event or with a talent, and may open a lead for the project
  (``docking.services.leads.lead_from_match``).
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from events.models import Event, EventRole, Role
from events.services import can, require
from registration.models import Entry

from ..models import CuratedMatch, EnterpriseProfile, Lead, Need
from ..selectors.needs import MATCHABLE_STATUSES
from .leads import lead_from_match

ENTERPRISE_KINDS = (Organisation.Kind.ENTERPRISE, Organisation.Kind.INVESTOR)
NEED_FIELDS = (
    "title_zh",
    "title_en",
    "field",
    "description_zh",
    "description_en",
    "keywords",
    "budget_min_cny",
    "budget_max_cny",
    "region",
    "deadline",
)
ORGANISATION_FIELDS = ("name_zh", "name_en", "kind", "country", "website")
PROFILE_FIELDS = ("field", "description_zh", "description_en", "region")


# --- enterprise database ---------------------------------------------------------------------------


def can_manage_enterprises(user) -> bool:
    """Site staff and the organisers of any event keep the enterprise and talent databases."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or EventRole.objects.filter(user=user, role=Role.ORGANISER).exists()


def is_enterprise_contact(user, enterprise: EnterpriseProfile) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return enterprise.contacts.filter(pk=user.pk).exists()


def enterprise_can_edit(user, enterprise: EnterpriseProfile) -> bool:
    return can_manage_enterprises(user) or is_enterprise_contact(user, enterprise)


def _check_organisation(organisation: Organisation) -> None:
    if organisation.kind not in ENTERPRISE_KINDS:
        raise ValidationError({"kind": _("An enterprise profile is for an enterprise or an investor.")})
    organisation.full_clean()


def enterprise_profile_create(
    *,
    user,
    name_zh: str,
    name_en: str,
    kind: str,
    country: str = "",
    website: str = "",
    field: str = "",
    description_zh: str = "",
    description_en: str = "",
    region: str = "",
    contacts: list[User] | None = None,
    organisation: Organisation | None = None,
) -> EnterpriseProfile:
    """Add an enterprise to the database (staff and organisers), with a new organisation or an
    existing one that has no profile yet."""
    if not can_manage_enterprises(user):
        raise PermissionDenied(_("Only organisers and site staff add enterprises."))
    if organisation is None:
        organisation = Organisation(name_zh=name_zh, name_en=name_en, kind=kind, country=country, website=website)
    elif EnterpriseProfile.objects.filter(organisation=organisation).exists():
        raise ValidationError(_("This organisation already has an enterprise profile."))
    _check_organisation(organisation)
    profile = EnterpriseProfile(
        field=field, description_zh=description_zh, description_en=description_en, region=region
    )
    with transaction.atomic():
        organisation.save()
        profile.organisation = organisation
        profile.full_clean()
        profile.save()
        profile.contacts.set(contacts or [])
    return profile


def enterprise_profile_update(
    *, enterprise: EnterpriseProfile, user, contacts: list[User] | None = None, **fields
) -> EnterpriseProfile:
    """Change a profile: its contacts may edit its texts; only staff and organisers rename it,
    change its kind or choose its contacts (``contacts=None`` leaves them as they are)."""
    manager = can_manage_enterprises(user)
    if not (manager or is_enterprise_contact(user, enterprise)):
        raise PermissionDenied(_("Only the enterprise's contacts, organisers and site staff edit this profile."))
    unknown = set(fields) - set(ORGANISATION_FIELDS) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    organisation = enterprise.organisation
    org_changes = {name: value for name, value in fields.items() if name in ORGANISATION_FIELDS}
    changes_identity = any(getattr(organisation, name) != value for name, value in org_changes.items())
    if not manager and (changes_identity or contacts is not None):
        raise PermissionDenied(_("Only organisers and site staff change an enterprise's name, kind or contacts."))
    for name, value in org_changes.items():
        setattr(organisation, name, value)
    for name in PROFILE_FIELDS:
        if name in fields:
            setattr(enterprise, name, fields[name])
    _check_organisation(organisation)
    enterprise.full_clean()
    with transaction.atomic():
        organisation.save()
        enterprise.save()
        if contacts is not None:
            enterprise.contacts.set(contacts)
    return enterprise


# --- needs ------------------------------------------------------------------------------------------


def needs_can_list(user, event: Event) -> bool:
    """Organisers, enterprises and entrants of the event have a needs list (each sees different needs)."""
    return any(
        can(user, action, event) for action in ("docking.manage", "docking.post_need", "docking.view_open_needs")
    )


def need_can_edit(user, need: Need) -> bool:
    """The event's organisers, and the contacts of the need's enterprise who hold the enterprise role there."""
    if can(user, "docking.manage", need.event):
        return True
    return can(user, "docking.post_need", need.event) and is_enterprise_contact(user, need.enterprise)


def need_can_view(user, need: Need) -> bool:
    if need_can_edit(user, need):
        return True
    return need.status == Need.Status.OPEN and can(user, "docking.view_open_needs", need.event)


def need_enterprise_choices(user, event: Event):
    """The enterprises ``user`` may post a need for in ``event``."""
    profiles = EnterpriseProfile.objects.select_related("organisation")
    if can(user, "docking.manage", event):
        return profiles.all()
    if can(user, "docking.post_need", event):
        return profiles.filter(contacts=user)
    return profiles.none()


def need_check(*, values: dict, deadline_is_new: bool) -> None:
    """The rules for a need's values (the form shows them all at once; the services enforce them)."""
    errors: dict[str, list[str]] = {}
    if not (values.get("title_zh") or "").strip() and not (values.get("title_en") or "").strip():
        errors.setdefault("title_zh", []).append(_("Give the need a title in Chinese, English or both."))
    low, high = values.get("budget_min_cny"), values.get("budget_max_cny")
    for name, amount in (("budget_min_cny", low), ("budget_max_cny", high)):
        if amount is not None and Decimal(amount) < 0:
            errors.setdefault(name, []).append(_("A budget cannot be negative."))
    if low is not None and high is not None and 0 <= Decimal(high) < Decimal(low):
        errors.setdefault("budget_max_cny", []).append(_("The budget's upper end cannot be below its lower end."))
    deadline = values.get("deadline")
    if deadline is not None and deadline_is_new and deadline < timezone.localdate():
        errors.setdefault("deadline", []).append(_("The deadline cannot be in the past."))
    if errors:
        raise ValidationError(errors)


def _clean_need_text(values: dict) -> dict:
    return {name: value.strip() if isinstance(value, str) else value for name, value in values.items()}


def need_create(*, event: Event, user, enterprise: EnterpriseProfile, **fields) -> Need:
    """Post a need for ``enterprise`` in ``event`` (see the module's rules)."""
    require(user, "docking.post_need", event)
    if not need_enterprise_choices(user, event).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("You can post needs only for an enterprise you act for."))
    unknown = set(fields) - set(NEED_FIELDS)
    if unknown:
        raise ValueError(f"Not a need field: {sorted(unknown)}")
    values = _clean_need_text(fields)
    need_check(values=values, deadline_is_new=True)
    need = Need(event=event, enterprise=enterprise, posted_by=user, **values)
    need.full_clean()
    need.save()
    return need


def need_update(*, need: Need, user, enterprise: EnterpriseProfile | None = None, **fields) -> Need:
    """Change a need; a deadline that is kept as it was may have passed, a new one may not."""
    if not need_can_edit(user, need):
        raise PermissionDenied(_("Only the event's organisers and the enterprise that posted the need edit it."))
    unknown = set(fields) - set(NEED_FIELDS)
    if unknown:
        raise ValueError(f"Not a need field: {sorted(unknown)}")
    if enterprise is not None and enterprise.pk != need.enterprise_id:
        if not need_enterprise_choices(user, need.event).filter(pk=enterprise.pk).exists():
            raise PermissionDenied(_("You can post needs only for an enterprise you act for."))
        need.enterprise = enterprise
    values = _clean_need_text(fields)
    merged = {name: values.get(name, getattr(need, name)) for name in NEED_FIELDS}
    deadline_is_new = "deadline" in values and values["deadline"] != need.deadline
    need_check(values=merged, deadline_is_new=deadline_is_new)
    for name, value in values.items():
        setattr(need, name, value)
    need.full_clean(exclude=["posted_by"])  # may be empty once the poster's account is gone
    need.save()
    return need


def need_set_status(*, need: Need, user, status: str) -> Need:
    """Close a need (no more matching projects are looked for) or open it again."""
    if status not in Need.Status.values:
        raise ValidationError(_("Unknown status."))
    if not need_can_edit(user, need):
        raise PermissionDenied(_("Only the event's organisers and the enterprise that posted the need edit it."))
    if need.status != status:
        need.status = status
        need.save(update_fields=["status", "updated_at"])
    return need


# --- curated match list ------------------------------------------------------------------------------


def _lead_for_match(*, match: CuratedMatch, user) -> Lead:
    """Follow the match up as a lead in the name of the need's poster, if a contact, else its first contact."""
    contacts = match.need.enterprise.contacts.order_by("pk")
    person = contacts.filter(pk=match.need.posted_by_id).first() or contacts.first()
    return lead_from_match(match=match, created_by=user, person=person)


def curated_match_add(
    *,
    need: Need,
    user,
    entry: Entry | None = None,
    talent: User | None = None,
    score: float = 0.0,
    explanation: str = "",
    create_lead: bool = False,
) -> CuratedMatch:
    """Put a project or a talent on the event's match list for ``need``, at the end of the need's list."""
    require(user, "docking.manage", need.event)
    if (entry is None) == (talent is None):
        raise ValidationError(_("A match pairs the need with either a project or a talent."))
    if entry is not None and (entry.event_id != need.event_id or entry.status not in MATCHABLE_STATUSES):
        raise ValidationError(_("Only submitted projects of the same event can be matched with the need."))
    existing = CuratedMatch.objects.filter(need=need, **({"entry": entry} if entry else {"talent": talent}))
    if existing.exists():
        raise ValidationError(_("This match is already on the list."))
    try:
        with transaction.atomic():
            last = CuratedMatch.objects.filter(need=need).aggregate(last=Max("position"))["last"]
            match = CuratedMatch.objects.create(
                event=need.event,
                need=need,
                entry=entry,
                talent=talent,
                score=score,
                explanation=explanation[:500],
                position=0 if last is None else last + 1,
                added_by=user,
            )
            if create_lead:
                _lead_for_match(match=match, user=user)
    except IntegrityError:
        raise ValidationError(_("This match is already on the list.")) from None
    return match


def curated_match_remove(*, match: CuratedMatch, user) -> None:
    require(user, "docking.manage", match.event)
    match.delete()


def curated_match_move(*, match: CuratedMatch, user, offset: int) -> CuratedMatch:
    """Move a match up (negative ``offset``) or down its need's list; the list is renumbered 0, 1, 2…"""
    require(user, "docking.manage", match.event)
    with transaction.atomic():
        siblings = list(
            CuratedMatch.objects.select_for_update().filter(need_id=match.need_id).order_by("position", "pk")
        )
        index = next(i for i, other in enumerate(siblings) if other.pk == match.pk)
        target = min(max(index + offset, 0), len(siblings) - 1)
        siblings.insert(target, siblings.pop(index))
        for position, other in enumerate(siblings):
            if other.position != position:
                other.position = position
        CuratedMatch.objects.bulk_update(siblings, ["position"])
    match.refresh_from_db(fields=["position"])
    return match
