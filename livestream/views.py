"""Room pages: the room itself and the organiser console. Both only render; the live layer does the rest."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render, resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.services import can

from . import selectors
from .models import RoadshowRoom


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
    return _page(request, room, console=False)


def console_page(request, slug: str):
    room = _room(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (can(request.user, "room.moderate", room.event) or can(request.user, "room.run", room.event)):
        raise PermissionDenied(_("Only the event's organisers run its rooms."))
    return _page(request, room, console=True)
