"""One benchmark for the whole pipeline (issue 9), on the synthetic county, in one run.

Stages, each timed (wall seconds) with the 1-minute load average before and after it (this machine is
shared, so the figures are noisy; the load average says how noisy):

1. ``generate``: the synthetic county (``ingest.synthetic.generate``), unless one is given.
2. ``ingest``: ``ingest.bench.run_bench`` clears the graph, runs the real ingest (source records/s per agency)
   and the bare ``UNWIND $rows CREATE`` baseline on the same rows (the ratio).
3. ``resolve``: ``ingest.resolution.resolve`` with a newly trained model, then the links export and pairwise
   precision/recall against ``truth/persons.csv``.
4. ``picture``: 200 random children (seeded); each opened once to warm up, then timed through the functions
   the app calls: ``app.web.data.case_picture`` (the picture, issue 6's target) and that plus
   ``app.web.data.case_panels`` (the case page's data, issue 7's target). p50/p95 in milliseconds.
5. ``patterns``: ``queries.patterns.run_patterns`` as at the county's reference date: each pattern's seconds
   and the full sweep (including writing the alerts).

Memory: the peak RSS of this process (sampled, and ``ru_maxrss``), of its children (the largest of them), and
of the Neo4j server when it is the local one (psutil on its pid, sampled). Given ``connect``, generating, the
ingest and resolution each run in a process of their own (``app.benchmark.child``: one process holding every
stage's leftovers peaked at 9.7 GB at 200,000 children), and each one's peak is reported.

With ``profile_dir``, every stage also runs under cProfile (``profile-<stage>.prof`` and ``.txt``; the top
functions by cumulative time in the JSON) and ``QueryTimer`` (wall time per Cypher query). Profiled figures
are slower than plain ones: keep them out of the size comparison.

Not a timed test: nothing here asserts on speed; the targets are reported as met or missed.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import resource
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import neo4j
import psutil

from app.benchmark.child import run_in_child
from app.benchmark.querytime import QueryTimer
from app.web import data as app_data
from ingest.bench import run_bench
from ingest.resolution.bench import read_truth
from ingest.resolution.engine import ResolutionReport, ResolutionSettings, resolve
from ingest.resolution.metrics import PrecisionRecall, pairwise_precision_recall
from ingest.resolution.review import links_frame
from queries.patterns import run_patterns

Progress = Callable[[str], None]
T = TypeVar("T")

# the targets of issues 4, 5, 6 and 7, at 200,000 children (rates and accuracy at any size)
TARGETS: dict[str, float] = {
    "ingest_records_per_s": 20_000.0,
    "ingest_baseline_ratio": 0.5,
    "resolution_precision": 0.98,
    "resolution_recall": 0.95,
    "resolution_seconds_200k": 300.0,
    "picture_p95_ms_200k": 50.0,
    "case_page_seconds_200k": 2.0,
    "pattern_sweep_seconds_200k": 60.0,
}
SAMPLE_CHILDREN = 200
KNOWN_AT_SAMPLE = 50  # children whose picture is timed now and as known at a past time
STAGES = ("generate", "ingest", "resolve", "picture", "patterns", "known_at")

_CHILDREN = """
MATCH (p:Person)
WHERE NOT p:Unborn AND p.date_of_birth IS NOT NULL AND p.date_of_birth > $born_after
  AND p.date_of_birth <= $reference
