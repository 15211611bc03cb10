"""Results feed docking: 1:1 meetings proposed after a judging round's results.

Rules:

- only the event's organisers (``docking.manage``) generate, edit, discard and send proposals;
- the top N entries of the round's standing (under the round's own aggregation method, with
  the audience vote and a live signal weighed in when the round gives them a weight: the order
  the organiser sees on the results page) are paired with enterprise and investor contacts who
  declared interest in them (a lead, from a roadshow room, a match or entered by hand) or whose
  enterprise posted an open need of the event that matches the project; each entry gets at most
  ``per_entry`` contacts, best first;
- only the enterprise and investor side is proposed: contacts of an enterprise profile and holders
  of the event's enterprise role; an audience member's interest alone does not make them a contact;
- why they should meet is stored as parts (``proposal_reasons``) and written out in the reader's
  language: the organiser's on the page and in the API, the contact's in the request sent;
- the conflict rules of judging apply: no proposal when the contact is the project's owner or
  a team member, or when the contact's organisation (or their enterprise's) is the
  organisation of the owner or of any team member (``judging.selectors.conflict_map``, plus
  the owner's and the enterprise's organisation, which judging does not need);
- generating again replaces the round's drafts and keeps what was sent or discarded;
- a proposed time never double-books: neither the contact nor the project's owner may have a
  scheduled meeting or another live proposal of the event overlapping it
  (``docking.services.meetings`` checks the meetings);
- sending needs a time; it becomes a normal meeting request from the project's owner (on whose
  behalf the organiser acts) to the contact, through the contact's lead on the project, so the
  investor sees the invitation in "My docking" and accepting it arranges the meeting of both.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import EventRole, Role
from events.services import require
from judging.models import Round
from judging.selectors import conflict_map
from judging.services import round_standing
from livestream.models import RoomInterest
from registration.models import Entry, TeamMember
from registration.services import china_time

from ..models import EnterpriseProfile, Lead, MeetingProposal, MeetingRequest, Need
from ..selectors.meetings import docking_entries, enterprise_of
from ..selectors.needs import open_needs
from .leads import lead_from_room_interest
from .matching import entry_document, need_document, rank
from .meetings import Slot, _busy, meeting_request_create, slots_validate
from .proposal_reasons import MAX_REASONS, interest_reason, need_reason, proposal_reason

DEFAULT_TOP_N = 10
DEFAULT_PER_ENTRY = 3
MAX_TOP_N = 200
MAX_PER_ENTRY = 20
INTEREST_SCORE = 1.0  # a declared interest outranks any text match (scores lie between 0 and 1)
LIVE = (MeetingProposal.Status.DRAFT, MeetingProposal.Status.SENT)


@dataclass
class _Candidate:
    person: User
    enterprise: EnterpriseProfile | None
    score: float = 0.0
    reasons: list[dict] = field(default_factory=list)  # parts, see proposal_reasons


def _names(organisation) -> set[str]:
    if organisation is None:
        return set()
    return {name.strip().casefold() for name in (organisation.name_zh, organisation.name_en) if name.strip()}


def proposal_conflicts(entries: list[Entry], people: list[User]) -> set[tuple[int, int]]:
    """(person id, entry id) pairs that must not meet, by the conflict rules of judging.

    Judging's ``conflict_map`` covers owners, team members and their organisations; a contact
    also conflicts when their enterprise's organisation, or their own, is the owner's.
    """
    conflicts = set(conflict_map([entry.pk for entry in entries], people))
    members: dict[int, set[str]] = defaultdict(set)
    for entry_id, organisation in TeamMember.objects.filter(entry__in=entries).values_list("entry_id", "organisation"):
        if organisation.strip():
            members[entry_id].add(organisation.strip().casefold())
    enterprises: dict[int, set[str]] = defaultdict(set)
    contacts = EnterpriseProfile.contacts.through.objects.filter(user_id__in=[person.pk for person in people])
    for contact_id, name_zh, name_en in contacts.values_list(
        "user_id", "enterpriseprofile__organisation__name_zh", "enterpriseprofile__organisation__name_en"
    ):
        enterprises[contact_id] |= {name.strip().casefold() for name in (name_zh, name_en) if name.strip()}
    for entry in entries:
        entry_side = _names(entry.owner.organisation) | members[entry.pk]
        for person in people:
            if person.pk == entry.owner_id or entry_side & (_names(person.organisation) | enterprises[person.pk]):
                conflicts.add((person.pk, entry.pk))
    return conflicts


def _top_entries(round_: Round, top_n: int) -> list[tuple[int, Entry]]:
    """The round's best ``top_n`` entries with their rank, in the order of the round's standing: the
    one the organiser sees on the results page (the audience vote and a live signal weighed in only
    when the round gives them a weight)."""
    no_results = _("The round has no results yet: proposals are made from submitted scores.")
    try:
        standing = round_standing(round_)
    except ValidationError as exc:
        if exc.code == "no_results":
            raise ValidationError(no_results, code="no_results") from None
        raise
    if not standing.overall:
        raise ValidationError(no_results, code="no_results")
    ranked = [(place.rank, place.entry.entry_id) for place in standing.overall[:top_n]]
    entries = (
        docking_entries(round_.event).select_related("owner__organisation", "track").in_bulk([pk for _r, pk in ranked])
    )
    return [(position, entries[pk]) for position, pk in ranked if pk in entries]


def _candidates(entries: list[Entry], needs: list[Need]) -> dict[int, dict[int, _Candidate]]:
    """Each entry's candidates by person id (two queries for all the entries' leads and interests)."""
    by_entry: dict[int, dict[int, _Candidate]] = {entry.pk: {} for entry in entries}
    leads = Lead.objects.filter(entry__in=entries).select_related("person__organisation", "enterprise__organisation")
    for lead in leads:
        candidate = by_entry[lead.entry_id].setdefault(lead.person_id, _Candidate(lead.person, lead.enterprise))
        candidate.score = max(candidate.score, INTEREST_SCORE)
        candidate.reasons.append(interest_reason(lead.source))
    # Interest marked in a roadshow room that no lead records yet counts the same.
    interests = RoomInterest.objects.filter(entry__in=entries, lead__isnull=True).select_related("user__organisation")
    for interest in interests:
        found = by_entry[interest.entry_id]
        if interest.user_id not in found:
            candidate = found[interest.user_id] = _Candidate(interest.user, None, score=INTEREST_SCORE)
            candidate.reasons.append(interest_reason(Lead.Source.ROOM))
    for entry in entries:
        _need_candidates(by_entry[entry.pk], entry, needs)
    return by_entry


def _need_candidates(found: dict[int, _Candidate], entry: Entry, needs: list[Need]) -> None:
    for match in rank(entry_document(entry), [(need, need_document(need)) for need in needs], limit=None):
        need = match.item
        for contact in need.enterprise.contacts.all():
            candidate = found.setdefault(contact.pk, _Candidate(contact, need.enterprise))
            candidate.score = max(candidate.score, match.score)
            candidate.reasons.append(need_reason(need, match))
            candidate.enterprise = candidate.enterprise or need.enterprise


def _enterprise_side(event, user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` on the enterprise or investor side of ``event``: contacts of an enterprise
    profile and holders of the event's enterprise role. Interest alone (an audience member's
    "I'm interested" in a roadshow room) does not make someone a contact to propose."""
    if not user_ids:
        return set()
    roles = EventRole.objects.filter(event=event, role=Role.ENTERPRISE, user_id__in=user_ids).values("user_id")
    people = User.objects.filter(pk__in=user_ids).filter(Q(pk__in=roles) | Q(enterprise_profiles__isnull=False))
    return set(people.values_list("pk", flat=True))


