"""A first load into an empty graph through ``neo4j-admin database import``, with the same graph as the
transactional ingest would write (issue 4: the transactional path cannot reach 20,000 records/s on 2 cores).

``BulkWriter`` takes the place of ``GraphWriter`` in ``run_ingest``: each chunk's rows become lines of CSV
files instead of Cypher statements, with the same outcome the Cypher would have had (what is created, what a
missing end leaves unlinked, which address or household a link creates). Once every file is read, ``complete``
stops Jigsaw's own server, imports the files into its database, starts it, applies the schema and waits for
the indexes, then writes through Cypher what CSV cannot say: a repeated key with other content (a version),
a repeated link with other values, a value the importer cannot carry (an empty list), and whatever touches
those. Withdrawals are refused (a first load has nothing to withdraw): the load stops before anything is
written, and the ingest without ``--bulk`` takes such files.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import neo4j

from graph import bulk_csv, schema
from graph.config import Settings
from graph.connection import make_driver
from graph.model import GraphRows
from graph.server.local import LocalNeo4j, ServerError
from graph.writer import DEFAULT_BATCH_SIZE, GraphWriter, Unlinked, WriteResult

log = logging.getLogger(__name__)


class BulkLoadRefused(Exception):
    """A bulk load cannot be used here; nothing was written."""


class BulkLoadError(Exception):
    """The bulk load failed after it started writing the database."""


@dataclass(frozen=True)
class _LinkSpec:
    type: str
    start: tuple[str, str]  # (id space, the row's field)
    end: tuple[str, str | None]  # (id space, the row's field; None: the node the link creates)
    reason: str  # what a missing end means (as GraphWriter says it)
    label: Callable[[dict[str, Any]], str]
    identity: tuple[str, ...]  # the row's fields that make a link the same link (MERGE's pattern)
    creates: str | None = None  # the row's field holding the node MERGEd at the end (Address, Household)


RECORD, FACT, ADDRESS, HOUSEHOLD = "SourceRecord", "Fact", "Address", "Household"
_NODE_ID = {RECORD: "record_key", FACT: "fact_key", ADDRESS: "address_key", HOUSEHOLD: "household_key"}
# link kind -> how its Cypher (graph/cypher/merge_*.cypher) creates it; the reasons are GraphWriter's
_LINK_SPECS: dict[str, _LinkSpec] = {
    "involvements": _LinkSpec("INVOLVED_IN", (RECORD, "record_key"), (FACT, "fact_key"),
                              "person record or fact not found", lambda r: f"{r['record_key']} -> {r['fact_key']}",
                              ("record_key", "fact_key", "role")),
    "person_links": _LinkSpec("RELATED_TO", (RECORD, "from_key"), (RECORD, "to_key"),
                              "one of the two person records not found",
                              lambda r: f"{r['from_key']} -> {r['to_key']}", ("from_key", "to_key", "link_key")),
    "residences": _LinkSpec("LIVED_AT", (RECORD, "record_key"), (ADDRESS, None), "person record not found",
                            lambda r: r["record_key"], ("record_key", "address", "link_key"), "address"),
    "fact_places": _LinkSpec("AT", (FACT, "fact_key"), (ADDRESS, None), "fact not found",
                             lambda r: r["fact_key"], ("fact_key", "address"), "address"),
    "fact_parts": _LinkSpec("PART_OF", (FACT, "fact_key"), (FACT, "parent_key"), "fact or its parent not found",
                            lambda r: f"{r['fact_key']} -> {r['parent_key']}", ("fact_key", "parent_key")),
    "household_members": _LinkSpec("MEMBER_OF", (RECORD, "record_key"), (HOUSEHOLD, None), "person record not found",
                                   lambda r: r["record_key"], ("record_key", "household"), "household"),
}  # fmt: skip
_KEY_PROPS = {"INVOLVED_IN": ("role",), "RELATED_TO": ("link_key", "type"), "LIVED_AT": ("link_key",)}
_NODE_KINDS = (("source_records", RECORD), ("facts", FACT))


def _created_key(row: Mapping[str, Any], spec: _LinkSpec) -> str | None:
    if spec.creates is None:
        return None
    return str(row[spec.creates][_NODE_ID[spec.end[0]]])


def _digest(value: Any) -> bytes:
    """128 bits standing for a value: a link's identity, or its content (a 200,000-children load holds five
    million of each; the rows themselves would not fit in memory). ``repr`` of a row is stable: its fields and
    its values' fields come in the order the model writes them."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).digest()


def _identity(row: Mapping[str, Any], spec: _LinkSpec, end: str) -> bytes:
    """The link's MERGE pattern; ``end`` stands for the node it creates (by key), when it creates one."""
    return _digest((spec.type, *((end if f == spec.creates else row[f]) for f in spec.identity)))


