"""The cost of "as known at" (issue 10), measured on a loaded county (a benchmark, not a timed test).

A second police extract arrives with corrections (a share of incidents with their summary rewritten and, for
domestic abuse, the DASH grade reassessed), learnt a second after the time asked about. Then, over the same
sampled children: the case picture (picture and cumulative risk) now, the baseline measured in the same run,
and as known at the time before the corrections (each picture puts the graph back and rolls it back); putting
the graph back alone, with what it changed; and, optionally, the whole pattern sweep as known at that time.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd

from app.benchmark.run import latency_summary, sample_children
from graph.writer import GraphWriter
from ingest.framework import run_ingest
from ingest.registry import plan
from queries import known_at as known_at_q
from queries import picture as picture_q
from queries import risk as risk_q
from queries.model import Window
from queries.patterns import run_patterns
from queries.settings import load_risk_config

DASH_REASSESSED = {"standard": "medium", "medium": "high", "high": "medium", "": "standard"}


def corrected_extract(county: Path, out: Path, share: float = 0.05, seed: int = 0) -> int:
    """The county's police extract again, with ``share`` of its incidents corrected; returns how many."""
    source = county / "police"
    target = out / "police"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    frame = pd.read_csv(source / "occurrences.csv", dtype=str, keep_default_na=False)
    picked = pd.Series(False, index=frame.index)
    picked.iloc[random.Random(seed).sample(range(len(frame)), round(len(frame) * share))] = True
    frame.loc[picked, "summary"] = frame.loc[picked, "summary"] + " (corrected by the force)"
    da = picked & (frame["occurrence_type"] == "da_incident")
    frame.loc[da, "dash_grade"] = frame.loc[da, "dash_grade"].map(
        lambda g: DASH_REASSESSED.get(str(g), "standard")
    )
    frame.to_csv(target / "occurrences.csv", index=False)
    return int(picked.sum())


def _time_pictures(
    driver: neo4j.Driver, database: str, children: list[str], window: Window, at: datetime | None
) -> tuple[list[float], int]:
    config = load_risk_config()
    seconds: list[float] = []
    missing = 0
    for pid in children:
        t0 = time.perf_counter()
        with known_at_q.known_at(driver, database, at) as (reader, _):
            try:
                pic = picture_q.child_picture(reader, database, pid, window)
            except picture_q.NotFound:
                missing += 1
                continue
            risk_q.score(pid, window, pic.facts, pic.people, config)
        seconds.append(time.perf_counter() - t0)
    return seconds, missing


def bench_known_at(
    driver: neo4j.Driver,
    database: str,
    county: Path,
    work_dir: Path,
    reference_date: date,
    sample: int = 50,
    seed: int = 0,
    share: float = 0.05,
    sweep: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Ingest the corrected police extract (CHANGES THE GRAPH), then measure; JSON-ready figures."""
    say = progress or (lambda _m: None)
    before = datetime.now().astimezone()
    say(f"a corrected police extract ({share:.0%} of incidents), learnt after {before:%H:%M:%S}")
    corrected = corrected_extract(county, work_dir, share, seed)
    chosen, _ = plan([work_dir / "police"])
    t0 = time.perf_counter()
    run = run_ingest(chosen, GraphWriter(driver, database), work_dir / "quarantine",
                     learnt_at=before + timedelta(seconds=1))  # fmt: skip
    ingest_seconds = time.perf_counter() - t0
    window = Window.years_to(reference_date, load_risk_config().window_years)
    children = sample_children(driver, database, reference_date, sample, seed)
    say(f"case pictures of {len(children)} children, now and as known at {before:%H:%M:%S}")
    _time_pictures(driver, database, children[:5], window, None)  # warm: plans, page cache, connections
    _time_pictures(driver, database, children[:5], window, before)
    now_s, _ = _time_pictures(driver, database, children, window, None)
    then_s, missing = _time_pictures(driver, database, children, window, before)
    say("putting the graph back alone")
    t0 = time.perf_counter()
    with known_at_q.known_at(driver, database, before) as (_, rewind):
        rewind_seconds = time.perf_counter() - t0
    counts = dict(sorted(rewind.counts.items())) if rewind else {}
    now_summary, then_summary = latency_summary(now_s), latency_summary(then_s)
    out: dict[str, Any] = {
        "corrected_incidents": corrected,
        "second_extract": {"records": sum(f.read for f in run.files), "seconds": round(ingest_seconds, 3)},
        "sampled": len(children),
        "not_found_then": missing,
        "picture_now": now_summary,
        "picture_as_known_at": then_summary,
        "p95_ratio_to_now": round(then_summary["p95_ms"] / now_summary["p95_ms"], 2)
        if now_summary.get("p95_ms")
        else None,
        "rewind_seconds": round(rewind_seconds, 3),
        "rewind_changes": counts,
    }
    if sweep:
        say("the pattern sweep now (the baseline), then as known at that time")
        t0 = time.perf_counter()
        now_report = run_patterns(driver, database, reference_date=reference_date, save=False)
        out["sweep_now_seconds"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        report = run_patterns(driver, database, reference_date=reference_date, save=False, as_known_at=before)
        out["sweep_as_known_at_seconds"] = round(time.perf_counter() - t0, 2)
        out["sweep_ratio_to_now"] = round(
            out["sweep_as_known_at_seconds"] / max(out["sweep_now_seconds"], 1e-9), 2
        )
        out["sweep_now_findings"] = len(now_report.findings)
        out["sweep_as_known_at_findings"] = len(report.findings)
    return out
