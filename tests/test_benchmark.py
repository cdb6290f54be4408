"""The whole-pipeline benchmark's machinery at a tiny size on the real server: every figure present and sane.
Not a timed test: nothing here asserts on speed."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import neo4j
import pytest

from app.benchmark.chart import growth, loglog_slope, write_chart
from app.benchmark.child import StageFailed, run_in_child
from app.benchmark.run import STAGES, percentile, run_pipeline_bench, write_json
from graph.config import Settings
from graph.connection import make_driver
from graph.server.local import LocalNeo4j
from ingest.resolution.engine import ResolutionSettings
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate


def test_percentile_and_slope() -> None:
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0], 95) == pytest.approx(1.95)
    assert percentile([], 95) == 0.0
    assert loglog_slope([1e4, 1e5], [2.0, 20.0]) == pytest.approx(1.0)
    assert loglog_slope([1e4, 1e5], [1.0, 100.0]) == pytest.approx(2.0)
    assert loglog_slope([1e4], [1.0]) is None


def test_a_stage_in_its_own_process_returns_its_result_or_says_why_it_failed() -> None:
    big = list(range(200_000))  # more than a pipe holds at once
    value, peak = run_in_child(lambda: (sum(big), big), "adding")
    assert value == (sum(big), big) and peak > 1

    def fails() -> None:
        raise ValueError("no county here")

    with pytest.raises(StageFailed, match=r"(?s)the checking stage failed.*ValueError: no county here"):
        run_in_child(fails, "checking")

    def dies() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(StageFailed, match=r"the dying stage's process ended without a result \(exit code -9"):
        run_in_child(dies, "dying")


def test_bench_at_200_children(graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path) -> None:
    county = tmp_path / "county"
    cfg = SynthConfig(children=200, seed=3, out=county)
    resolution = ResolutionSettings(
        data_dir=tmp_path / "resolution", retrain=True, reference_date=cfg.reference_date
    )
    server_pid = None if neo4j_settings.external else LocalNeo4j(neo4j_settings.server).state().pid
    figures = run_pipeline_bench(
        graph, neo4j_settings.database, county, 200, 3, resolution, cfg.reference_date,
        server_pid=server_pid, generate=lambda: generate(cfg), sample=20, profile_dir=tmp_path / "profile",
        connect=lambda: make_driver(neo4j_settings),
    )  # fmt: skip
    assert set(figures["stages"]) == set(STAGES)
    assert all(s > 0 for s in figures["stages"].values())
    assert set(figures["load_average"]) == set(STAGES)

    ing = figures["ingest"]
    assert ing["records"] > 0 and ing["records_per_s"] > 0 and ing["baseline_records_per_s"] > 0
    assert ing["baseline_rows"] > 0  # rows as read raw (an XML file is one row)
    assert 0 < ing["baseline_ratio"] < 10
    assert {"police", "csc", "health", "education"} <= set(ing["agencies"])
    assert all(a["records"] > 0 and a["rate"] > 0 for a in ing["agencies"].values())
    assert ing["nodes"] > 0 and ing["relationships"] > 0

    res = figures["resolution"]
    assert res["seconds"] > 0 and res["records"] > 0 and 0 < res["persons"] <= res["records"]
    assert 0.5 < res["precision"] <= 1 and 0.5 < res["recall"] <= 1

    pic = figures["picture"]
    assert pic["sampled"] == 20 and pic["not_found"] == 0
    for kind in ("picture", "case_page"):
        lat = pic[kind]
        assert lat["n"] == 20
        assert 0 < lat["p50_ms"] <= lat["p95_ms"] <= lat["max_ms"]
    assert pic["case_page"]["p50_ms"] >= pic["picture"]["p50_ms"]

    pat = figures["patterns"]
    assert pat["sweep_seconds"] > 0 and pat["by_pattern"]
    assert all(p["seconds"] >= 0 and p["findings"] >= 0 for p in pat["by_pattern"].values())
    # patterns run side by side: each within the sweep, all of them within the workers' time together
    assert max(p["seconds"] for p in pat["by_pattern"].values()) <= pat["sweep_seconds"]
    assert pat["workers"] == 2
    assert sum(p["seconds"] for p in pat["by_pattern"].values()) <= pat["sweep_seconds"] * pat["workers"]

    ka = figures["known_at"]  # a corrected police extract, then the pictures as known at before it
    assert ka["corrected_incidents"] > 0 and ka["second_extract"]["records"] > 0
    assert ka["picture_now"]["n"] == ka["picture_as_known_at"]["n"] == 20 and ka["not_found_then"] == 0
    assert ka["p95_ratio_to_now"] > 0 and ka["rewind_seconds"] > 0
    assert ka["rewind_changes"]["records_and_facts.facts_restored"] >= ka["corrected_incidents"] * 0.9
    assert (
        ka["sweep_as_known_at_seconds"] > 0 and ka["sweep_now_seconds"] > 0 and ka["sweep_ratio_to_now"] > 0
    )

    mem = figures["memory"]
    assert 50 < mem["jigsaw_peak_rss_mb"] < 6 * 1024
    # generating, the ingest and resolution each ran in a process of its own, profiled there (below)
    assert set(mem["stage_process_peak_rss_mb"]) == {"generate", "ingest", "resolve"}
    assert all(50 < peak < 6 * 1024 for peak in mem["stage_process_peak_rss_mb"].values())
    if server_pid is not None:
        assert mem["neo4j_peak_rss_mb"] > 100
    assert set(figures["targets"]) >= {
        "ingest_records_per_s",
        "picture_p95_ms_200k",
        "pattern_sweep_seconds_200k",
    }
    assert figures["targets"]["picture_p95_ms_200k"]["met"] is None  # time targets judged at 200,000 only

    # profiled: the top functions of every stage, and the Cypher the ingest's time went to
    assert set(figures["profile"]["functions"]) == set(STAGES)
    assert (tmp_path / "profile" / "profile-ingest.txt").exists()
    ingest_queries = figures["profile"]["queries"]["ingest"]
    assert ingest_queries and all(q["seconds"] >= 0 and q["transactions"] > 0 for q in ingest_queries)
    assert any(q["query"].endswith(".cypher") or "UNWIND" in q["query"] for q in ingest_queries)

    out = tmp_path / "out"
    path = write_json(figures, out)
    assert json.loads(path.read_text())["children"] == 200
    # a second, fake size so the chart has a slope to fit
    bigger = json.loads(path.read_text())
    bigger["children"] = 400
    bigger["resolution"]["seconds"] *= 2
    write_json(bigger, out)
    png = write_chart(out)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fits = growth([figures, bigger])
    assert fits["stage wall time (s): resolve"]["slope"] == pytest.approx(1.0, abs=0.01)
    assert json.loads((out / "growth.json").read_text())
