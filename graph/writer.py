"""The one class that writes agency data into Neo4j: batched ``UNWIND $rows ... MERGE`` in managed
transactions (``execute_write`` retries transient errors, so every statement is idempotent).

Every value reaches Neo4j as a parameter; no value is ever spliced into Cypher text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import neo4j

from graph import cypher_files
from graph.model import GraphRows

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_BATCH_SIZE = 5000


class Rows(list[dict[str, Any]]):
    """A batch of rows as a Cypher parameter, with a ``repr`` that names only its length.

    The driver formats every RUN message's parameters for its debug log whether or not debug logging is on
    (neo4j 6.4, ``_bolt5.py``): the repr of a 5,000-row batch cost a fifth of the ingest's CPU time, and with
    debug logging on it would write agency data into the log. This repr keeps both out.
    """

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def batched(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Unlinked:
    """A link row whose endpoint is not in the graph (e.g. a role for a nominal the extract lacks)."""

    kind: str
    idx: int  # position in the GraphRows list of that kind
    key: str
    reason: str


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    links_written: int = 0
    unlinked: list[Unlinked] = field(default_factory=list)

    def add(self, other: WriteResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.links_written += other.links_written
        self.unlinked.extend(other.unlinked)


# link kind -> (Cypher file, what a missing endpoint means, how to name the row)
_LINKS: dict[str, tuple[str, str, Callable[[Any], str]]] = {
    "involvements": ("merge_involvements", "person record or fact not found",
                     lambda r: f"{r.record_key} -> {r.fact_key}"),
    "person_links": ("merge_person_links", "one of the two person records not found",
                     lambda r: f"{r.from_key} -> {r.to_key}"),
    "residences": ("merge_residences", "person record not found", lambda r: r.record_key),
    "fact_places": ("merge_fact_places", "fact not found", lambda r: r.fact_key),
    "fact_parts": ("merge_fact_parts", "fact or its parent not found", lambda r: f"{r.fact_key} -> {r.parent_key}"),
    "household_members": ("merge_household_members", "person record not found", lambda r: r.record_key),
}  # fmt: skip


class GraphWriter:
    """Loads ``GraphRows`` into the graph; owns all write I/O of the ingest."""

    def __init__(self, driver: neo4j.Driver, database: str, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        self.driver = driver
        self.database = database
        self.batch_size = batch_size

    def _run(self, name: str, rows: list[dict[str, Any]]) -> neo4j.Record:
        query = cypher_files.load(name)

        def work(tx: neo4j.ManagedTransaction) -> neo4j.Record:
            record = tx.run(query, rows=Rows(rows)).single(strict=True)
            return record

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write(self, rows: GraphRows, progress: Callable[[int], None] | None = None) -> WriteResult:
        """Write nodes first (records, facts), then links; returns counts and links that found no endpoint."""
        result = WriteResult()
        for name, items in (("merge_source_records", rows.source_records), ("merge_facts", rows.facts)):
            params = [item.to_param() for item in items]
            for batch in batched(params, self.batch_size):
                record = self._run(name, list(batch))
                result.created += int(record["created"])
                result.updated += int(record["updated"])
                if progress:
                    progress(len(batch))
        for kind, (name, reason, label) in _LINKS.items():
            items = getattr(rows, kind)
            params = [item.to_param(idx) for idx, item in enumerate(items)]
            written: set[int] = set()
            for batch in batched(params, self.batch_size):
                written.update(self._run(name, list(batch))["written"])
                if progress:
                    progress(len(batch))
            result.links_written += len(written)
            result.unlinked.extend(
                Unlinked(kind, idx, label(item), reason)
                for idx, item in enumerate(items)
                if idx not in written
            )
        return result

    def record_run(self, run: dict[str, Any]) -> None:
        self._run_single("merge_ingest_run", {"run": run})

    def _run_single(self, name: str, params: dict[str, Any]) -> None:
        query = cypher_files.load(name)
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(query, **params).consume())
