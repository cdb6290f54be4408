"""The ingest benchmark (issue 4): load the synthetic county into a fresh graph and compare with a bare baseline.

1. Generate the synthetic county (or reuse one).
2. Clear the graph (the schema and its migrations are kept) and run the real ingest on every file an adapter
   recognises: read, validate, transform, batched MERGE with provenance and versioning, the run record.
   Source records/s = rows read / seconds, per file, per agency and overall.
3. Baseline, in the same run and on the same server: the same rows, read from the same files, written by a bare
   ``UNWIND $rows AS row CREATE (n:BenchBaseline) SET n = row`` in batches of the same size: no validation,
   no provenance, no MERGE, no links (an XML file: the elements its adapter reads, as JSON text). Its nodes are deleted afterwards.
4. Peak resident memory of this Python process, during the ingest (sampled) and over the whole run, and its CPU
   time during the ingest: on a busy machine, wall time much above it is time spent waiting on the server.

Targets: at least 20,000 source records/s overall, and at least half the baseline's rate.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import neo4j
import psutil

import ingest.adapters  # noqa: F401  (registers the adapters)
from graph.bulk import BulkWriter
from graph.server.local import LocalNeo4j
from graph.writer import DEFAULT_BATCH_SIZE, GraphWriter, Rows, batched
from ingest.framework import Adapter, FileReport, read_text, run_ingest
from ingest.memory import PeakRss, process_peak_rss_mb
from ingest.registry import plan

TARGET_RATE = 20_000.0
TARGET_RATIO = 0.5
BASELINE_LABEL = "BenchBaseline"
BASELINE_QUERY = f"UNWIND $rows AS row CREATE (n:{BASELINE_LABEL}) SET n = row"

Progress = Callable[[str], None]


@dataclass
class FileTiming:
    file: str
    kind: str
    agency: str
    read: int
    loaded: int
    quarantined: int
    created: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


@dataclass
class AgencyFigures:
    agency: str
    files: int
    records: int
    seconds: float
    rate: float


@dataclass
class BenchResult:
    children: int
    seed: int
    batch_size: int
    started_at: str
    generate_seconds: float | None
    clear_seconds: float
    ingest_seconds: float
    records: int
    loaded: int
    quarantined: int
    rate: float
    baseline_rows: int
    baseline_seconds: float
    baseline_rate: float
    ratio: float
    ingest_cpu_seconds: (
        float  # CPU time of this Python process during the ingest (the rest is waiting on Neo4j)
    )
    peak_rss_ingest_mb: float
    peak_rss_process_mb: float
    nodes: int
    relationships: int
    method: str = "transactional"  # or "bulk import": a first load through neo4j-admin (graph/bulk.py)
    bulk_seconds: dict[str, float] = field(default_factory=dict)  # the import's own steps, within the ingest
    agencies: list[AgencyFigures] = field(default_factory=list)
    files: list[FileTiming] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)

    @property
    def meets_rate(self) -> bool:
        return self.rate >= TARGET_RATE

    @property
    def meets_ratio(self) -> bool:
        return self.ratio >= TARGET_RATIO

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = [{**asdict(f), "rate": f.rate} for f in self.files]
        out["targets"] = {"rate": TARGET_RATE, "ratio": TARGET_RATIO, "meets_rate": self.meets_rate,
                          "meets_ratio": self.meets_ratio}  # fmt: skip
        return out


def clear_graph(driver: neo4j.Driver, database: str) -> None:
    """Delete every node but the schema's migration records (constraints and indexes stay)."""
    with driver.session(database=database) as session:
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def _delete_label(driver: neo4j.Driver, database: str, label: str) -> None:
    with driver.session(database=database) as session:
        session.run(
            f"MATCH (n:{label}) CALL (n) {{ DETACH DELETE n }} IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def raw_rows(path: Path, adapter: Adapter | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a file as plain maps of primitives, nothing checked: what the baseline writes. CSV: one map
    per record; NDJSON: one per line; other formats (XML): the rows the adapter reads, as JSON text."""
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                yield {k: v for k, v in row.items() if k and v}
    elif path.suffix.lower() in (".ndjson", ".jsonl"):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield {"file": path.name, "json": line.rstrip("\n")}
    elif adapter is not None:
        for raw in adapter.read(path):
            yield {"file": path.name, "row": raw.number, "json": json.dumps(raw.data, default=str)}
    else:
        yield {"file": path.name, "text": read_text(path)}


def run_baseline(
    driver: neo4j.Driver, database: str, files: list[tuple[Adapter, Path]], batch_size: int
) -> tuple[int, float]:
    """(rows, seconds) for reading the files and writing every row with a bare UNWIND ... CREATE."""

    def work(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]]) -> None:
        tx.run(BASELINE_QUERY, rows=Rows(rows)).consume()

    count = 0
    started = time.perf_counter()
    with driver.session(database=database) as session:
        for adapter, path in files:
            rows = list(raw_rows(path, adapter))
            count += len(rows)
            for batch in batched(rows, batch_size):
                session.execute_write(work, list(batch))
    return count, time.perf_counter() - started


def graph_size(driver: neo4j.Driver, database: str) -> tuple[int, int]:
    nodes = driver.execute_query("MATCH (n) RETURN count(n) AS c", database_=database).records[0]["c"]
    rels = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS c", database_=database).records[0]["c"]
    return int(nodes), int(rels)


def by_agency(files: list[FileTiming]) -> list[AgencyFigures]:
    out: dict[str, AgencyFigures] = {}
    for f in files:
        a = out.setdefault(f.agency, AgencyFigures(f.agency, 0, 0, 0.0, 0.0))
        a.files += 1
        a.records += f.read
        a.seconds += f.seconds
    for a in out.values():
        a.rate = a.records / a.seconds if a.seconds > 0 else 0.0
    return sorted(out.values(), key=lambda a: a.agency)


def run_bench(
    driver: neo4j.Driver,
    database: str,
    county: Path,
    children: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    generate_seconds: float | None = None,
    quarantine_dir: Path | None = None,
    progress: Progress | None = None,
    bulk: tuple[LocalNeo4j, Callable[[], neo4j.Driver]] | None = None,
) -> BenchResult:
    """Clear the graph, ingest the county, run the baseline on the same files, and measure both. With ``bulk``
    (the local server, and how to connect to it), the ingest is a bulk first load, whose import replaces the
    database (no clearing needed); the rest of the run then goes through a new driver."""
    say = progress or (lambda _msg: None)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    chosen, unknown = plan([county])
    say(f"{len(chosen)} files to load, {len(unknown)} with no adapter")

    t0 = time.perf_counter()
    if bulk is None:
        say("clearing the graph (schema kept)")
        clear_graph(driver, database)
    clear_seconds = time.perf_counter() - t0

    say("ingesting")
    timings: list[FileTiming] = []
    mark = [time.perf_counter()]

    def on_file(report: FileReport) -> None:
        now = time.perf_counter()
        timings.append(FileTiming(report.file, report.kind, report.agency, report.read, report.loaded,
                                  report.quarantined, report.created, now - mark[0]))  # fmt: skip
        mark[0] = now
        say(f"  {Path(report.file).relative_to(county)}: {report.read:,} rows in {timings[-1].seconds:.1f} s")

    writer = GraphWriter(driver, database, batch_size)
    if bulk is not None:
        say("bulk load: the import replaces the database")
        writer = BulkWriter(driver, database, bulk[0], bulk[1], batch_size)
    qdir = quarantine_dir or county / "quarantine"
    proc = psutil.Process()
    cpu0 = sum(proc.cpu_times()[:2])
    with PeakRss() as rss:
        t0 = time.perf_counter()
        mark[0] = t0
        run = run_ingest(chosen, writer, qdir, user="bench-ingest", on_file=on_file)
        ingest_seconds = time.perf_counter() - t0
    ingest_cpu = sum(proc.cpu_times()[:2]) - cpu0
    own: neo4j.Driver | None = None
    if bulk is not None:  # the driver from before the import holds the old database's bookmarks
        driver = own = bulk[1]()
    try:
        nodes, rels = graph_size(driver, database)
        say("baseline: the same rows by a bare UNWIND $rows CREATE")
        base_rows, base_seconds = run_baseline(driver, database, sorted(chosen, key=_load_key), batch_size)
        _delete_label(driver, database, BASELINE_LABEL)
    finally:
        if own is not None:
            own.close()

    records = sum(f.read for f in timings)
    rate = records / ingest_seconds if ingest_seconds > 0 else 0.0
    base_rate = base_rows / base_seconds if base_seconds > 0 else 0.0
    return BenchResult(
        children=children, seed=seed, batch_size=batch_size, started_at=started_at,
        generate_seconds=generate_seconds, clear_seconds=clear_seconds, ingest_seconds=ingest_seconds,
        records=records, loaded=sum(f.loaded for f in timings), quarantined=sum(f.quarantined for f in timings),
        rate=rate, baseline_rows=base_rows, baseline_seconds=base_seconds, baseline_rate=base_rate,
        ratio=rate / base_rate if base_rate > 0 else 0.0, ingest_cpu_seconds=ingest_cpu, peak_rss_ingest_mb=rss.peak / 2**20,
        peak_rss_process_mb=process_peak_rss_mb(), nodes=nodes, relationships=rels, agencies=by_agency(timings),
        files=timings, skipped=[str(u.path) for u in unknown], bad_files=[str(e) for e in run.bad_files],
        method="transactional" if bulk is None else "bulk import",
        bulk_seconds=dict(writer.timings) if isinstance(writer, BulkWriter) else {},
    )  # fmt: skip


def _load_key(item: tuple[Adapter, Path]) -> tuple[int, str]:
    return item[0].load_order, str(item[1])


def write_json(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n", encoding="utf-8")
