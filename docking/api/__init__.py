"""Docking JSON API, one module per area."""
