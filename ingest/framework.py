"""The shape every agency adapter shares: read -> validate -> transform (pure) -> load, and the run around it.

A bad row never stops the good ones: it becomes a ``Rejection`` (file, row, field, value, reason) in the run's
quarantine file. A bad file (wrong encoding or delimiter, truncated, empty, not the claimed format) raises
``BadFileError`` with one clear message naming the file. For every file: read = loaded + quarantined.
"""

from __future__ import annotations

import csv
import gc
import getpass
import hashlib
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from graph.model import GraphRows, Provenance
from graph.writer import GraphWriter, Unlinked, WriteResult
from ingest.memory import cyclic_gc_paused

log = logging.getLogger(__name__)

LINK_KINDS = (
    "involvements", "person_links", "residences", "fact_places", "fact_parts", "household_members", "withdrawals"
)  # fmt: skip
# rows the writer may refuse too (the changed content of a record its agency withdrew)
NODE_KINDS = ("source_records", "facts")


class BadFileError(Exception):
    """The whole file cannot be read as the format it claims to be."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class RowError(Exception):
    """Raised by a transform for a row it cannot load; the row is quarantined with this field and reason."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class Rejection:
    file: str
    row: int  # physical line where the row starts (CSV header = line 1; NDJSON line n; XML: element position)
    field: str
    value: str
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class RawRow:
    number: int
    data: dict[str, Any]


@dataclass
class FileReport:
    file: str
    kind: str
    agency: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    created: int = 0
    updated: int = 0
    sha256: str = ""

    @property
    def balanced(self) -> bool:
        return self.read == self.loaded + self.quarantined


@dataclass(frozen=True)
class Context:
    """What a transform needs besides the row: the run, when Jigsaw learnt the data, the source system."""

    run_id: str
    learnt_at: datetime
    source_system: str
    file: str

    def provenance(
        self,
        agency: str,
        table: str,
        source_record_id: str,
        recorded_on: date | None,
        recorded_by_role: str | None,
        basis: str = "fact",
    ) -> Provenance:
        return Provenance(
            agency=agency,
            source_table=table,
            source_record_id=source_record_id,
            source_system=self.source_system,
            recorded_on=recorded_on,
            recorded_by_role=recorded_by_role,
            basis=basis,
            learnt_at=self.learnt_at,
            ingest_run_id=self.run_id,
        )


class Adapter(Protocol):
    """One agency's file format. ``read`` and ``validate`` find problems; ``transform`` is pure."""

    @property
    def kind(self) -> str: ...  # e.g. "csc.ssda903_episodes"

    @property
    def agency(self) -> str: ...

    @property
    def source_system(self) -> str: ...

    @property
    def load_order(self) -> int: ...  # files whose rows others refer to (people) load first

    def matches(self, path: Path, header: Sequence[str]) -> bool: ...

    def read(self, path: Path) -> Iterator[RawRow]: ...

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]: ...

    def transform(self, row: RawRow, ctx: Context) -> GraphRows: ...


# -- reading -------------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_text(path: Path) -> str:
    """The file as text: UTF-8 (with or without BOM), or a clear error naming the encoding problem."""
    data = path.read_bytes()
    if not data.strip():
        raise BadFileError(path, "the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadFileError(
            path, f"not UTF-8 text (byte {exc.start}, line {line}); re-export it as UTF-8 CSV"
        ) from None


def csv_header(path: Path) -> list[str]:
    text = read_text(path)
    first = text.splitlines()[0] if text else ""
    return next(csv.reader([first]), [])


def read_csv_rows(path: Path, required: Iterable[str] = ()) -> Iterator[RawRow]:
    """Rows of a comma-separated file as dicts of strings ('' becomes None).

    A row with the wrong number of fields is still yielded, with ``__error__`` set, so the caller
    quarantines it instead of dropping it.
    """
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BadFileError(path, f"cannot read the header: {exc}") from None
    header = [h.strip() for h in header]
    if len(header) == 1 and any(sep in header[0] for sep in (";", "\t", "|")):
        raise BadFileError(path, "the header has one column: the delimiter is not a comma (';', tab or '|'?)")
    missing = [c for c in required if c not in header]
    if missing:
        raise BadFileError(path, f"not the claimed format: missing column(s) {', '.join(missing)}")
    while True:
        number = reader.line_num + 1  # physical line where this record starts (the header is line 1)
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            # an unterminated quote swallows the rest of the file: say so once, keep what came before
            yield RawRow(number, {"__error__": f"unreadable CSV from here on ({exc}): truncated file?"})
            break
        if not values or values == [""]:
            continue
        if len(values) != len(header):
            yield RawRow(number, {"__error__": f"row has {len(values)} fields, the header has {len(header)}",
                                  "__raw__": ",".join(values)})  # fmt: skip
            continue
        yield RawRow(
            number, {k: (v if v.strip() != "" else None) for k, v in zip(header, values, strict=True)}
        )


