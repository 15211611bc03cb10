"""The judging part of 'My dashboard': judges see the cards they still have to submit;
organisers see each round's progress."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dashboard import Section, Task
from events.models import EventRole, Role

from .models import Assignment, Round, Scorecard


def _judge_sections(user) -> list[Section]:
    """One section per event with work: each round's assigned entries and submitted cards (two queries)."""
    assigned = dict(
        Assignment.objects.filter(judge=user).values("round_id").annotate(n=Count("id")).values_list("round_id", "n")
    )
    if not assigned:
        return []
    submitted = dict(
        Scorecard.objects.filter(judge=user, status=Scorecard.Status.SUBMITTED, round_id__in=assigned)
        .values("round_id")
        .annotate(n=Count("id"))
        .values_list("round_id", "n")
    )
    sections: dict[int, Section] = {}
    rounds = Round.objects.filter(pk__in=assigned, closed_at__isnull=True).select_related("event")
    for round_ in rounds.order_by("event_id", "number"):
        to_do = assigned[round_.pk] - submitted.get(round_.pk, 0)
        event = round_.event
        section = sections.setdefault(
            event.pk,
            Section(
                title=_("Judging: %(event)s") % {"event": event.title},
                event_title=event.title,
                order=6,
                empty_text=_("All your cards are submitted."),
            ),
        )
        if to_do > 0 and not round_.is_closed:
            section.tasks.append(
                Task(
                    ngettext("%(round)s: %(count)s card to submit", "%(round)s: %(count)s cards to submit", to_do)
                    % {"round": round_.name, "count": to_do},
                    reverse("judging:round_judge", kwargs={"slug": event.slug, "number": round_.number}),
                    _("%(done)s of %(total)s submitted")
                    % {"done": submitted.get(round_.pk, 0), "total": assigned[round_.pk]},
                )
            )
    return list(sections.values())


def _organiser_sections(user) -> list[Section]:
    event_ids = EventRole.objects.filter(user=user, role=Role.ORGANISER).values("event_id")
    rounds = (
        Round.objects.filter(event_id__in=event_ids, advancement_confirmed_at__isnull=True)
        .select_related("event")
        .annotate(
            assigned=Count("assignments", distinct=True),
            submitted=Count("scorecards", filter=Q(scorecards__status=Scorecard.Status.SUBMITTED), distinct=True),
        )
        .order_by("event_id", "number")
    )
    sections: dict[int, Section] = {}
    for round_ in rounds:
        event = round_.event
        section = sections.setdefault(
            event.pk,
            Section(title=_("Judging rounds: %(event)s") % {"event": event.title}, event_title=event.title, order=9),
        )
        section.tasks.append(
            Task(
                round_.name,
                reverse("judging:progress", kwargs={"slug": event.slug, "number": round_.number}),
                _("%(done)s of %(total)s cards submitted") % {"done": round_.submitted, "total": round_.assigned},
            )
        )
    return list(sections.values())


def sections(user) -> list[Section]:
    return _judge_sections(user) + _organiser_sections(user)
