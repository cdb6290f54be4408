"""The picture "as known at" a past time: only what Jigsaw had learnt by then, in the versions current then,
with the person matches in force then.

Every question (picture, chronology, cumulative risk, hidden adults, linked children, the pattern sweep) runs
unchanged inside ``known_at(driver, database, at)``: a write transaction that first puts the graph back to
``at`` and is always rolled back, so nothing it does is ever committed or seen by anyone else. Putting back
uses what ingest and resolution keep (docs/graph-model.md, Time): records and facts first learnt after ``at``
are taken away, corrected ones take the version in force then (``RecordVersion``), links learnt or changed
since take their earlier version or go, person matches take the link in force then (``in_force_from``, the
link's ``history``), persons get the details their records gave then, and alerts the status they had then.

The cost grows with how much Jigsaw learnt after ``at``, not with the size of the graph (every step starts
from an index on the time it was learnt); ``max_changes`` refuses a rewind that would hold too much in one
transaction, with a clear message, rather than exhaust the server's memory.
"""

from __future__ import annotations

import json
import time as clock
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import neo4j

from ingest.resolution.persons import person_properties
from queries import catalog

DEFAULT_MAX_CHANGES = 500_000
REWIND_ATTEMPTS = 3


class TooMuchToRewind(RuntimeError):
    """Putting the graph back that far would hold more changes in one transaction than allowed."""


@dataclass
class Rewind:
    """What putting the graph back to ``at`` changed (inside the rolled-back transaction)."""

    at: datetime
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        return sum(self.counts.values())


def as_known_at(value: date | datetime | str) -> datetime:
    """The time a user means: a date is the end of that day (everything learnt that day, e.g. an extract dated
    that day, counts); a datetime without a zone is UTC. Raises ValueError on text that is neither."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed: date | datetime = (
                date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
            )
        except ValueError:
            raise ValueError(
                f"{value!r} is not a date like 2026-03-01 or a time like 2026-03-01T09:00"
            ) from None
        value = parsed
    if not isinstance(value, datetime):
        return datetime.combine(value + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(microseconds=1)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _entry_in_force(entry: Mapping[str, Any], at: datetime) -> bool:
    start = entry.get("in_force_from") or entry.get("linked_at")
    end = entry.get("in_force_to") or entry.get("unlinked_at")
    if start is None or end is None:
        return False
    return _time(start) <= at < _time(end)


def _time(value: Any) -> datetime:
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def match_at(history: Sequence[str], at: datetime) -> tuple[str | None, dict[str, Any]]:
    """From a RECORD_OF link's history (JSON strings, oldest first), the person and link properties in force at
    ``at``; (None, {}) when the record was matched to nobody then."""
    for text in reversed(history):
        entry = json.loads(text)
        if _entry_in_force(entry, at):
            props = {
                k: v
                for k, v in entry.items()
                if k
                in ("method", "match_probability", "matched_fields", "matched_with", "decided_by", "run_id")
            }
            props["in_force_from"] = _time(entry.get("in_force_from") or entry["linked_at"])
            props["linked_at"] = (
                _time(entry["linked_at"]) if entry.get("linked_at") else props["in_force_from"]
            )
            props["history"] = list(history[: history.index(text)])
            return str(entry["person_id"]), props
    return None, {}


def rewind(
    tx: neo4j.Transaction, database: str, at: datetime, max_changes: int = DEFAULT_MAX_CHANGES
) -> Rewind:
    """Put the graph back to ``at`` inside ``tx`` (which the caller must roll back)."""
    done = Rewind(at)
    params = {"at": at}
    scope = catalog.read(tx, database, "find_rewind_scope", params)[0]
    pending = _pending(tx, database, at)
    if pending > max_changes:
        raise TooMuchToRewind(
            f"Jigsaw has learnt {pending:,} records, facts and links since {at:%Y-%m-%d %H:%M} UTC: more than "
            f"{max_changes:,} to put back in one go. Choose a later time, or raise max_changes in jigsaw.toml "
            f"with the server's memory in mind."
        )
    touched: set[str] = set(scope["persons"])
    for name in ("rewind_alerts", "rewind_records_and_facts", "rewind_links"):
        for key, value in catalog.read(tx, database, name, params)[0].items():
            done.counts[f"{name.removeprefix('rewind_')}.{key}"] = int(value)
    rows = []
    for match in scope["matches"]:
        person_id, props = match_at(match["history"] or [], at)
        touched.add(match["person_id"])
        if person_id:
            touched.add(person_id)
        rows.append({"record_key": match["record_key"], "person_id": person_id, "props": props})
    if rows:
        for key, value in catalog.read(tx, database, "rewind_matches", {"rows": rows})[0].items():
            done.counts[f"matches.{key}"] = int(value)
    if touched:
        persons = []
        for row in catalog.read(tx, database, "find_person_records", {"person_ids": sorted(touched)}):
            records = row["records"]
            props, unborn = person_properties(records) if records else ({}, False)
            persons.append(
                {"person_id": row["person_id"], "props": props, "unborn": unborn, "keep": bool(records)}
            )
        for key, value in catalog.read(tx, database, "rewind_persons", {"rows": persons})[0].items():
            done.counts[f"persons.{key}"] = int(value)
    return done


def _pending(tx: neo4j.Transaction, database: str, at: datetime) -> int:
    """How many records, facts and links were learnt or changed after ``at`` (index counts, no rewinding)."""
    return int(catalog.read(tx, database, "find_rewind_size", {"at": at})[0]["pending"])


@contextmanager
def known_at(
    driver: catalog.Reader, database: str, at: datetime | None, max_changes: int = DEFAULT_MAX_CHANGES
) -> Iterator[tuple[catalog.Reader, Rewind | None]]:
    """A reader on the graph as known at ``at`` and what putting it back changed; with ``at`` None, the graph
    as it is now (the reader given, nothing put back). Nothing done inside is ever committed."""
    if at is None:
        yield driver, None
        return
    if not isinstance(driver, neo4j.Driver):
        raise TypeError("the graph as known at a past time needs a driver (it opens its own transaction)")
    with driver.session(database=database, **catalog.QUIET) as session:
        for attempt in range(REWIND_ATTEMPTS):
            tx = session.begin_transaction()
            try:
                done = rewind(tx, database, at, max_changes)
                break
            except neo4j.exceptions.TransientError:
                # two views of the past putting back the same nodes at once, or an ingest writing them: the
                # server ends one transaction (a deadlock or a lock wait); put back again, a moment later
                tx.rollback()
                if attempt == REWIND_ATTEMPTS - 1:
                    raise
                clock.sleep(0.2 * (attempt + 1))
            except BaseException:
                tx.rollback()
                raise
        try:
            yield tx, done
        finally:
            tx.rollback()