# -- the run -------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    run_id: str
    started_at: datetime
    files: list[FileReport] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    bad_files: list[BadFileError] = field(default_factory=list)
    quarantine_file: Path | None = None

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _rejection(file: str, row: RawRow, fld: str, value: Any, reason: str) -> Rejection:
    raw = json.dumps({k: v for k, v in row.data.items() if not k.startswith("__")}, default=str)
    return Rejection(file, row.number, fld, "" if value is None else str(value), reason, raw)


DEFAULT_CHUNK_ROWS = 20_000  # agency rows transformed and handed to the writer at a time


@dataclass
class _Chunk:
    """A chunk of a file's rows on its way to the graph: which row each link came from, and the write."""

    origins: dict[str, list[int]]
    transformed: set[int]
    write: Future[WriteResult]


@dataclass
class PendingFile:
    """A file read, validated and transformed, whose writes may still be running (see ``finish_file``)."""

    report: FileReport
    rejections: list[Rejection]
    valid: list[RawRow]
    chunks: list[_Chunk]
    progress: Callable[[int], None] | None = None


def start_file(
    adapter: Adapter,
    path: Path,
    writer: GraphWriter,
    run_id: str,
    learnt_at: datetime,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    after: Sequence[Future[WriteResult]] = (),
) -> PendingFile:
    """Read and validate one file, then transform it chunk by chunk, each chunk handed to the writer as soon as
    it is ready (so memory holds a few chunks' graph rows, not the file's). The first chunk's write waits for
    ``after`` (the writes of the files before, whose records this file's links name). Raises BadFileError for
    a file that cannot be read."""
    name = str(path)
    report = FileReport(file=name, kind=adapter.kind, agency=adapter.agency, sha256=sha256_of(path))
    rows = list(adapter.read(path))
    report.read = len(rows)
    rejections: list[Rejection] = []
    readable = []
    for row in rows:
        if "__errors__" in row.data:  # (field, value, reason) found by the contract's validation
            for fld, value, reason in row.data["__errors__"]:
                rejections.append(_rejection(name, row, fld, value, reason))
        elif "__error__" in row.data:
            rejections.append(Rejection(name, row.number, "*", "", str(row.data["__error__"]),
                                        str(row.data.get("__raw__", ""))))  # fmt: skip
        else:
            readable.append(row)
    del rows
    valid, invalid = adapter.validate(readable, name)
    del readable
    rejections.extend(invalid)
    ctx = Context(run_id=run_id, learnt_at=learnt_at, source_system=adapter.source_system, file=name)
    pending = PendingFile(report, rejections, valid, [], progress)
    for start in range(0, len(valid), chunk_rows):
        combined = GraphRows()
        origins: dict[str, list[int]] = {kind: [] for kind in (*NODE_KINDS, *LINK_KINDS)}
        transformed: set[int] = set()
        for row in valid[start : start + chunk_rows]:
            try:
                graph_rows = adapter.transform(row, ctx)
            except RowError as exc:
                rejections.append(_rejection(name, row, exc.field, exc.value, exc.reason))
                continue
            except (ValueError, KeyError) as exc:  # a vocabulary the model refuses, a field the row lacks
                rejections.append(_rejection(name, row, "*", None, f"cannot transform: {exc}"))
                continue
            for kind in (*NODE_KINDS, *LINK_KINDS):
                origins[kind].extend([row.number] * len(getattr(graph_rows, kind)))
            combined.extend(graph_rows)
            transformed.add(row.number)
        waits = () if pending.chunks else after
        pending.chunks.append(_Chunk(origins, transformed, writer.submit(combined, progress, waits)))
    return pending