RETURN p.person_id AS person_id ORDER BY person_id
"""


class RssSampler:
    """Samples the resident set size of this process and of another (the Neo4j server) in a thread."""

    def __init__(self, server_pid: int | None, interval: float = 0.25) -> None:
        self.interval = interval
        self.peak_self = 0
        self.peak_server = 0
        self.server_last = 0
        self._self = psutil.Process()
        self._server = _process(server_pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        self.peak_self = max(self.peak_self, self._self.memory_info().rss)
        if self._server is not None:
            try:
                self.server_last = self._server.memory_info().rss
            except psutil.Error:
                self._server = None
                return
            self.peak_server = max(self.peak_server, self.server_last)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def _process(pid: int | None) -> psutil.Process | None:
    if pid is None:
        return None
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else 0.0,
        "max_ms": round(max(ms), 2) if ms else 0.0,
    }


class Stages:
    """Wall time and load average of each stage; optionally a cProfile of each, summarised."""

    def __init__(self, say: Progress, profile_dir: Path | None = None) -> None:
        self.say = say
        self.profile_dir = profile_dir
        self.seconds: dict[str, float] = {}
        self.load: dict[str, dict[str, float]] = {}
        self.profiles: dict[str, list[dict[str, Any]]] = {}
        self.queries: dict[str, list[dict[str, Any]]] = {}

    @contextmanager
    def __call__(self, name: str, profiled_here: bool = True) -> Iterator[None]:
        """Time a stage; profile it here unless its work runs in a process of its own (which profiles it
        with ``profiling`` and hands the result back)."""
        self.say(f"stage {name}: load average {os.getloadavg()[0]:.2f}")
        before = os.getloadavg()[0]
        t0 = time.perf_counter()
        try:
            with self.profiling(name) if profiled_here else nullcontext():
                yield
        finally:
            self.seconds[name] = round(time.perf_counter() - t0, 3)
            self.load[name] = {"before": round(before, 2), "after": round(os.getloadavg()[0], 2)}
            self.say(f"stage {name}: {self.seconds[name]:.1f} s")

    @contextmanager
    def profiling(self, name: str) -> Iterator[None]:
        """cProfile and the seconds per Cypher query of the work inside, when profiling."""
        if self.profile_dir is None:
            yield
            return
        profiler, queries = cProfile.Profile(), QueryTimer()
        with queries:
            profiler.enable()
            try:
                yield
            finally:
                profiler.disable()
        self.queries[name] = queries.top()
        self.profiles[name] = profile_summary(profiler, self.profile_dir / f"profile-{name}")


def profile_summary(profiler: cProfile.Profile, stem: Path, top: int = 25) -> list[dict[str, Any]]:
    """Dump the profile (``stem.prof``, ``stem.txt``) and return its top functions by cumulative time."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(stem.with_suffix(".prof")))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(40)
    stem.with_suffix(".txt").write_text(text.getvalue(), encoding="utf-8")
    rows = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, line, func), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        rows.append({"function": f"{Path(file).name}:{line}:{func}", "calls": calls,
                     "tottime": round(tottime, 3), "cumtime": round(cumtime, 3)})  # fmt: skip
    rows.sort(key=lambda r: r["cumtime"], reverse=True)
    return rows[:top]


def sample_children(driver: neo4j.Driver, database: str, reference: date, n: int, seed: int) -> list[str]:
    """n children (born in the 18 years before the reference date, not unborn) picked at random (seeded)."""
    born_after = date(reference.year - 18, reference.month, min(reference.day, 28))
    records, _, _ = driver.execute_query(
        _CHILDREN, born_after=born_after, reference=reference, database_=database,
        routing_=neo4j.RoutingControl.READ,
    )  # fmt: skip
    ids = [str(r["person_id"]) for r in records]
    return random.Random(seed).sample(ids, min(n, len(ids)))


def time_pictures(
    driver: neo4j.Driver, database: str, children: list[str], today: date
) -> tuple[dict[str, float], dict[str, float], int]:
    """(picture latency, case page latency, pictures not found); each child opened once before timing."""
    for pid in children:  # warm up: query plans, the page cache, the driver's connection pool
        pic = app_data.case_picture(driver, database, pid, None, None, today)
        if pic is not None:
            app_data.case_panels(driver, database, pic, today)
    picture: list[float] = []
    page: list[float] = []
    missing = 0
    for pid in children:
        t0 = time.perf_counter()
        pic = app_data.case_picture(driver, database, pid, None, None, today)
        t1 = time.perf_counter()
        if pic is None:
            missing += 1
            continue
        app_data.case_panels(driver, database, pic, today)
        t2 = time.perf_counter()
        picture.append(t1 - t0)
        page.append(t2 - t0)
    return latency_summary(picture), latency_summary(page), missing


