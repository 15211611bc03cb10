"""Docking pages: needs and matches (needs.py); leads, meetings, fair schedules and deals (meetings.py, deals.py)."""