def link_properties(row: Mapping[str, Any], spec: _LinkSpec, run: Mapping[str, Any]) -> dict[str, Any]:
    """What the link's MERGE ... SET leaves on a link it creates: its key properties, its non-null values, and
    the run's stamp (``first_learnt_at`` always; ``ingest_run_id`` and ``learnt_at`` when a value was set,
    which is the Cypher's ``changed`` for a new link)."""
    out = {k: row[k] for k in _KEY_PROPS.get(spec.type, ())}
    if "props" not in row:  # AT and PART_OF carry nothing
        return out
    values = {k: v for k, v in row["props"].items() if v is not None}
    out.update(values)
    out["first_learnt_at"] = run["learnt_at"]
    if values:
        out["ingest_run_id"] = run["run_id"]
        out["learnt_at"] = run["learnt_at"]
    return out


def node_properties(row: Mapping[str, Any], run: Mapping[str, Any]) -> dict[str, Any]:
    """What ``create_source_records`` / ``create_facts`` set on a new node, but its key (the id column)."""
    learnt = run["learnt_at"]
    return {**row["props"], "row_hash": row["row_hash"], "ingest_run_id": run["run_id"],
            "learnt_at": learnt, "valid_from": learnt, "first_learnt_at": learnt}  # fmt: skip


_Staged = tuple[str, dict[str, Any], dict[str, str]]  # a node: key, properties, their importer types
_StagedLink = tuple[str, str, dict[str, Any], dict[str, str]]  # a link: start key, end key, properties, types


@dataclass
class _File:
    header: Path
    data: Path
    handle: IO[str]
    lines: bulk_csv.LineWriter
    count: int = 0


@dataclass
class _Staging:
    """The CSV files being written: one per (what the lines are, their typed header)."""

    folder: Path
    nodes: dict[tuple[str, tuple[str, ...], bulk_csv.Header], _File] = field(default_factory=dict)
    links: dict[tuple[str, str, str, bulk_csv.Header], _File] = field(default_factory=dict)

    def _open(self, prefix: str, header_text: str, header: bulk_csv.Header) -> _File:
        n = len(self.nodes) + len(self.links)
        header_file = self.folder / f"{prefix}-{n}-header.csv"
        header_file.write_text(header_text, encoding="utf-8")
        data = self.folder / f"{prefix}-{n}.csv"
        handle = data.open("w", encoding="utf-8", newline="")
        return _File(header_file, data, handle, bulk_csv.LineWriter(handle, header))

    def add_nodes(self, space: str, labels: tuple[str, ...], rows: Sequence[_Staged]) -> None:
        """Node lines: ``rows`` are (key, properties, their ``row_types``)."""
        for header, members in bulk_csv.group_by_header([types for _key, _props, types in rows]):
            out = self.nodes.get((space, labels, header))
            if out is None:
                out = self._open("nodes", bulk_csv.header_line((_NODE_ID[space], space), header), header)
                self.nodes[(space, labels, header)] = out
            write = out.lines.write
            for i in members:
                key, props, _types = rows[i]
                write((key,), props)
            out.count += len(members)

    def add_links(self, rel: str, spaces: tuple[str, str], rows: Sequence[_StagedLink]) -> None:
        """Relationship lines: ``rows`` are (start key, end key, properties, their ``row_types``)."""
        for header, members in bulk_csv.group_by_header([types for _s, _e, _props, types in rows]):
            out = self.links.get((rel, *spaces, header))
            if out is None:
                out = self._open("links", bulk_csv.header_line(None, header, spaces), header)
                self.links[(rel, *spaces, header)] = out
            write = out.lines.write
            for i in members:
                start, end, props, _types = rows[i]
                write((start, end), props)
            out.count += len(members)

    def close(self) -> None:
        for f in (*self.nodes.values(), *self.links.values()):
            f.handle.close()

    def import_arguments(self) -> Iterator[str]:
        for (_space, labels, _h), f in self.nodes.items():
            yield f"--nodes={':'.join(labels)}={f.header},{f.data}"
        for (rel, *_rest), f in self.links.items():
            yield f"--relationships={rel}={f.header},{f.data}"


_MISSING = object()


