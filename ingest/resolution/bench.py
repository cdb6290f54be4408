"""The entity-resolution benchmark (issue 5): accuracy and wall time on the synthetic county.

1. Generate the synthetic county (``ingest.synthetic``), or reuse one.
2. Clear the graph (schema kept) and load it with the real adapters. By default only what resolution reads
   is written (SourceRecords, their addresses, households and person-to-person links): the facts do not
   change the result and the ingest has its own benchmark (``jigsaw bench-ingest``). ``full_ingest`` loads
   everything.
3. ``resolve`` with a freshly trained model (timed as a whole and per stage), then the links export.
4. Pairwise precision and recall against ``truth/persons.csv`` (record_key, person_id).

Targets: precision >= 0.98, recall >= 0.95; 200,000 children resolved in under 5 minutes.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd

import ingest.adapters  # noqa: F401  (registers the adapters)
from graph.model import GraphRows
from graph.writer import GraphWriter, WriteResult
from ingest.framework import run_ingest
from ingest.registry import plan
from ingest.resolution.engine import ResolutionSettings, resolve
from ingest.resolution.metrics import pairwise_precision_recall
from ingest.resolution.review import links_frame

TARGET_PRECISION = 0.98
TARGET_RECALL = 0.95
TARGET_SECONDS_200K = 300.0

Progress = Callable[[str], None]


class PersonRecordsWriter(GraphWriter):
    """Writes only what entity resolution reads: records, addresses, households, person-to-person links."""

    def write(self, rows: GraphRows, progress: Callable[[int], None] | None = None) -> WriteResult:
        kept = GraphRows(
            source_records=rows.source_records,
            person_links=rows.person_links,
            residences=rows.residences,
            household_members=rows.household_members,
        )
        result = super().write(kept, progress)
        # links to facts that were not written are not "unlinked": they were left out on purpose
        result.unlinked = [
            u for u in result.unlinked if u.kind in ("person_links", "residences", "household_members")
        ]
        return result


@dataclass
class ResolveBenchResult:
    children: int
    seed: int
    started_at: str
    generate_seconds: float | None
    load_seconds: float | None
    resolve_seconds: float
    export_seconds: float
    records: int
    truth_records: int
    persons: int
    true_persons: int
    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int
    reviews_pending: int
    conflicts: int
    model_version: int | None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    stage_peak_rss_mb: dict[str, float] = field(default_factory=dict)  # sampled, per resolution stage

    @property
    def meets_precision(self) -> bool:
        return self.precision >= TARGET_PRECISION

    @property
    def meets_recall(self) -> bool:
        return self.recall >= TARGET_RECALL

    @property
    def time_budget(self) -> float:
        """The wall-time target scaled linearly to this county's size (300 s at 200,000 children)."""
        return TARGET_SECONDS_200K * self.children / 200_000

    @property
    def meets_time(self) -> bool:
        return self.resolve_seconds <= self.time_budget


def clear_graph(driver: neo4j.Driver, database: str) -> None:
    with driver.session(database=database) as session:
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def load_county(
    driver: neo4j.Driver, database: str, county: Path, full_ingest: bool, quarantine_dir: Path
) -> float:
    """Clear the graph and load the county with the real adapters; returns the seconds it took."""
    started = time.perf_counter()
    clear_graph(driver, database)
    chosen, _ = plan([county])
    chosen = [(a, p) for a, p in chosen if "truth" not in p.parts]
    writer = GraphWriter(driver, database) if full_ingest else PersonRecordsWriter(driver, database)
    run_ingest(chosen, writer, quarantine_dir)
    return time.perf_counter() - started


def read_truth(county: Path) -> pd.DataFrame:
    truth = pd.read_csv(county / "truth" / "persons.csv", dtype=str)
    return truth.rename(columns={"person_id": "true_person_id"})


def run_resolve_bench(
    driver: neo4j.Driver,
    database: str,
    county: Path,
    settings: ResolutionSettings,
    children: int,
    seed: int,
    *,
    load: bool = True,
    full_ingest: bool = False,
    generate_seconds: float | None = None,
    progress: Progress | None = None,
) -> ResolveBenchResult:
    say = progress or (lambda _m: None)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    load_seconds = None
    if load:
        say(f"loading {county} ({'everything' if full_ingest else 'what resolution reads'}) ...")
        load_seconds = load_county(driver, database, county, full_ingest, county / "quarantine")
    say("resolving ...")
    t0 = time.perf_counter()
    report = resolve(driver, database, settings, progress=lambda stage: say(f"  {stage}"))
    resolve_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    links = links_frame(driver, database)
    export_seconds = time.perf_counter() - t1
    truth = read_truth(county)
    accuracy = pairwise_precision_recall(links, truth)
    return ResolveBenchResult(
        children=children, seed=seed, started_at=started_at, generate_seconds=generate_seconds,
        load_seconds=load_seconds, resolve_seconds=resolve_seconds, export_seconds=export_seconds,
        records=report.records, truth_records=len(truth), persons=report.persons,
        true_persons=int(truth["true_person_id"].nunique()), precision=accuracy.precision, recall=accuracy.recall,
        f1=accuracy.f1, predicted_pairs=accuracy.predicted_pairs, true_pairs=accuracy.true_pairs,
        correct_pairs=accuracy.correct_pairs, reviews_pending=report.reviews_pending, conflicts=report.conflicts,
        model_version=report.model_version, stage_seconds=dict(report.seconds),
        stage_peak_rss_mb=dict(report.peak_rss_mb),
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )  # fmt: skip


def write_json(result: ResolveBenchResult, out: Path) -> None:
    data: dict[str, Any] = asdict(result)
    data.update(meets_precision=result.meets_precision, meets_recall=result.meets_recall,
                meets_time=result.meets_time, time_budget=result.time_budget)  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
