from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Expert pool")

    def ready(self) -> None:
        # judging's assignment prefers experts in an entry's field; it asks its registry, never this app.
        from judging import sources

        from . import selectors

        sources.register_expert_fields(selectors.expert_fields)
