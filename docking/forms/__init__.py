"""Docking forms, one module per area."""
