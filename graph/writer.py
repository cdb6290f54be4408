"""The one class that writes agency data into Neo4j: batched ``UNWIND $rows ... MERGE`` in managed
transactions (``execute_write`` retries transient errors, so every statement is idempotent).

Every value reaches Neo4j as a parameter; no value is ever spliced into Cypher text.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import neo4j

from graph import cypher_files
from graph.model import GraphRows, Provenance

log = logging.getLogger(__name__)

T = TypeVar("T")
DEFAULT_BATCH_SIZE = 5000


class Rows(list[Any]):
    """A batch of rows (or keys) as a Cypher parameter, with a ``repr`` that names only its length.

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
    """A row the graph could not take: a link whose endpoint is not in the graph (e.g. a role for a nominal the
    extract lacks), or the changed content of a record its agency withdrew."""

    kind: str
    idx: int  # position in the GraphRows list of that kind
    key: str
    reason: str
    item: Any = None  # the link row itself, so the caller can try it again once more of the file is written


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
    "withdrawals": ("withdraw_records", "no record or fact with this key to withdraw", lambda r: r.key),
}  # fmt: skip
WITHDRAWN = "withdrawn by the agency: a record it withdrew is not loaded again (send it under a new id)"


# node kind -> (the GraphRows attribute, its key field, the Cypher that reads hashes, creates, updates)
_NODES: tuple[tuple[str, str, str, str, str], ...] = (
    ("source_records", "record_key", "read_source_record_hashes", "create_source_records", "update_source_records"),
    ("facts", "fact_key", "read_fact_hashes", "create_facts", "update_facts"),
)  # fmt: skip


