from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # core sits below events: its API helpers reach the permission helper through core.access.
        from django.shortcuts import get_object_or_404

        from core.access import EventAccess, provide_event_access

        from .models import Event
        from .services import can, require

        provide_event_access(
            EventAccess(find=lambda slug: get_object_or_404(Event, slug=slug), can=can, require=require)
        )
