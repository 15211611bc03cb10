from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Special awards")

    def ready(self) -> None:
        # judging weighs the audience vote into a round's standing; it asks its registry, never this app.
        from judging import sources

        from . import selectors

        sources.register_audience_votes(
            sources.AudienceVotes(
                awards_of_event=selectors.audience_awards,
                is_audience_vote=lambda award: award.is_audience,
                vote_counts=selectors.vote_counts,
            )
        )
