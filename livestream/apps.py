from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivestreamConfig(AppConfig):
    name = "livestream"
    verbose_name = _("Roadshow rooms")

    def ready(self) -> None:
        # judging weighs a live signal into a round's standing; it asks its registry, never this app.
        from judging import sources

        from . import hub, selectors

        hub.connect_signals()
        sources.register_live_signals(sources.LiveSignals(of_entries=selectors.pitch_signals_of_entries))
