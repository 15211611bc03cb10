"""Rooms API: the rooms anyone may watch (per event or all), a room with its agenda, and the
transcript for the event's organisers. Permission checks go through ``events.services.can``."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers
from rest_framework.response import Response

from events.models import Event
from events.services import can

from . import exports, selectors
from .models import AgendaSlot, RoadshowRoom

TRANSCRIPT_PAGE = 500
EVENT_SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
ROOM_SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The room's slug.")


class EntrySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="Title in the request's language.")
    title_zh = serializers.CharField()
    title_en = serializers.CharField()
    track = serializers.SerializerMethodField(help_text="Track name in the request's language.")

    def get_track(self, entry) -> str:
        return entry.track.name if entry.track else ""


class AgendaSlotSerializer(serializers.ModelSerializer):
    entry = EntrySummarySerializer(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="When the pitch's timer runs out.")

    class Meta:
        model = AgendaSlot
        fields = [
            "id",
            "position",
            "entry",
            "planned_start",
            "duration_minutes",
            "state",
            "started_at",
            "ended_at",
            "extended_seconds",
            "ends_at",
        ]


class VideoSerializer(serializers.Serializer):
    hls_url = serializers.CharField()
    embed_url = serializers.CharField()
    recording_url = serializers.CharField()


class LiveRoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField(help_text="The round's name in the request's language.")


@extend_schema_field(
    {"type": "string", "enum": RoadshowRoom.Status.values, "description": "scheduled → live → ended"},
    component_name="RoomStatusEnum",
)
class RoomStatusField(serializers.ChoiceField):
    """The room's status, named apart from other apps' "status" enums in the schema."""

    def __init__(self, **kwargs):
        super().__init__(choices=RoadshowRoom.Status.choices, read_only=True, **kwargs)


class RoomSerializer(serializers.ModelSerializer):
    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = RoomStatusField()
    title = serializers.CharField(read_only=True, help_text="Title in the request's language.")
    video = serializers.SerializerMethodField()
    judging_round = serializers.SerializerMethodField(
        help_text="The judging round scored live in this room, or null when nobody scores here."
    )
    url = serializers.SerializerMethodField()
    socket_path = serializers.SerializerMethodField(help_text="The room's websocket (docs/websocket-protocol.md).")

    class Meta:
        model = RoadshowRoom
        fields = [
            "slug",
            "event",
            "title",
            "title_zh",
            "title_en",
            "status",
            "visibility",
            "scheduled_start",
            "started_at",
            "ended_at",
            "video",
            "judging_round",
            "url",
            "socket_path",
        ]

    @extend_schema_field(VideoSerializer)
    def get_video(self, room: RoadshowRoom) -> dict:
        return {
            "hls_url": room.hls_url,
            "embed_url": room.embed_url,
            "recording_url": room.recording_url,
        }

    @extend_schema_field(LiveRoundSerializer(allow_null=True))
    def get_judging_round(self, room: RoadshowRoom) -> dict | None:
        round_ = room.judging_round
        return {"number": round_.number, "name": round_.name} if round_ else None

    def get_url(self, room: RoadshowRoom) -> str:
        request = self.context.get("request")
        path = room.get_absolute_url()
        return request.build_absolute_uri(path) if request else path

    def get_socket_path(self, room: RoadshowRoom) -> str:
        return f"/ws/rooms/{room.slug}/"


class RoomDetailSerializer(RoomSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta(RoomSerializer.Meta):
        fields = [*RoomSerializer.Meta.fields, "agenda"]

    @extend_schema_field(AgendaSlotSerializer(many=True))
    def get_agenda(self, room: RoadshowRoom) -> list:
        return AgendaSlotSerializer(selectors.agenda(room), many=True, context=self.context).data


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    organisation_zh = serializers.CharField()
    organisation_en = serializers.CharField()


class TranscriptEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The entry's place in the room's log.")
    kind = serializers.ChoiceField(choices=["chat", "question"])
    created_at = serializers.DateTimeField()
    user = PersonSerializer()
    text = serializers.CharField(help_text="As typed (not HTML-escaped): render as text.")
    votes = serializers.IntegerField(allow_null=True, help_text="Questions only.")
    answered = serializers.BooleanField(allow_null=True, help_text="Questions only.")
    hidden = serializers.BooleanField(help_text="Hidden by a moderator.")


class TranscriptPageSerializer(serializers.Serializer):
    results = TranscriptEntrySerializer(many=True)
    next_after = serializers.IntegerField(
        allow_null=True, help_text="Pass as ?after= for the next page; null on the last page."
    )


def _watchable_room(request, slug: str) -> RoadshowRoom:
    """The room, if the requester may watch it: 404 when its event is hidden, 401/403 otherwise."""
    room = get_object_or_404(RoadshowRoom.objects.select_related("event", "judging_round"), slug=slug)
    if not can(request.user, "event.view", room.event):
        raise Http404
    if not selectors.room_can_watch(request.user, room):
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        raise exceptions.PermissionDenied
    return room


@extend_schema(tags=["rooms"])
class RoomListView(generics.ListAPIView):
    """Every roadshow room the requester may watch: public rooms of published events to anyone,
    registered-only rooms to signed-in users, rooms of unpublished events to people with a role there."""

    serializer_class = RoomSerializer

    def get_queryset(self):
        return selectors.rooms_watchable(self.request.user)


@extend_schema(tags=["rooms"], parameters=[EVENT_SLUG])
class EventRoomListView(generics.ListAPIView):
    """The rooms of one event that the requester may watch, live ones first."""

    serializer_class = RoomSerializer

    def get_queryset(self):
        event = get_object_or_404(Event, slug=self.kwargs["slug"])
        if not can(self.request.user, "event.view", event):
            raise Http404
        return selectors.rooms_of_event(event, self.request.user)


@extend_schema(tags=["rooms"], parameters=[ROOM_SLUG])
class RoomDetailView(generics.RetrieveAPIView):
    """A room with its agenda."""

    serializer_class = RoomDetailSerializer

    def get_object(self):
        return _watchable_room(self.request, self.kwargs["slug"])


@extend_schema(tags=["rooms"], parameters=[ROOM_SLUG])
class AgendaView(generics.ListAPIView):
    """A room's agenda in order: which entry pitches when, and the timer of the pitch on stage."""

    serializer_class = AgendaSlotSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.agenda(_watchable_room(self.request, self.kwargs["slug"]))


@extend_schema(
    tags=["rooms"],
    parameters=[
        ROOM_SLUG,
        OpenApiParameter("after", OpenApiTypes.INT, description="Entries with a seq above this (default 0)."),
    ],
    responses=TranscriptPageSerializer,
)
class TranscriptView(generics.GenericAPIView):
    """The room's chat messages and questions in seq order, hidden ones included and marked,
    500 at a time. For the event's organisers only."""

    serializer_class = TranscriptPageSerializer

    def get(self, request, slug: str):
        room = _watchable_room(request, slug)
        if not can(request.user, "room.run", room.event):
            raise exceptions.PermissionDenied("Only the event's organisers may read the transcript.")
        after = request.query_params.get("after", "0")
        if not after.isdigit():
            raise exceptions.ValidationError({"after": "Give a seq: a whole number, 0 or more."})
        entries = list(exports.transcript(room, include_hidden=True, after_seq=int(after), limit=TRANSCRIPT_PAGE))
        next_after = entries[-1]["seq"] if len(entries) == TRANSCRIPT_PAGE else None
        return Response(TranscriptPageSerializer({"results": entries, "next_after": next_after}).data)
