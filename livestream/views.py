"""Room pages: the room, the organiser console, the replay of an ended room, and the organisers'
pages that open and edit rooms, set agendas and export transcripts. They parse, ask
``events.services.can`` and call services; the live layer does the rest."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.files import ranged_file_response
from events.models import Event
from events.services import can

from . import exports, selectors, services
from .forms import AgendaFormSet, RoomForm, agenda_choices
from .models import AgendaSlot, RoadshowRoom
from .services import LiveError

TRANSCRIPT_PAGE_SIZE = 200


def _room(request, slug: str) -> RoadshowRoom:
    room = get_object_or_404(RoadshowRoom.objects.select_related("event"), slug=slug)
    if not can(request.user, "event.view", room.event):
        raise Http404(_("No such room."))
    return room


def _strings() -> dict[str, str]:
    """Words room.js shows, in the page's language (user text is never among them)."""
    return {
        "connecting": _("Connecting…"),
        "connected": _("Connected"),
        "reconnecting": _("Connection lost. Reconnecting in %(seconds)s s…"),
        "closed": _("Disconnected."),
        "viewers": _("%(count)s watching"),
        "starts_in": _("Starts in %(time)s"),
        "starting_soon": _("Starting soon"),
        "live": pgettext("room status", "Live"),
        "scheduled": pgettext("room status", "Scheduled"),
        "ended": pgettext("room status", "Ended"),
        "sending": _("Sending…"),
        "participant": _("Participant %(id)s"),
        "moderator": _("Moderator"),
        "hide": _("Hide"),
        "to_question": _("To Q&A"),
        "to_question_title": _("Turn this message into a question, asked by its author"),
        "mute": _("Mute"),
        "unmute": _("Unmute"),
        "muted_you": _("A moderator has muted you in this room."),
        "unmuted_you": _("You can post again."),
        "upvote": _("Upvote"),
        "votes": _("Votes: %(count)s"),
        "answered": _("Answered"),
        "mark_answered": _("Mark answered"),
        "vote": _("Vote"),
        "you_voted": _("You voted."),
        "poll_closed": pgettext("poll status", "Closed"),
        "close_poll": _("Close poll"),
        "total_votes": _("Votes in total: %(count)s"),
        "no_questions": _("No questions yet. Ask the first one."),
        "no_chat": _("No messages yet."),
        "user_muted": _("%(name)s was muted."),
        "user_unmuted": _("%(name)s can post again."),
        "slow_mode_on": _("Slow mode: one message every %(seconds)s seconds."),
        "reaction_applause": _("Applause"),
        "reaction_heart": _("Love it"),
        "reaction_fire": _("Hot"),
        "reaction_idea": _("Great idea"),
        "minutes": _("%(count)s min"),
        "pitch_pending": pgettext("pitch state", "Coming up"),
        "pitch_presenting": pgettext("pitch state", "Presenting"),
        "pitch_done": pgettext("pitch state", "Done"),
        "no_agenda": _("The agenda has not been set yet."),
        "nobody_presenting": _("Nobody is on stage yet."),
        "time_left": _("%(time)s left"),
        "overtime": _("Over time by %(time)s"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "start_this": _("Start this pitch"),
        "interest_button": _("I'm interested"),
        "interest_marked": _("You are interested ✓"),
        "interest_noted": _("Noted: the organisers will follow up."),
        "interest_yours": _("People interested in your project: %(count)s"),
        "interested_count": _("Interested: %(count)s"),
        "no_interest": _("Nobody has marked interest yet."),
        "and_more": _("…and %(count)s more"),
        "live_video": _("Live video"),
        "recording": _("Recording"),
        "video_soon": _("The video appears here when the organisers start the stream."),
        "score_scale": _("%(min)s to %(max)s"),
        "score_saved": _("Score submitted. Your total: %(total)s"),
        "score_already": _("You have scored this pitch; submitting again changes your score."),
        "score_progress": _("Judges who scored this pitch: %(count)s"),
        "score_target": _("Reveal the score of: %(title)s"),
        "score_revealed": _("%(title)s: %(value)s of %(scale)s (%(method)s; judges: %(count)s)"),
        "method_weighted_mean": _("weighted mean"),
        "method_trimmed_mean": _("trimmed mean"),
        "method_median": _("median"),
        "method_judge_normalised": _("judge-normalised"),
    }


def _page(request, room: RoadshowRoom, *, console: bool):
    return render(
        request,
        "livestream/console.html" if console else "livestream/room.html",
        {
            "room": room,
            "event": room.event,
            "console": console,
            "can_moderate": can(request.user, "room.moderate", room.event),
            "can_run": can(request.user, "room.run", room.event),
            "room_config": {
                "slug": room.slug,
                "socket_path": f"/ws/rooms/{room.slug}/",
                "console": console,
                "can_run": can(request.user, "room.run", room.event),
                "hls_script": static("vendor/hls.js-1.7.4/hls.min.js"),
                "reactions": list(settings.LIVESTREAM_REACTIONS),
                "chat_max_length": settings.LIVESTREAM_CHAT_MAX_LENGTH,
                "question_max_length": settings.LIVESTREAM_QUESTION_MAX_LENGTH,
                "login_url": f"{resolve_url(settings.LOGIN_URL)}?next={room.get_absolute_url()}",
            },
            "room_strings": _strings(),
        },
    )


def room_page(request, slug: str):
    room = _room(request, slug)
    if not selectors.room_can_watch(request.user, room):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("You are not allowed to watch this room."))
    if room.is_ended:
        return _replay(request, room)
    return _page(request, room, console=False)