def finish_file(pending: PendingFile, writer: GraphWriter) -> tuple[FileReport, list[Rejection]]:
    """Wait for a file's writes; a link whose end was not there is tried once more when the whole file and
    everything submitted before is written (its end may be a row further down the file, or one another writer
    thread was still writing), and its row is quarantined if it still fails."""
    report, rejections, name = pending.report, pending.rejections, pending.report.file
    unlinked: list[tuple[Unlinked, int]] = []  # (the link, the row it came from)
    for chunk in pending.chunks:
        result = chunk.write.result()
        report.created += result.created
        report.updated += result.updated
        unlinked.extend((miss, chunk.origins[miss.kind][miss.idx]) for miss in result.unlinked)
    if unlinked:
        retry = GraphRows()
        for miss, _number in unlinked:
            getattr(retry, miss.kind).append(miss.item)
        retried = writer.submit(retry, pending.progress, writer.in_flight()).result()
        still = {(m.kind, m.key) for m in retried.unlinked}
        unlinked = [(miss, number) for miss, number in unlinked if (miss.kind, miss.key) in still]
    failed_rows: dict[int, str] = {}
    for miss, number in unlinked:
        failed_rows.setdefault(number, f"{miss.reason}: {miss.key}")
    by_number = {row.number: row for row in pending.valid}
    for number, reason in sorted(failed_rows.items()):
        rejections.append(_rejection(name, by_number[number], "*", None, reason))
    transformed = set().union(*(chunk.transformed for chunk in pending.chunks))
    report.loaded = len(transformed - set(failed_rows))
    report.quarantined = len({r.row for r in rejections})
    return report, rejections


def run_file(
    adapter: Adapter,
    path: Path,
    writer: GraphWriter,
    run_id: str,
    learnt_at: datetime,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> tuple[FileReport, list[Rejection]]:
    """Read, validate, transform and load one file. Raises BadFileError for a file that cannot be read."""
    return finish_file(start_file(adapter, path, writer, run_id, learnt_at, progress, chunk_rows), writer)


def write_quarantine(path: Path, run_id: str, rejections: Sequence[Rejection]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["run_id", "file", "row", "field", "value", "reason", "raw"])
        for r in rejections:
            out.writerow([run_id, r.file, r.row, r.field, r.value, r.reason, r.raw])


def run_ingest(
    plan: Sequence[tuple[Adapter, Path]],
    writer: GraphWriter,
    quarantine_dir: Path,
    learnt_at: datetime | None = None,
    user: str | None = None,
    on_file: Callable[[FileReport], None] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> RunReport:
    """Load every (adapter, file) in dependency order, write the quarantine file, record the run in the graph."""
    started = datetime.now(UTC)
    run = RunReport(run_id=new_run_id(started), started_at=started)
    # a pandas Timestamp (a datetime subclass) takes the driver's fast path for tz-aware values (it is sent
    # once per statement, as $run.learnt_at, and on the IngestRun)
    if learnt_at is not None and learnt_at.tzinfo is None:  # an extract date without a zone is UTC
        learnt_at = learnt_at.replace(tzinfo=UTC)
    learnt = pd.Timestamp(learnt_at or started)

    def finish(pending: PendingFile) -> None:
        report, rejections = finish_file(pending, writer)
        run.files.append(report)
        run.rejections.extend(rejections)
        if on_file:
            on_file(report)

    # the next file is read and transformed while the writer is still writing the one before; its writes start
    # when the one before is written, so its references to the files loaded before it resolve
    previous: PendingFile | None = None
    with cyclic_gc_paused():
        try:
            for adapter, path in sorted(plan, key=lambda p: (p[0].load_order, str(p[1]))):
                before = [c.write for c in previous.chunks] if previous else []
                try:
                    pending = start_file(
                        adapter, path, writer, run.run_id, learnt, progress, chunk_rows, before
                    )
                except BadFileError as exc:  # one clear error for the file; the other files still load
                    run.bad_files.append(exc)
                    continue
                if previous is not None:
                    finish(previous)
                previous = pending
                # the young objects only (all made since the last file, rows still held included): frees the
                # cycles a file's reading leaves (pandas frames), which would otherwise wait for the run's end
                gc.collect(1)
            if previous is not None:
                finish(previous)
            writer.complete()
        finally:
            writer.close()
    if run.rejections:
        run.quarantine_file = quarantine_dir / f"{run.run_id}.csv"
        write_quarantine(run.quarantine_file, run.run_id, run.rejections)
    writer.record_run(
        {
            "run_id": run.run_id,
            "started_at": started,
            "finished_at": datetime.now(UTC),
            "learnt_at": learnt,
            "user": user or getpass.getuser(),
            "files": [f.file for f in run.files],
            "file_hashes": [f.sha256 for f in run.files],
            "read": sum(f.read for f in run.files),
            "loaded": sum(f.loaded for f in run.files),
            "quarantined": run.quarantined,
            "bad_files": [str(e) for e in run.bad_files],
            "created": sum(f.created for f in run.files),
            "updated": sum(f.updated for f in run.files),
            "quarantine_file": str(run.quarantine_file) if run.quarantine_file else None,
        }
    )
    return run