def _first_of_each_key(
    rows: Sequence[dict[str, Any]], key: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows whose key is not seen earlier in the batch, the repeats): a repeat is compared with what the
    first wrote, as if it came in a later batch."""
    seen: set[str] = set()
    first: list[dict[str, Any]] = []
    repeats: list[dict[str, Any]] = []
    for row in rows:
        (repeats if row[key] in seen else first).append(row)
        seen.add(row[key])
    return first, repeats


class GraphWriter:
    """Loads ``GraphRows`` into the graph; owns all write I/O of the ingest.

    ``submit`` writes in a background thread, so the caller can read and transform the next chunk while Neo4j
    writes this one. With ``threads=2`` Neo4j can also run one write while the driver packs the next: 5 % faster
    at 10,000 children on 2 cores, but at 200,000 concurrent MERGEs on shared addresses and households deadlock
    and are retried (after a second's back-off each), so one thread is the default.
    """

    def __init__(
        self, driver: neo4j.Driver, database: str, batch_size: int = DEFAULT_BATCH_SIZE, threads: int = 1
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        if threads < 1:
            raise ValueError("at least one writer thread is needed")
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        # one write waiting per thread besides those running: enough to keep the threads busy, few enough
        # that memory holds only a few chunks' graph rows
        self._slots = threading.BoundedSemaphore(2 * threads)
        self._submitted: list[Future[WriteResult]] = []

    def __enter__(self) -> GraphWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the writes submitted (or, after an error, drop those not started) and stop the threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._submitted = []

    def in_flight(self) -> list[Future[WriteResult]]:
        """The writes submitted and not finished yet."""
        self._submitted = [f for f in self._submitted if not f.done()]
        return list(self._submitted)

    def submit(
        self,
        rows: GraphRows,
        progress: Callable[[int], None] | None = None,
        after: Sequence[Future[WriteResult]] = (),
    ) -> Future[WriteResult]:
        """Write ``rows`` in the background, once the writes in ``after`` are done (a file's first chunk waits
        for the files before it, whose records its links name). Writes of one file run side by side: a link
        whose end another thread is still writing is reported unlinked, for the caller to try again. Blocks
        while enough writes are waiting, so memory stays bounded; an error in a write in ``after`` fails this
        one too."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="jigsaw-writer")
        waits = list(after)

        def task() -> WriteResult:
            # waits only on writes submitted earlier, which the pool has started already (it runs in order)
            for earlier in waits:
                earlier.result()
            return self.write(rows, progress)

        self._slots.acquire()
        try:
            future = self._pool.submit(task)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _f: self._slots.release())
        self._submitted = [*self.in_flight(), future]
        return future

    def _run(self, name: str, rows: list[dict[str, Any]], run: dict[str, Any]) -> neo4j.Record:
        query = cypher_files.load(name)

        def work(tx: neo4j.ManagedTransaction) -> neo4j.Record:
            return tx.run(query, rows=Rows(rows), run=run).single(strict=True)

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _write_nodes(
        self, key: str, names: tuple[str, str, str], rows: list[dict[str, Any]], run: dict[str, Any]
    ) -> tuple[int, int, list[dict[str, Any]]]:
        """(created, updated, refused) for one batch, in one transaction: read what the graph holds, then create
        the new rows and version the changed ones; an unchanged row costs one index look-up and no write. A row
        of a record its agency withdrew is not loaded again: unchanged it is already held (withdrawn); changed,
        it is refused (returned, for the quarantine)."""
        read, create, update = (cypher_files.load(name) for name in names)

        def work(tx: neo4j.ManagedTransaction) -> tuple[int, int, list[dict[str, Any]]]:
            created = updated = 0
            refused: list[dict[str, Any]] = []
            pending = rows
            while pending:
                batch, pending = _first_of_each_key(pending, key)
                held: dict[str, str] = {}
                withdrawn: set[str] = set()
                for r in tx.run(read, rows=Rows(row[key] for row in batch), run=run):
                    held[r["key"]] = r["row_hash"]
                    if r["withdrawn"]:
                        withdrawn.add(r["key"])
                new = [row for row in batch if row[key] not in held]
                differ = [row for row in batch if row[key] in held and held[row[key]] != row["row_hash"]]
                changed = [row for row in differ if row[key] not in withdrawn]
                refused += [row for row in differ if row[key] in withdrawn]
                if new:
                    raced = set(tx.run(create, rows=Rows(new), run=run).single(strict=True)["raced"])
                    created += len(new) - len(raced)
                    # another thread or load created these first, with other content: version them
                    changed += [row for row in new if row[key] in raced]
                if changed:
                    updated += int(tx.run(update, rows=Rows(changed), run=run).single(strict=True)[0])
            return created, updated, refused

        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def write(self, rows: GraphRows, progress: Callable[[int], None] | None = None) -> WriteResult:
        """Write nodes first (records, facts), then links; returns counts and links that found no endpoint."""
        result = WriteResult()
        for kind, key, *names in _NODES:
            items = getattr(rows, kind)
            for run, params in _by_run(
                (item.provenance, {**item.to_param(), "idx": idx}) for idx, item in enumerate(items)
            ):
                for batch in batched(params, self.batch_size):
                    created, updated, refused = self._write_nodes(
                        key, (names[0], names[1], names[2]), list(batch), run
                    )
                    result.created += created
                    result.updated += updated
                    result.unlinked.extend(
                        Unlinked(kind, row["idx"], row[key], WITHDRAWN, items[row["idx"]]) for row in refused
                    )
                    if progress:
                        progress(len(batch))
        for kind, (name, reason, label) in _LINKS.items():
            items = getattr(rows, kind)
            written: set[int] = set()
            for run, params in _by_run(
                (getattr(item, "provenance", None), item.to_param(idx)) for idx, item in enumerate(items)
            ):
                for batch in batched(params, self.batch_size):
                    written.update(self._run(name, list(batch), run)["written"])
                    if progress:
                        progress(len(batch))
            result.links_written += len(written)
            result.unlinked.extend(
                Unlinked(kind, idx, label(item), reason, item)
                for idx, item in enumerate(items)
                if idx not in written
            )
        return result

    def complete(self) -> None:
        """Called once every file is written, before the run is recorded: nothing to do here (each write is
        in the graph when it returns); the bulk writer imports its files then."""

    def record_run(self, run: dict[str, Any]) -> None:
        query = cypher_files.load("merge_ingest_run")
        with self.driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(query, run=run).consume())


def _by_run(
    pairs: Iterator[tuple[Provenance | None, dict[str, Any]]],
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Rows grouped by their run stamp (one group in a normal run), each with its ``$run`` parameter."""
    groups: dict[tuple[str, datetime] | None, list[dict[str, Any]]] = {}
    for provenance, param in pairs:
        groups.setdefault(provenance.stamp if provenance else None, []).append(param)
    for stamp, params in groups.items():
        yield ({"run_id": stamp[0], "learnt_at": stamp[1]} if stamp else {}), params
