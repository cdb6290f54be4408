"""`jigsaw bench`: one benchmark for the whole pipeline (issue 9), not a timed test.

``jigsaw bench --children N --out DIR`` generates the synthetic county, CLEARS THE GRAPH, and measures in one
run: ingest (records/s per agency, the bare UNWIND CREATE baseline ratio), entity resolution (wall time,
pairwise precision/recall), the case picture's latency over 200 random children, each pattern and the sweep,
the cost of "as known at" (a corrected police extract, then pictures and the sweep as known at before it),
peak memory of this process, of each stage run in a process of its own (generating, ingest,
resolution) and of the Neo4j server, wall time and load average per stage. It writes
DIR/bench-N.json and redraws DIR/cost-vs-size.png from every bench-*.json in DIR. ``jigsaw bench --chart DIR``
only redraws the chart. Use a separate server: JIGSAW_HOME, JIGSAW_BOLT_PORT, JIGSAW_NEO4J_HEAP/_PAGECACHE.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from app.benchmark.chart import write_chart
from app.benchmark.child import StageFailed
from app.commands.db import ensure_server_and_schema
from app.console import console, register_user_error, user_errors
from graph.config import load_settings
from graph.connection import make_driver, open_driver
from graph.server.local import LocalNeo4j

register_user_error(StageFailed)  # a stage that failed or died in its own process: its message says why


def _store_mb(home: Path, database: str) -> float:
    """Disk used by the local server's store files of the database (what the page cache would hold; the
    transaction logs are left out: they keep earlier runs)."""
    data = home / "data" / "databases" / database
    total = sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) if data.exists() else 0
    return round(total / 2**20, 1)


def _print(figures: dict[str, Any]) -> None:
    table = Table(title=f"Jigsaw benchmark: {figures['children']:,} children", show_header=False)
    ing, res, pic, pat, mem = (figures[k] for k in ("ingest", "resolution", "picture", "patterns", "memory"))
    rows = [
        ("ingest", f"{ing['records']:,} records, {ing['records_per_s']:,.0f}/s; baseline "
                   f"{ing['baseline_records_per_s']:,.0f}/s; ratio {ing['baseline_ratio']:.2f}"),
        *[(f"  {name}", f"{a['records']:,} records, {a['rate']:,.0f}/s") for name, a in ing["agencies"].items()],
        ("resolution", f"{res['seconds']:.1f} s; precision {res['precision']:.4f}, recall {res['recall']:.4f}"),
        ("picture (warm)", f"p50 {pic['picture']['p50_ms']:.1f} ms, p95 {pic['picture']['p95_ms']:.1f} ms "
                           f"over {pic['picture']['n']} children"),
        ("case page data", f"p50 {pic['case_page']['p50_ms']:.1f} ms, p95 {pic['case_page']['p95_ms']:.1f} ms"),
        ("pattern sweep", f"{pat['sweep_seconds']:.1f} s, {pat['alerts']:,} alerts"),
        *([("as known at", f"picture p95 {ka['picture_as_known_at']['p95_ms']:.1f} ms vs {ka['picture_now']['p95_ms']:.1f}"
                           f" ms now (x{ka['p95_ratio_to_now']}); putting back {ka['rewind_seconds']:.2f} s; sweep "
                           f"{ka.get('sweep_as_known_at_seconds', 0):.1f} s vs {ka.get('sweep_now_seconds', 0):.1f} s now")] if (ka := figures.get("known_at")) else []),
        *[(f"  {name}", f"{p['seconds']:.2f} s, {p['findings']:,} findings") for name, p in pat["by_pattern"].items()],
        ("peak RSS", f"Jigsaw {mem['jigsaw_peak_rss_mb']:,.0f} MB (children {mem['jigsaw_children_peak_rss_mb']:,.0f}"
                     f" MB); Neo4j {mem['neo4j_peak_rss_mb'] or 0:,.0f} MB"),
        *[(f"  {name} (own process)", f"peak {peak:,.0f} MB") for name, peak in mem.get("stage_process_peak_rss_mb", {}).items()],
        *[(f"stage {name}", f"{secs:.1f} s (load {figures['load_average'][name]['before']:.1f} -> "
                            f"{figures['load_average'][name]['after']:.1f})") for name, secs in figures["stages"].items()],
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for name, t in figures["targets"].items():
        verdict = {True: "[green]met[/]", False: "[red]missed[/]", None: "[dim]not judged at this size[/]"}[
            t["met"]
        ]
        console.print(f"  {name}: {t['value']} (target {t['target']}) {verdict}")


@user_errors
def bench_command(
    children: int | None = typer.Option(None, min=50, help="Children in the synthetic county."),
    out: Path = typer.Option(Path("bench-out"), help="Folder for bench-N.json and the chart."),
    chart: Path | None = typer.Option(
        None, help="Only redraw the chart from the bench-*.json in this folder."
    ),
    seed: int = typer.Option(1, help="Seed of the synthetic county (and of the children sampled)."),
    county: Path | None = typer.Option(
        None, help="Generate the county here and keep it (default: temporary)."
    ),
    reuse_county: bool = typer.Option(False, help="Use the county already in --county (no generation)."),
    sample: int = typer.Option(200, min=1, help="Random children whose case picture is timed."),
    profile: bool = typer.Option(False, help="cProfile every stage: DIR/profile-<stage>.prof and .txt."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before clearing the graph."),
) -> None:
    """Benchmark the whole pipeline on a synthetic county: CLEARS THE GRAPH of the configured database."""
    if chart is not None:
        console.print(f"chart written to {write_chart(chart)}")
        return
    if children is None:
        raise typer.BadParameter("give --children N (or --chart DIR)")
    if reuse_county and county is None:
        raise typer.BadParameter("--reuse-county needs --county DIR")
    from app.benchmark.run import run_pipeline_bench, write_json
    from ingest.resolution.engine import ResolutionSettings
    from ingest.synthetic.config import SynthConfig
    from ingest.synthetic.generate import generate

    settings = load_settings()
    if not yes:
        typer.confirm(
            f"This deletes every node of database {settings.database!r} on "
            f"{settings.uri or f'the local server in {settings.server.data_dir}'}. Go on?",
            abort=True,
        )
    ensure_server_and_schema(quiet=True)
    server_pid = None if settings.external else LocalNeo4j(settings.server).state().pid
    folder = county or Path(tempfile.mkdtemp(prefix="jigsaw-bench-"))
    cfg = SynthConfig(children=children, seed=seed, out=folder)
    resolution = ResolutionSettings.from_settings(settings, retrain=True, reference_date=cfg.reference_date)
    try:
        with open_driver(settings) as driver:
            figures = run_pipeline_bench(
                driver, settings.database, folder, children, seed, resolution, cfg.reference_date,
                server_pid=server_pid, generate=None if reuse_county else (lambda: generate(cfg)),
                sample=sample, profile_dir=out / f"profile-{children}" if profile else None,
                progress=console.print, connect=lambda: make_driver(settings),
            )  # fmt: skip
        figures["neo4j"] = {"uri": settings.uri or "local", "heap": settings.server.heap,
                            "pagecache": settings.server.pagecache,
                            "store_mb": None if settings.external else _store_mb(settings.server.data_dir, settings.database)}  # fmt: skip
    finally:
        if county is None:
            shutil.rmtree(folder, ignore_errors=True)
    _print(figures)
    path = write_json(figures, out)
    console.print(f"figures written to {path}; chart {write_chart(out)}")
