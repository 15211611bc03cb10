from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "docking"
    verbose_name = _("Docking")

    def ready(self) -> None:
        # The roadshow rooms tell whoever listens about a new "I'm interested" mark; docking makes it a lead.
        from livestream.signals import interest_marked

        from . import receivers

        interest_marked.connect(receivers.lead_for_room_interest, dispatch_uid="docking.lead_for_room_interest")
