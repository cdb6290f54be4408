"""The one class that reads and writes entity resolution's part of the graph.

Every statement is a ``graph/cypher/resolve_*.cypher``, ``review_*.cypher`` or ``export_*.cypher`` file;
every value is a parameter. Writes are batched ``UNWIND $rows`` in managed transactions (retried on
transient errors, so each statement is idempotent).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import neo4j
import pandas as pd

from graph import cypher_files
from graph.writer import Rows
from ingest.resolution.features import PAGE_COLUMNS, records_frame, split_lived_at

T = TypeVar("T")
DEFAULT_BATCH = 10_000
READ_PAGE = 20_000  # records per page of a paged read


def _native(value: Any) -> Any:
    """Neo4j temporal values -> Python ones."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


class ResolutionStore:
    """Entity resolution's reads and writes: records, persons, links, reviews, models, runs."""

    def __init__(
        self, driver: neo4j.Driver, database: str, batch_size: int = DEFAULT_BATCH, read_page: int = READ_PAGE
    ) -> None:
        if read_page < 1:
            raise ValueError("a read page holds at least one record")
        self.driver = driver
        self.database = database
        self.batch_size = batch_size
        self.read_page = read_page

    # --- plumbing ---------------------------------------------------------------------------------
    def _read(self, name: str, rows: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        query = cypher_files.load(name)

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(query, rows=Rows(rows or []))
            return [{k: _native(v) for k, v in zip(rec.keys(), rec.values(), strict=True)} for rec in result]

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _write(self, name: str, rows: Sequence[dict[str, Any]]) -> int:
        """Run a write file over ``rows`` in batches; the sum of its first returned column."""
        query = cypher_files.load(name)
        total = 0
        with self.driver.session(database=self.database) as session:
            for start in range(0, len(rows), self.batch_size):
                batch = list(rows[start : start + self.batch_size])

                def work(tx: neo4j.ManagedTransaction, batch: list[dict[str, Any]] = batch) -> int:
                    value = tx.run(query, rows=Rows(batch)).single(strict=True)[0]
                    return value if isinstance(value, int) else 1

                total += session.execute_write(work)
        return total

    def in_transaction(self, work: Callable[[Transaction], T]) -> T:
        """Run several statements as one transaction (an analyst's decision is all or nothing)."""
        with self.driver.session(database=self.database) as session:
            return session.execute_write(lambda tx: work(Transaction(tx)))

    def _pages(self, name: str) -> Iterator[list[list[Any]]]:
        """The pages of a paged read file (``$after``, ``$page`` -> ``last``, a list of rows): each page is one
        returned row, so the driver's cost per row is paid once a page, not once a record."""
        query, page = cypher_files.load(name), self.read_page

        def work(tx: neo4j.ManagedTransaction, after: str) -> tuple[str | None, list[list[Any]]]:
            last, rows = tx.run(query, after=after, page=page).single(strict=True)
            return last, rows

        after = ""
        with self.driver.session(database=self.database) as session:
            while True:
                last, rows = session.execute_read(work, after)
                if last is None:
                    return
                yield rows
                after = last

    def _read_pages(self, name: str) -> Iterator[list[Any]]:
        """The rows of a paged read file, page by page."""
        for rows in self._pages(name):
            yield from rows

    # --- reads ------------------------------------------------------------------------------------
    def read_records(self) -> pd.DataFrame:
        """One row per SourceRecord, in ``RECORD_COLUMNS`` (lived_at split into postcodes and lines; dates
        as ISO text)."""
        return records_frame(self.iter_record_pages())

    def iter_record_pages(self) -> Iterator[list[list[Any]]]:
        """Every SourceRecord, a page at a time in record_key order, each record a list in
        ``features.PAGE_COLUMNS`` (for ``features.RecordColumns``)."""
        return self._pages("resolve_read_records")

    def read_records_by_key(self, keys: Sequence[str]) -> pd.DataFrame:
        """The given records (as ``read_records``) with their person_id and link properties."""
        rows = self._read("resolve_read_records_by_key", [{"record_key": k} for k in keys])
        frame = pd.DataFrame(rows, columns=[*PAGE_COLUMNS, "person_id", "link"])
        return split_lived_at(frame)

    def read_person_members(self, person_ids: Sequence[str]) -> dict[str, list[str]]:
        rows = self._read("resolve_read_person_members", [{"person_id": p} for p in person_ids])
        out: dict[str, list[str]] = {}
        for row in rows:
            out.setdefault(row["person_id"], []).append(row["record_key"])
        return out

    def read_links(self) -> dict[str, tuple[str, dict[str, Any]]]:
        """record_key -> (person_id, the link's evidence: ``persons.EVIDENCE_KEYS``)."""
        return {key: (person_id, link) for key, person_id, link in self._read_pages("resolve_read_links")}

    def read_links_by_key(self, keys: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """record_key -> (person_id, all the RECORD_OF properties) for the given records that are linked."""
        out: dict[str, tuple[str, dict[str, Any]]] = {}
        for start in range(0, len(keys), self.batch_size):
            rows = self._read(
                "resolve_read_links_by_key",
                [{"record_key": k} for k in keys[start : start + self.batch_size]],
            )
            out.update((r["record_key"], (r["person_id"], r["link"])) for r in rows)
        return out

    def read_known_at(self) -> datetime | None:
        """The latest time Jigsaw learnt (or learnt a correction of) any agency record; None if there is none."""
        rows = self._read("resolve_read_known_at")
        return rows[0]["known_at"] if rows else None

    def read_persons(self) -> dict[str, dict[str, Any]]:
        """person_id -> its resolved properties, with ``unborn``."""
        return {
            r["person_id"]: {**r["props"], "unborn": bool(r["unborn"])}
            for r in self._read("resolve_read_persons")
        }

    def read_relations(self) -> list[tuple[str, str, str | None]]:
        """(from record, to record, type) of every RELATED_TO between two records."""
        return list(self.iter_relations())

    def iter_relations(self) -> Iterator[tuple[str, str, str | None]]:
        """``read_relations`` page by page, for a caller that keeps only what it makes of them."""
        return ((a, b, kind) for a, b, kind in self._read_pages("resolve_read_relations"))

    def read_reviews(self) -> list[dict[str, Any]]:
        return self._read("resolve_read_reviews")

    def read_models(self) -> list[dict[str, Any]]:
        """Trained models, newest first: {version, props}."""
        return self._read("resolve_read_models")

    def list_reviews(self, status: str, limit: int) -> list[dict[str, Any]]:
        query = cypher_files.load("review_list")

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(query, rows=[{"status": status}])
            out = []
            for rec in result:
                out.append({k: _native(v) for k, v in zip(rec.keys(), rec.values(), strict=True)})
                if len(out) >= limit:
                    break
            result.consume()
            return out

        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def get_review(self, review_id: str) -> dict[str, Any] | None:
        rows = self._read("review_get", [{"id": review_id}])
        return {k: _native(v) for k, v in rows[0]["review"].items()} if rows else None

    def iter_links(self) -> Iterator[dict[str, Any]]:
        """The links export, streamed (one row per SourceRecord)."""
        query = cypher_files.load("export_links")
        with self.driver.session(database=self.database, fetch_size=10_000) as session:
            result = session.run(query)
            for rec in result:
                yield {k: _native(v) for k, v in zip(rec.keys(), rec.values(), strict=True)}

    # --- writes -----------------------------------------------------------------------------------
    def write_persons(self, rows: Sequence[dict[str, Any]]) -> int:
        return self._write("resolve_merge_persons", rows)

    def create_persons(self, rows: Sequence[dict[str, Any]], run: NewLinks) -> int:
        """New persons with the links of their (so far unlinked) records; returns the links created. Each
        row's ``links`` are ``persons.new_link`` lists; what the run gives every person and link is ``run``."""
        query = cypher_files.load("resolve_create_persons")
        common = {"at": run.at, "run_id": run.run_id, "in_force_from": run.in_force_from}

        def work(tx: neo4j.ManagedTransaction, chunk: list[dict[str, Any]]) -> int:
            return int(tx.run(query, rows=Rows(chunk), run=common).single(strict=True)[0])

        total, batch, size = 0, [], 0
        with self.driver.session(database=self.database) as session:
            for row in rows:
                batch.append(row)
                size += len(row["links"])
                if size >= self.batch_size:
                    total += session.execute_write(work, batch)
                    batch, size = [], 0
            if batch:
                total += session.execute_write(work, batch)
        return total

    @contextmanager
    def person_creator(self, run: NewLinks) -> Iterator[PersonCreator]:
        """New persons (as ``create_persons`` takes them) written in batches by background threads while
        the caller builds the next ones; leaving the block waits for every write (and raises its error)."""
        creator = PersonCreator(self, run)
        try:
            yield creator
        except BaseException:
            creator.abandon()
            raise
        creator.finish()

    def write_links(self, rows: Sequence[dict[str, Any]]) -> int:
        return self._write("resolve_link_records", rows)

    def retire_persons(self, rows: Sequence[dict[str, Any]]) -> int:
        return self._write("resolve_retire_persons", rows)

    def write_reviews(self, rows: Sequence[dict[str, Any]]) -> int:
        return self._write("resolve_merge_reviews", rows)

    def withdraw_reviews(self, rows: Sequence[dict[str, Any]]) -> int:
        return self._write("resolve_withdraw_reviews", rows)

    def record_model(self, version: int, props: dict[str, Any]) -> None:
        self._write("resolve_record_model", [{"version": version, "props": props}])

    def record_run(self, run_id: str, props: dict[str, Any]) -> None:
        self._write("resolve_record_run", [{"run_id": run_id, "props": props}])


@dataclass(frozen=True)
class NewLinks:
    """What every person and link a run creates shares: its time (the persons' ``updated_at``, the links'
    ``linked_at``), its id and the time its matches are in force from (``persons.link_props``)."""

    at: datetime
    run_id: str
    in_force_from: datetime


class PersonCreator:
    """Batches of new persons written by background threads; at most ``2 * threads`` batches wait, so memory
    holds a few batches, not every person's links (1.8 million at 200,000 children). Two batches never share
    a record (each record is in one person), but adding a RECORD_OF locks relationships in the record's chain,
    which two records of different persons can share (a RELATED_TO between them): Neo4j then finds a deadlock
    and ``execute_write`` retries the batch, rolled back, so nothing is written twice (seen once in two runs at
    200,000 children and once at 10,000 with three threads). Neo4j, not Python, is what a first run's writing
    waits on: with three threads the server used 140 s of CPU and Jigsaw 37 s in a 100 s stage."""

    def __init__(self, store: ResolutionStore, run: NewLinks, threads: int = 3) -> None:
        self.store = store
        self.run = run
        self.links_written = 0
        self._batch: list[dict[str, Any]] = []
        self._links = 0
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="jigsaw-persons")
        self._slots = threading.BoundedSemaphore(2 * threads)
        self._futures: list[Future[int]] = []

    def add(self, person: dict[str, Any]) -> None:
        self._batch.append(person)
        self._links += len(person["links"])
        if self._links >= self.store.batch_size:
            self._submit()

    def _submit(self) -> None:
        batch, self._batch, self._links = self._batch, [], 0
        self._slots.acquire()  # blocks while enough batches wait
        future = self._pool.submit(self.store.create_persons, batch, self.run)
        future.add_done_callback(lambda _f: self._slots.release())
        self._futures.append(future)

    def finish(self) -> None:
        if self._batch:
            self._submit()
        try:
            self.links_written = sum(f.result() for f in self._futures)
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def abandon(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class Transaction:
    """The resolution statements inside one managed transaction."""

    def __init__(self, tx: neo4j.ManagedTransaction) -> None:
        self.tx = tx

    def run(self, name: str, rows: Sequence[dict[str, Any]]) -> int:
        value = self.tx.run(cypher_files.load(name), rows=Rows(rows)).single(strict=True)[0]
        return value if isinstance(value, int) else 1