def run_pipeline_bench(
    driver: neo4j.Driver,
    database: str,
    county: Path,
    children: int,
    seed: int,
    resolution: ResolutionSettings,
    reference_date: date,
    *,
    server_pid: int | None = None,
    generate: Callable[[], Any] | None = None,
    sample: int = SAMPLE_CHILDREN,
    profile_dir: Path | None = None,
    progress: Progress | None = None,
    connect: Callable[[], neo4j.Driver] | None = None,
) -> dict[str, Any]:
    """Run every stage on one county and return the figures as JSON-ready data (see the module docstring).

    ``generate`` (when given) writes the county into ``county`` and is timed as the first stage. With
    ``connect`` (it opens a driver to the same server), generating, the ingest and resolution each run in a
    process of their own (``app.benchmark.child``), so that each stage's peak memory is its own. CLEARS THE
    GRAPH of ``database``.
    """
    say = progress or (lambda _m: None)
    stage = Stages(say, profile_dir)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    out: dict[str, Any] = {"children": children, "seed": seed, "started_at": started_at,
                           "reference_date": reference_date.isoformat()}  # fmt: skip
    process_peaks: dict[str, float] = {}

    def own_process(name: str, work: Callable[[neo4j.Driver], T]) -> T:
        """``work`` in a process of its own, with a driver of its own, profiled there; here without
        ``connect``."""
        if connect is None:
            return work(driver)

        def child() -> tuple[T, list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
            with stage.profiling(name), connect() as own:
                value = work(own)
            return value, stage.profiles.get(name), stage.queries.get(name)

        (value, functions, queries), process_peaks[name] = run_in_child(child, name)
        if functions is not None and queries is not None:
            stage.profiles[name], stage.queries[name] = functions, queries
        return value

    def resolve_and_measure(drv: neo4j.Driver) -> tuple[ResolutionReport, float, PrecisionRecall]:
        t0 = time.perf_counter()
        report = resolve(drv, database, resolution, progress=lambda m: say(f"  {m}"))
        seconds = time.perf_counter() - t0
        return report, seconds, pairwise_precision_recall(links_frame(drv, database), read_truth(county))

    here = connect is None
    with RssSampler(server_pid) as rss:
        if generate is not None:
            with stage("generate", profiled_here=here):
                own_process("generate", lambda _drv: generate())
        with stage("ingest", profiled_here=here):
            ingest = own_process(
                "ingest", lambda drv: run_bench(drv, database, county, children, seed, progress=lambda m: say(f"  {m}"))
            )  # fmt: skip
        with stage("resolve", profiled_here=here):
            report, resolve_seconds, accuracy = own_process("resolve", resolve_and_measure)
        with stage("picture"):
            chosen = sample_children(driver, database, reference_date, sample, seed)
            picture, page, missing = time_pictures(driver, database, chosen, reference_date)
        with stage("patterns"):
            sweep = run_patterns(driver, database, reference_date=reference_date, save=True)
        with stage("known_at"), tempfile.TemporaryDirectory(prefix="jigsaw-known-at-") as work:
            from app.benchmark.known_at import bench_known_at  # it builds on this module's helpers

            known = bench_known_at(driver, database, county, Path(work), reference_date,
                                   sample=min(sample, KNOWN_AT_SAMPLE), seed=seed, progress=lambda m: say(f"  {m}"))  # fmt: skip
        rss.sample()
        server_end = rss.server_last
    patterns = {
        r.pattern: {"seconds": round(r.seconds, 3), "findings": len(r.findings)} for r in sweep.results
    }
    sweep_seconds = stage.seconds["patterns"]
    out.update(
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        host={"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)},
        stages=stage.seconds,
        load_average=stage.load,
        ingest={
            "records": ingest.records, "loaded": ingest.loaded, "quarantined": ingest.quarantined,
            "ingest_seconds": round(ingest.ingest_seconds, 3), "records_per_s": round(ingest.rate, 1),
            "baseline_rows": ingest.baseline_rows, "baseline_seconds": round(ingest.baseline_seconds, 3),
            "baseline_records_per_s": round(ingest.baseline_rate, 1), "baseline_ratio": round(ingest.ratio, 3),
            "clear_seconds": round(ingest.clear_seconds, 3), "nodes": ingest.nodes,
            "relationships": ingest.relationships,
            "agencies": {a.agency: {k: v for k, v in asdict(a).items() if k != "agency"} for a in ingest.agencies},
        },
        resolution={
            "seconds": round(resolve_seconds, 3), "records": report.records, "persons": report.persons,
            "precision": round(accuracy.precision, 5), "recall": round(accuracy.recall, 5),
            "f1": round(accuracy.f1, 5), "predicted_pairs": accuracy.predicted_pairs,
            "true_pairs": accuracy.true_pairs, "correct_pairs": accuracy.correct_pairs,
            "reviews_pending": report.reviews_pending, "conflicts": report.conflicts,
            "stage_seconds": {k: round(v, 3) for k, v in report.seconds.items()},
            "stage_peak_rss_mb": dict(report.peak_rss_mb),
        },
        picture={"sampled": len(chosen), "not_found": missing, "picture": picture, "case_page": page},
        patterns={"sweep_seconds": sweep_seconds, "alerts": len(sweep.findings), "workers": sweep.workers,
                  "by_pattern": patterns},  # fmt: skip
        known_at=known,
        memory={
            "jigsaw_peak_rss_mb": round(max(rss.peak_self, _maxrss(resource.RUSAGE_SELF)) / 2**20, 1),
            "jigsaw_children_peak_rss_mb": round(_maxrss(resource.RUSAGE_CHILDREN) / 2**20, 1),
            # the peak of each stage run in a process of its own (empty when every stage ran in this one)
            "stage_process_peak_rss_mb": process_peaks,
            "neo4j_peak_rss_mb": round(rss.peak_server / 2**20, 1) if server_pid else None,
            "neo4j_end_rss_mb": round(server_end / 2**20, 1) if server_pid else None,
        },
    )  # fmt: skip
    out["targets"] = check_targets(out)
    if stage.profiles:
        out["profile"] = {"functions": stage.profiles, "queries": stage.queries}
    return out


def _maxrss(who: int) -> int:
    """ru_maxrss in bytes (Linux reports KiB)."""
    return resource.getrusage(who).ru_maxrss * 1024


def check_targets(figures: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the figure and whether it is met; the time targets are for 200,000 children, so they
    are judged only when the county has at least that many (and reported as ``null`` otherwise)."""
    big = figures["children"] >= 200_000
    pairs: dict[str, tuple[float, float, bool, bool]] = {
        # name: (figure, target, higher is better, applies at this size)
        "ingest_records_per_s": (figures["ingest"]["records_per_s"], TARGETS["ingest_records_per_s"], True, True),
        "ingest_baseline_ratio": (figures["ingest"]["baseline_ratio"], TARGETS["ingest_baseline_ratio"], True,
                                  True),
        "resolution_precision": (figures["resolution"]["precision"], TARGETS["resolution_precision"], True, True),
        "resolution_recall": (figures["resolution"]["recall"], TARGETS["resolution_recall"], True, True),
        "resolution_seconds_200k": (figures["resolution"]["seconds"], TARGETS["resolution_seconds_200k"], False,
                                    big),
        "picture_p95_ms_200k": (figures["picture"]["picture"]["p95_ms"], TARGETS["picture_p95_ms_200k"], False,
                                big),
        "case_page_seconds_200k": (figures["picture"]["case_page"]["p95_ms"] / 1000,
                                   TARGETS["case_page_seconds_200k"], False, big),
        "pattern_sweep_seconds_200k": (figures["patterns"]["sweep_seconds"], TARGETS["pattern_sweep_seconds_200k"],
                                       False, big),
    }  # fmt: skip
    out: dict[str, dict[str, Any]] = {}
    for name, (value, target, higher, applies) in pairs.items():
        met = (value >= target if higher else value <= target) if applies else None
        out[name] = {"value": value, "target": target, "met": met}
    return out


def write_json(figures: dict[str, Any], out_dir: Path) -> Path:
    """DIR/bench-<children>.json (one file per size, so a chart can read a folder of them)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"bench-{figures['children']}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n", encoding="utf-8")
    return path
