"""Dates read from Neo4j as Python ``datetime.date``, built in C.

The driver turns every Cypher DATE into its own ``neo4j.time.Date`` in pure Python (about 9 microseconds each,
with the ``to_native()`` that every Jigsaw reader calls next), where ``date.fromordinal`` takes 0.3. A pattern
sweep at 200,000 children reads about 450,000 dates (4 s of the sweep's CPU) and a case picture a few hundred.
The driver has no public hook for this, so ``use_python_dates`` replaces its (private) Bolt DATE hydration
function with one that returns ``datetime.date``, falling back to the driver's own for a date Python cannot
hold (before year 1 or after 9999). ``tests/test_foundation.py`` checks that a date read from the server is a
``datetime.date``, so a driver release that moves the function fails the tests instead of slowing silently.
Applied once per process, before a connection is opened (each connection builds its hydration table then).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

log = logging.getLogger(__name__)

_EPOCH = date(1970, 1, 1).toordinal()  # Bolt sends a DATE as days since 1970-01-01


def python_date(days: int, fallback: Callable[[int], Any]) -> Any:
    """The date ``days`` after 1970-01-01; ``fallback(days)`` when Python's date cannot hold it."""
    try:
        return date.fromordinal(_EPOCH + days)
    except (ValueError, OverflowError):
        return fallback(days)


def use_python_dates() -> bool:
    """Make the driver hydrate Bolt DATEs as ``datetime.date``; True when in effect."""
    try:
        from neo4j._codec.hydration.bolt.v1 import temporal
    except ImportError:  # a driver laid out otherwise: its own (slower) dates
        log.warning("neo4j driver internals moved: dates are read through the driver's own conversion")
        return False
    original = temporal.hydrate_date
    if getattr(original, "jigsaw_python_dates", False):  # applied already
        return True

    def hydrate_date(days: int) -> Any:
        return python_date(days, original)

    hydrate_date.jigsaw_python_dates = True  # type: ignore[attr-defined]
    temporal.hydrate_date = hydrate_date
    return True