RECORDING_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}


def recording(request, slug: str):
    """The room's recording, for those who may watch the room (registered-only rooms stay private)."""
    room = _room(request, slug)
    if not selectors.room_can_watch(request.user, room):
        if not request.user.is_authenticated:
            return redirect_to_login(resolve_url("livestream:room", slug=room.slug))
        raise PermissionDenied(_("You are not allowed to watch this room."))
    if not room.recording:
        raise Http404(_("This room has no recording."))
    suffix = "." + room.recording.name.rsplit(".", 1)[-1].lower()
    response = ranged_file_response(
        request, room.recording, content_type=RECORDING_TYPES.get(suffix, "application/octet-stream")
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _replay(request, room: RoadshowRoom):
    """An ended room: the recording, the agenda as it ran, and the transcript (chat by page, questions by votes)."""
    chat = Paginator(selectors.transcript_chat(room), TRANSCRIPT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "livestream/replay.html",
        {
            "room": room,
            "event": room.event,
            "slots": selectors.agenda(room),
            "chat_page": chat,
            "questions": selectors.questions_visible(room).select_related("user__organisation"),
            "moderator_ids": selectors.moderator_ids(room),
            "can_run": can(request.user, "room.run", room.event),
        },
    )


def console_page(request, slug: str):
    room = _room(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (can(request.user, "room.moderate", room.event) or can(request.user, "room.run", room.event)):
        raise PermissionDenied(_("Only the event's organisers run its rooms."))
    return _page(request, room, console=True)


# --- organisers' pages -----------------------------------------------------------------------------


def _require_run(request, event: Event) -> None:
    if not can(request.user, "room.run", event):
        raise PermissionDenied(_("Only the event's organisers run its rooms."))


@login_required
def room_create(request, event_slug: str):
    event = get_object_or_404(Event, slug=event_slug)
    if not can(request.user, "event.view", event):
        raise Http404(_("No such event."))
    _require_run(request, event)
    form = RoomForm(request.POST or None, request.FILES or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(
                event=event, user=request.user, slug=form.cleaned_data["slug"], **form.room_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The room is open. Now set its agenda."))
            return redirect("livestream:agenda", slug=room.slug)
    return render(request, "livestream/room_form.html", {"form": form, "event": event, "room": None})


@login_required
def room_edit(request, slug: str):
    room = _room(request, slug)
    _require_run(request, room.event)
    form = RoomForm(request.POST or None, request.FILES or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(room=room, user=request.user, **form.room_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The room was saved. Everyone in it sees the change."))
            return redirect("livestream:edit", slug=room.slug)
    return render(request, "livestream/room_form.html", {"form": form, "event": room.event, "room": room})


@login_required
def agenda_edit(request, slug: str):
    room = _room(request, slug)
    _require_run(request, room.event)
    slots = list(selectors.agenda(room))
    entries = {entry.pk: entry for entry in selectors.agenda_candidates(room.event)}
    # Entries already on the agenda stay choosable whatever their status became.
    entries.update((slot.entry_id, slot.entry) for slot in slots if slot.entry_id not in entries)
    initial = [
        {
            "entry": slot.entry_id,
            "duration_minutes": slot.duration_minutes,
            "planned_start": slot.planned_start,
            "ORDER": position,
        }
        for position, slot in enumerate(slots, start=1)
    ]
    formset = AgendaFormSet(
        request.POST or None,
        initial=initial,
        prefix="agenda",
        form_kwargs={"entry_choices": agenda_choices(list(entries.values()))},
    )
    agenda_error = ""
    if request.method == "POST" and formset.is_valid():
        try:
            services.agenda_set(room=room, user=request.user, items=formset.items())
        except LiveError as error:
            agenda_error = error.frame()["message"]
        else:
            messages.success(request, _("The agenda was saved. Everyone in the room sees it."))
            return redirect("livestream:agenda", slug=room.slug)
    started = {slot.entry_id: slot for slot in slots if slot.state != AgendaSlot.State.PENDING}
    for form in formset.forms:
        form.started_slot = started.get(form.initial.get("entry"))
    return render(
        request,
        "livestream/agenda_form.html",
        {
            "room": room,
            "event": room.event,
            "formset": formset,
            "agenda_error": agenda_error,
            "has_candidates": bool(entries),
        },
    )


@login_required
def transcript_csv(request, slug: str):
    room = _room(request, slug)
    _require_run(request, room.event)
    response = HttpResponse(exports.transcript_csv(room), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transcript-{room.slug}.csv"'
    return response
