"""Docking services.

needs.py and matching.py: enterprises, needs and matching; leads.py, meetings.py and
deals.py: leads, meeting requests, fair meetings and deals.
"""