def _enterprises_of(user_ids: list[int]) -> dict[int, EnterpriseProfile]:
    """``enterprise_of`` for many people in one query: each one's first enterprise profile."""
    enterprises: dict[int, EnterpriseProfile] = {}
    if not user_ids:
        return enterprises
    links = EnterpriseProfile.contacts.through.objects.filter(user_id__in=user_ids)
    for link in links.select_related("enterpriseprofile__organisation").order_by("enterpriseprofile_id"):
        enterprises.setdefault(link.user_id, link.enterpriseprofile)
    return enterprises


def meeting_proposals_generate(
    *,
    round: Round,
    generated_by: User,
    top_n: int = DEFAULT_TOP_N,
    per_entry: int = DEFAULT_PER_ENTRY,
) -> list[MeetingProposal]:
    """Propose meetings for the round's top ``top_n`` entries, ``per_entry`` contacts each at most.

    The round's drafts are replaced; pairs already sent or discarded are not proposed again, nor
    pairs that already have a meeting request waiting or accepted.
    """
    round_ = round
    event = round_.event
    require(generated_by, "docking.manage", event)
    if not 1 <= top_n <= MAX_TOP_N:
        raise ValidationError({"top_n": _("Choose between 1 and %(max)s entries.") % {"max": MAX_TOP_N}})
    if not 1 <= per_entry <= MAX_PER_ENTRY:
        raise ValidationError(
            {"per_entry": _("Choose between 1 and %(max)s contacts per entry.") % {"max": MAX_PER_ENTRY}}
        )
    top = _top_entries(round_, top_n)
    needs = list(open_needs(event).prefetch_related("enterprise__contacts__organisation"))
    by_entry = _candidates([entry for _position, entry in top], needs)
    people = list({c.person.pk: c.person for found in by_entry.values() for c in found.values()}.values())
    enterprise_side = _enterprise_side(event, [person.pk for person in people])
    people = [person for person in people if person.pk in enterprise_side]
    conflicts = proposal_conflicts([entry for _position, entry in top], people)
    kept = set(
        MeetingProposal.objects.filter(round=round_)
        .exclude(status=MeetingProposal.Status.DRAFT)
        .values_list("entry_id", "person_id")
    )
    asked = MeetingRequest.objects.filter(
        entry_id__in=by_entry, status__in=[MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED]
    ).values_list("entry_id", "requested_by_id", "invitee_id")
    for entry_id, requester_id, invitee_id in asked:
        kept |= {(entry_id, requester_id), (entry_id, invitee_id)}
    without = [
        candidate.person.pk for found in by_entry.values() for candidate in found.values() if not candidate.enterprise
    ]
    enterprises = _enterprises_of(without)
    proposals = []
    for position, entry in top:
        found = [
            candidate
            for person_id, candidate in by_entry[entry.pk].items()
            if person_id in enterprise_side
            and (person_id, entry.pk) not in conflicts
            and (entry.pk, person_id) not in kept
            and person_id != generated_by.pk
            and candidate.person.is_active
        ]
        found.sort(key=lambda candidate: (-candidate.score, candidate.person.pk))
        for candidate in found[:per_entry]:
            proposals.append(
                MeetingProposal(
                    event=event,
                    round=round_,
                    entry=entry,
                    rank=position,
                    person=candidate.person,
                    enterprise=candidate.enterprise or enterprises.get(candidate.person.pk),
                    score=round_score(candidate.score),
                    reasons=candidate.reasons[:MAX_REASONS],
                    created_by=generated_by,
                )
            )
    with transaction.atomic():
        MeetingProposal.objects.filter(round=round_, status=MeetingProposal.Status.DRAFT).delete()
        MeetingProposal.objects.bulk_create(proposals)
    return proposals


