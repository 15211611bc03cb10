"""Docking demo data (see core.demo): enterprises and needs first, then leads, meetings and deals."""
