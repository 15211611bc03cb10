"""Judging: rounds, criteria, judge assignment, scorecards, aggregation, ranking and results."""