def round_score(score: float) -> float:
    return float(f"{score:.4f}")


def proposals_of_round(round_: Round) -> QuerySet[MeetingProposal]:
    """The round's proposals with what their page shows."""
    return MeetingProposal.objects.filter(round=round_).select_related(
        "entry__owner", "person__organisation", "enterprise__organisation", "request"
    )


def _time_free(proposal: MeetingProposal, starts_at: datetime, ends_at: datetime) -> None:
    """Neither person may have a scheduled meeting, or another live proposal, overlapping the time."""
    people = [proposal.person_id, proposal.entry.owner_id]
    _busy(people, starts_at, ends_at, None)
    clash = (
        MeetingProposal.objects.filter(
            event_id=proposal.event_id,
            status__in=LIVE,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .filter(Q(person_id__in=people) | Q(entry__owner_id__in=people))
        .exclude(pk=proposal.pk)
        .select_related("entry", "person")
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "starts_at": _(
                    "Another proposal (%(project)s with %(person)s) is from %(start)s to %(end)s; choose another time."
                )
                % {
                    "project": clash.entry,
                    "person": clash.person.display_name,
                    "start": china_time(clash.starts_at),
                    "end": china_time(clash.ends_at),
                }
            },
            code="proposal_busy",
        )


def _draft(proposal: MeetingProposal) -> MeetingProposal:
    locked = MeetingProposal.objects.select_for_update().select_related("entry", "event").get(pk=proposal.pk)
    if locked.status != MeetingProposal.Status.DRAFT:
        raise ValidationError(
            _("This proposal is no longer a draft (%(status)s).") % {"status": locked.get_status_display()},
            code="not_draft",
        )
    return locked


