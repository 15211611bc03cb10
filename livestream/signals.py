"""Signals the live layer sends for the apps above it, which it never imports."""

from django.dispatch import Signal

# A viewer marked interest in a pitched project (``services.interest_mark``). Sent once the mark is
# committed, with ``interest``: the new ``RoomInterest``. Docking receives it and makes the mark a lead.
interest_marked = Signal()
