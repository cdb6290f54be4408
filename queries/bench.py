"""The benchmark (not a timed test): the case picture's latency over random children, and each pattern's time.

Issue 6's targets at 200,000 children: picture p95 under 50 ms, the full pattern sweep under 60 s. Run it on a
loaded county with ``jigsaw patterns bench``.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import neo4j

from queries import catalog
from queries import picture as picture_q
from queries import risk as risk_q
from queries.model import Window
from queries.patterns import run_patterns
from queries.settings import load_risk_config


@dataclass(frozen=True)
class Bench:
    children: int
    samples: int
    picture_ms: dict[str, float]
    patterns_s: dict[str, float]
    sweep_s: float
    workers: int = 1
    # the same sweep with one pattern at a time, measured in the same run (the baseline), when asked for
    one_at_a_time_s: float | None = None
    one_at_a_time_patterns_s: dict[str, float] | None = None

    @property
    def speedup(self) -> float | None:
        """How many times faster the sweep ran with its workers than one pattern at a time."""
        if not self.one_at_a_time_s or not self.sweep_s:
            return None
        return round(self.one_at_a_time_s / self.sweep_s, 2)

    def as_dict(self) -> dict[str, Any]:
        return {"children": self.children, "samples": self.samples, "picture_ms": self.picture_ms,
                "patterns_s": self.patterns_s, "sweep_s": self.sweep_s, "workers": self.workers,
                "one_at_a_time_s": self.one_at_a_time_s,
                "one_at_a_time_patterns_s": self.one_at_a_time_patterns_s, "speedup": self.speedup}  # fmt: skip


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run(
    driver: neo4j.Driver,
    database: str,
    reference_date: date,
    samples: int = 200,
    seed: int = 0,
    patterns: bool = True,
    workers: int | None = None,
    baseline: bool = False,
) -> Bench:
    """Time ``samples`` case pictures (picture and cumulative risk, one child each, warm) and one full sweep with
    ``workers`` patterns at once (default: patterns.yaml's); with ``baseline``, then the same sweep again one
    pattern at a time (the findings must be the same: a ValueError says otherwise)."""
    born_after = reference_date - timedelta(days=round(365.25 * 18))
    children = [
        r["person_id"]
        for r in catalog.read(
            driver, database, "find_children", {"born_after": born_after, "reference_date": reference_date}
        )
    ]
    chosen = random.Random(seed).sample(children, min(samples, len(children)))
    config = load_risk_config()
    window = Window.years_to(reference_date, config.window_years)
    for pid in chosen[:5]:  # warm the plan cache: the first run of each query is planned, not measured
        picture_q.child_picture(driver, database, pid, window)
    times = []
    for pid in chosen:
        t0 = time.perf_counter()
        pic = picture_q.child_picture(driver, database, pid, window)
        risk_q.score(pid, window, pic.facts, pic.people, config)
        times.append((time.perf_counter() - t0) * 1000)
    picture_ms = (
        {
            "p50": round(statistics.median(times), 1),
            "p95": round(_percentile(times, 0.95), 1),
            "max": round(max(times), 1),
        }  # fmt: skip
        if times
        else {}
    )
    per_pattern: dict[str, float] = {}
    sweep = 0.0
    used = 1
    alone: float | None = None
    alone_patterns: dict[str, float] | None = None
    if patterns:
        t0 = time.perf_counter()
        report = run_patterns(driver, database, reference_date=reference_date, save=False, workers=workers)
        sweep = time.perf_counter() - t0
        per_pattern = {r.pattern: round(r.seconds, 2) for r in report.results}
        used = report.workers  # as the sweep ran them (patterns.yaml's by default)
        if baseline:
            t0 = time.perf_counter()
            single = run_patterns(driver, database, reference_date=reference_date, save=False, workers=1)
            alone = round(time.perf_counter() - t0, 2)
            alone_patterns = {r.pattern: round(r.seconds, 2) for r in single.results}
            if single.as_dict()["alerts"] != report.as_dict()["alerts"]:
                raise ValueError("the sweep one pattern at a time found otherwise than with workers")
    return Bench(
        len(children), len(chosen), picture_ms, per_pattern, round(sweep, 2), used, alone, alone_patterns
    )
