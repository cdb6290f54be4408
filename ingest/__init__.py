"""Agencies' records in: one adapter per agency and format (read, validate, transform, load)."""
