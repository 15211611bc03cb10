"""Reusable docking reads, one module per area."""