def meeting_proposal_update(
    *,
    proposal: MeetingProposal,
    changed_by: User,
    person: User | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> MeetingProposal:
    """Change a draft's contact and/or time (organisers). Both times or neither; no conflict, no
    double booking, no time in the past."""
    require(changed_by, "docking.manage", proposal.event)
    if (starts_at is None) != (ends_at is None):
        raise ValidationError({"ends_at": _("Give both a start and an end, the end after the start.")})
    with transaction.atomic():
        locked = _draft(proposal)
        if person is not None and person.pk != locked.person_id:
            if (person.pk, locked.entry_id) in proposal_conflicts([locked.entry], [person]):
                raise ValidationError(
                    {"person": _("This person has a conflict with the project (same person or organisation).")},
                    code="conflict",
                )
            if MeetingProposal.objects.filter(
                round_id=locked.round_id, entry_id=locked.entry_id, person=person
            ).exists():
                raise ValidationError({"person": _("This person is already proposed for this project.")})
            locked.person = person
            locked.enterprise = enterprise_of(person)
        if starts_at is not None:
            slots_validate([Slot(starts_at, ends_at)])
            _time_free(locked, starts_at, ends_at)
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.save(update_fields=["person", "enterprise", "starts_at", "ends_at"])
    return locked


def meeting_proposal_discard(*, proposal: MeetingProposal, discarded_by: User) -> MeetingProposal:
    """Set a draft aside (organisers); generating again does not bring it back."""
    require(discarded_by, "docking.manage", proposal.event)
    with transaction.atomic():
        locked = _draft(proposal)
        locked.status = MeetingProposal.Status.DISCARDED
        locked.save(update_fields=["status"])
    return locked


def meeting_proposal_send(*, proposal: MeetingProposal, sent_by: User, message: str = "") -> MeetingProposal:
    """Send a draft (organisers): it becomes a meeting request from the project's owner to the
    contact at the proposed time, through the contact's lead on the project (recorded if missing)."""
    require(sent_by, "docking.manage", proposal.event)
    with transaction.atomic():
        locked = _draft(proposal)
        if locked.starts_at is None:
            raise ValidationError({"starts_at": _("Propose a time before sending.")}, code="no_time")
        if (locked.person_id, locked.entry_id) in proposal_conflicts([locked.entry], [locked.person]):
            raise ValidationError(_("This person has a conflict with the project (same person or organisation)."))
        _time_free(locked, locked.starts_at, locked.ends_at)
        lead = Lead.objects.filter(entry=locked.entry, person=locked.person).first()
        interest = RoomInterest.objects.filter(entry=locked.entry, user=locked.person).first()
        if lead is None and interest is not None:
            lead = lead_from_room_interest(interest=interest)
        # The contact reads the request (and their lead's notes): in their language, not the organiser's.
        with translation.override(locked.person.language or settings.LANGUAGE_CODE):
            reason = proposal_reason(locked)
            text = message.strip() or _(
                "The organisers propose this meeting after the results of %(round)s: %(reason)s"
            ) % {"round": locked.round, "reason": reason}
        if lead is None:
            lead = Lead.objects.create(
                event=locked.event,
                entry=locked.entry,
                person=locked.person,
                enterprise=locked.enterprise,
                source=Lead.Source.MATCH,
                notes=reason,
                created_by=sent_by,
            )
        try:
            locked.request = meeting_request_create(
                event=locked.event,
                entry=locked.entry,
                requested_by=locked.entry.owner,
                slots=[Slot(locked.starts_at, locked.ends_at)],
                message=text[:2000],
                lead=lead,
            )
        except PermissionDenied:
            raise ValidationError(
                _("The project's owner does not take part in this event's docking."), code="owner_not_docking"
            ) from None
        locked.status = MeetingProposal.Status.SENT
        locked.save(update_fields=["request", "status"])
    return locked