class BulkWriter(GraphWriter):
    """Writes a first load as CSV files and imports them into Jigsaw's own, stopped, server (see the module).

    Rows are staged in the order they are submitted (one thread), so what a link finds is what it would have
    found through Cypher: the records of the chunks and files before it, and those of its own chunk."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        server: LocalNeo4j,
        connect: Callable[[], neo4j.Driver],
        batch_size: int = DEFAULT_BATCH_SIZE,
        restart_with_parent: bool = False,
    ) -> None:
        super().__init__(driver, database, batch_size, threads=1)
        self.server = server
        self.connect = connect
        self._own_driver: neo4j.Driver | None = None
        self.restart_with_parent = restart_with_parent
        self.staging = _Staging(Path(tempfile.mkdtemp(prefix="bulk-", dir=self._staging_root())))
        self._held: dict[str, dict[str, str]] = {RECORD: {}, FACT: {}}  # key -> row_hash staged or deferred
        self._deferred: dict[str, set[str]] = {RECORD: set(), FACT: set(), ADDRESS: set(), HOUSEHOLD: set()}
        self._created: dict[str, set[str]] = {ADDRESS: set(), HOUSEHOLD: set()}  # staged or deferred
        # a link's identity -> the digest of the row staged (None: Cypher writes it, and every repeat)
        self._links: dict[bytes, bytes | None] = {}
        self._replay: list[tuple[GraphRows, int, int]] = []  # (rows, created, updated) expected of each
        self._expected = [0, 0]  # of the write being staged: nodes Cypher will create, and version
        self.completed = False
        self._keep_files = False  # a failed import leaves its files and log for the reader of its error
        self.timings: dict[str, float] = {}

    def _staging_root(self) -> Path:
        root = self.server.home / "bulk"
        root.mkdir(parents=True, exist_ok=True)
        return root

    def check_empty(self) -> None:
        """Refuse a graph that holds anything: the import replaces the whole database."""
        records, _, _ = self.driver.execute_query(
            "RETURN EXISTS { MATCH (n) WHERE NOT n:SchemaMigration } AS held", database_=self.database
        )
        if records and records[0]["held"]:
            self.close()
            raise BulkLoadRefused(
                "the graph already holds data, and a bulk load replaces the whole database: it is only for a "
                "first load into an empty graph. Load these files without --bulk (a re-run changes nothing)."
            )

    # -- staging (in the writer thread, in submission order) ----------------------------------------------
    def write(self, rows: GraphRows, progress: Callable[[int], None] | None = None) -> WriteResult:
        if rows.withdrawals:
            raise BulkLoadRefused(
                f"a file withdraws records ({rows.withdrawals[0].key} first): a bulk load is only for a first "
                "load, which has nothing to withdraw. Load the files without --bulk; nothing was written."
            )
        result = WriteResult()
        later = GraphRows()
        self._expected = [0, 0]
        for kind, space in _NODE_KINDS:
            self._stage_nodes(kind, space, getattr(rows, kind), result, later)
            if progress and getattr(rows, kind):
                progress(len(getattr(rows, kind)))
        for kind, spec in _LINK_SPECS.items():
            self._stage_links(kind, spec, getattr(rows, kind), result, later)
            if progress and getattr(rows, kind):
                progress(len(getattr(rows, kind)))
        if len(later):
            self._replay.append((later, self._expected[0], self._expected[1]))
        return result

    def _stage_nodes(
        self, kind: str, space: str, items: Sequence[Any], result: WriteResult, later: GraphRows
    ) -> None:
        staged: dict[tuple[str, ...], list[_Staged]] = {}
        held, deferred = self._held[space], self._deferred[space]
        for item in items:
            row = item.to_param()
            key, digest = row[_NODE_ID[space]], row["row_hash"]
            before = held.get(key)
            if before == digest:
                continue  # the same row again: Cypher reads its hash and writes nothing
            held[key] = digest
            if before is not None:  # other content under a key already written: Cypher versions it
                result.updated += 1
                self._expected[1] += 1
                getattr(later, kind).append(item)
                continue
            result.created += 1
            props = node_properties(row, _run_of(item))
            types = bulk_csv.row_types(props)
            if types is not None:
                labels = tuple(sorted({space, *row.get("labels", ())}))
                staged.setdefault(labels, []).append((key, props, types))
            else:
                deferred.add(key)
                self._expected[0] += 1
                getattr(later, kind).append(item)
        for labels, nodes in staged.items():
            self.staging.add_nodes(space, labels, nodes)

    def _stage_links(
        self, kind: str, spec: _LinkSpec, items: Sequence[Any], result: WriteResult, later: GraphRows
    ) -> None:
        written = 0
        staged: list[_StagedLink] = []
        made: list[_Staged] = []
        for idx, item in enumerate(items):
            row = item.to_param(idx)
            start = row[spec.start[1]]
            end_field = spec.end[1]
            end = str(row[end_field] if end_field is not None else _created_key(row, spec))
            if start not in self._held[spec.start[0]] or (
                end_field is not None and end not in self._held[spec.end[0]]
            ):
                result.unlinked.append(Unlinked(kind, idx, spec.label(row), spec.reason, item))
                continue
            written += 1
            identity = _identity(row, spec, end)
            same = _digest([(k, v) for k, v in row.items() if k != "idx"])
            first = self._links.get(identity, _MISSING)
            if first is not _MISSING:
                if first == same:
                    continue  # the same link again, unchanged: Cypher changes nothing
                self._links[identity] = None  # changed, or already Cypher's: Cypher writes it, and any repeat
                getattr(later, kind).append(item)
                continue
            props = link_properties(row, spec, _run_of(item))
            types = bulk_csv.row_types(props)
            end_space = spec.end[0]
            touches_later = start in self._deferred[spec.start[0]] or end in self._deferred[end_space]
            # the first link to an address or household creates it (MERGE ... ON CREATE), with this row's values
            creates = spec.creates is not None and end not in self._created[end_space]
            node_props: dict[str, Any] = {}
            node_types: dict[str, str] | None = {}
            if creates:
                self._created[end_space].add(end)
                node_props = {k: v for k, v in row[str(spec.creates)].items() if k != _NODE_ID[end_space]}
                node_types = bulk_csv.row_types(node_props)
            if touches_later or node_types is None or types is None:
                self._links[identity] = None
                if creates:
                    self._deferred[end_space].add(end)
                getattr(later, kind).append(item)
                continue
            if creates:
                made.append((end, node_props, node_types))
            self._links[identity] = same
            staged.append((start, end, props, types))
        result.links_written += written
        if made:
            self.staging.add_nodes(spec.end[0], (spec.end[0],), made)
        if staged:
            self.staging.add_links(spec.type, (spec.start[0], spec.end[0]), staged)

    # -- the import -----------------------------------------------------------------------------------------
    def complete(self) -> None:
        """Import the staged files into the stopped server, start it, apply the schema, then write through
        Cypher what the files could not hold, checking it does what the staging said it would."""
        self.staging.close()
        started = time.monotonic()
        self.server.stop()
        try:
            self.server.import_database(
                self.database, list(self.staging.import_arguments()), self.staging.folder
            )
        except ServerError as exc:
            self._keep_files = True
            raise BulkLoadError(
                f"{exc}\nThe database may hold part of the import: clear it (or remove the data folder) before "
                f"loading again. The files and the importer's log are kept in {self.staging.folder}."
            ) from exc
        finally:
            self.server.start(die_with_parent=self.restart_with_parent)
        self.timings["import"] = time.monotonic() - started
        started = time.monotonic()
        # a driver used before the import holds bookmarks of the database it replaced, which the new one would
        # wait for in vain: the rest of the load (and the run's record) goes through a new driver
        self.driver = self._own_driver = self.connect()
        self.driver.verify_connectivity()
        schema.migrate(self.driver, self.database)
        self.driver.execute_query("CALL db.awaitIndexes(86400)", database_=self.database)
        self.timings["schema"] = time.monotonic() - started
        started = time.monotonic()
        for rows, created, updated in self._replay:
            done = super().write(rows)
            if done.unlinked or done.created != created or done.updated != updated:
                raise BulkLoadError(
                    f"the rows written after the import did not do what the bulk load expected (created "
                    f"{done.created} of {created}, updated {done.updated} of {updated}, "
                    f"{len(done.unlinked)} unlinked); the graph is incomplete: clear it and load without --bulk"
                )
        self.timings["after import"] = time.monotonic() - started
        self.completed = True
        shutil.rmtree(self.staging.folder, ignore_errors=True)

    def record_run(self, run: dict[str, Any]) -> None:
        """The run's record (through the driver opened after the import, which closes then: the last write)."""
        try:
            super().record_run(run)
        finally:
            self._close_driver()

    def close(self) -> None:
        """Stop the writer thread; a load that did not complete removes its files (``record_run`` follows a
        complete one)."""
        super().close()
        if not self.completed:
            self._close_driver()
            self.staging.close()
            if not self._keep_files:
                shutil.rmtree(self.staging.folder, ignore_errors=True)

    def _close_driver(self) -> None:
        if self._own_driver is not None:
            self._own_driver.close()
            self._own_driver = None

    @property
    def staged_lines(self) -> int:
        return sum(f.count for f in (*self.staging.nodes.values(), *self.staging.links.values()))


def _run_of(item: Any) -> dict[str, Any]:
    provenance = getattr(item, "provenance", None)
    if provenance is None:
        return {}
    run_id, learnt_at = provenance.stamp
    return {"run_id": run_id, "learnt_at": learnt_at}


def bulk_target(settings: Settings) -> tuple[LocalNeo4j, Callable[[], neo4j.Driver]]:
    """The server a bulk load imports into (Jigsaw's own), and how to connect to it after the import; refused
    when Jigsaw does not run the server (NEO4J_URI set)."""
    if settings.external:
        raise BulkLoadRefused(
            "--bulk needs Jigsaw's own Neo4j server (it stops it to import); with NEO4J_URI set, load without --bulk"
        )
    return LocalNeo4j(settings.server), lambda: make_driver(settings)
