"""The one table of who may do what in an event.

Every view, API endpoint and websocket consumer asks ``events.services.can``; this
module is the table it reads. An action is granted by holding one of its roles *in
that event*; site staff may do everything. Public actions are open to anyone (signed
in or not) on a published event. Apps add their actions here, not their own checks.
"""

from .models import Role

PUBLIC = "public"  # anyone, on a published event
SIGNED_IN = "signed_in"  # any signed-in user, on a published event

ACTION_RULES: dict[str, frozenset[str]] = {
    # Event itself
    "event.view": frozenset({PUBLIC}),
    "event.view_unpublished": frozenset({Role.ORGANISER, Role.JUDGE, Role.LEDGER_EDITOR}),
    "event.manage": frozenset({Role.ORGANISER}),
    "event.grant_roles": frozenset({Role.ORGANISER}),
    "event.join_audience": frozenset({SIGNED_IN}),
    # Registration
    "entry.create": frozenset({SIGNED_IN}),
    "entry.view_all": frozenset({Role.ORGANISER}),
    "entry.screen": frozenset({Role.ORGANISER}),
    "entry.export": frozenset({Role.ORGANISER}),
    "registration.configure": frozenset({Role.ORGANISER}),
    # Judging
    "judging.configure": frozenset({Role.ORGANISER}),
    "judging.assign": frozenset({Role.ORGANISER}),
    "judging.score": frozenset({Role.JUDGE}),
    "judging.view_results": frozenset({Role.ORGANISER}),
    "judging.release_results": frozenset({Role.ORGANISER}),
    "judging.view_released": frozenset({Role.ORGANISER, Role.JUDGE, Role.ENTRANT}),
    # Roadshow rooms
    "room.watch": frozenset({PUBLIC}),
    "room.watch_registered": frozenset({SIGNED_IN}),
    "room.post": frozenset({SIGNED_IN}),
    "room.moderate": frozenset({Role.ORGANISER}),
    "room.run": frozenset({Role.ORGANISER}),
    "room.score_live": frozenset({Role.JUDGE}),
    "room.mark_interest": frozenset({Role.AUDIENCE, Role.ENTERPRISE, Role.ORGANISER}),
    # Docking
    "docking.post_need": frozenset({Role.ENTERPRISE, Role.ORGANISER}),
    "docking.view_open_needs": frozenset({Role.ENTRANT, Role.ORGANISER}),
    "docking.request_meeting": frozenset({Role.ENTERPRISE, Role.ENTRANT, Role.ORGANISER}),
    "docking.manage": frozenset({Role.ORGANISER}),
    "docking.record_deal": frozenset({Role.ORGANISER, Role.LEDGER_EDITOR}),
    # Landing ledger
    "ledger.view": frozenset({Role.ORGANISER, Role.LEDGER_EDITOR}),
    "ledger.edit": frozenset({Role.LEDGER_EDITOR, Role.ORGANISER}),
    # Special awards and the audience vote
    "awards.manage": frozenset({Role.ORGANISER}),
    "awards.vote": frozenset({SIGNED_IN}),
    # Dashboards and exports
    "insights.view": frozenset({Role.ORGANISER, Role.LEDGER_EDITOR}),
}


def roles_for(action: str) -> frozenset[str]:
    try:
        return ACTION_RULES[action]
    except KeyError:
        raise ValueError(f"Unknown permission action {action!r}; add it to events.permissions.") from None
