"""Docking's receivers of the signals lower apps send (connected in ``DockingConfig.ready``)."""

from livestream.models import RoomInterest

from .services.leads import lead_from_room_interest


def lead_for_room_interest(sender, *, interest: RoomInterest, **kwargs) -> None:
    """A new "I'm interested" mark in a roadshow room (``livestream.signals.interest_marked``) becomes a lead."""
    lead_from_room_interest(interest=interest)
