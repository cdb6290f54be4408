"""`jigsaw bench-ingest`: the ingest benchmark of issue 4 (not a timed test).

Generates the synthetic county, clears the graph (schema kept), loads every file, and prints source records/s
per agency and overall next to a bare ``UNWIND $rows CREATE`` baseline measured in the same run.
Use a separate server for it: JIGSAW_HOME and JIGSAW_BOLT_PORT (and JIGSAW_NEO4J_HEAP / _PAGECACHE).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import typer
from rich.table import Table

from app.commands.db import ensure_server_and_schema
from app.console import console, err_console, register_user_error, user_errors
from graph.bulk import BulkLoadRefused, bulk_target
from graph.config import load_settings
from graph.connection import open_driver
from graph.writer import DEFAULT_BATCH_SIZE
from ingest.bench import TARGET_RATE, TARGET_RATIO, BenchResult, run_bench, write_json

register_user_error(BulkLoadRefused)


def _generate(children: int, seed: int, out: Path) -> float:
    from ingest.synthetic.config import SynthConfig
    from ingest.synthetic.generate import generate

    started = time.perf_counter()
    generate(SynthConfig(children=children, seed=seed, out=out))
    return time.perf_counter() - started


def print_result(result: BenchResult) -> None:
    table = Table(
        title=f"ingest benchmark ({result.method}): {result.children:,} children, batch {result.batch_size:,}"
    )
    for col in ("agency", "files", "source records", "seconds", "records/s"):
        table.add_column(col, justify="left" if col == "agency" else "right")
    for a in result.agencies:
        table.add_row(a.agency, str(a.files), f"{a.records:,}", f"{a.seconds:.1f}", f"{a.rate:,.0f}")
    table.add_row("[bold]overall[/]", str(len(result.files)), f"{result.records:,}", f"{result.ingest_seconds:.1f}",
                  f"[bold]{result.rate:,.0f}[/]")  # fmt: skip
    table.add_row("baseline (bare UNWIND CREATE)", "", f"{result.baseline_rows:,}", f"{result.baseline_seconds:.1f}",
                  f"{result.baseline_rate:,.0f}")  # fmt: skip
    console.print(table)
    ok = "[green]met[/]"
    missed = "[red]missed[/]"
    console.print(
        f"overall {result.rate:,.0f} records/s (target {TARGET_RATE:,.0f}: {ok if result.meets_rate else missed}); "
        f"{result.ratio:.2f} x the baseline (target {TARGET_RATIO}: {ok if result.meets_ratio else missed})"
    )
    console.print(
        f"Python CPU during the ingest {result.ingest_cpu_seconds:,.1f} s of {result.ingest_seconds:,.1f} s wall "
        f"({result.records / max(result.ingest_cpu_seconds, 1e-9):,.0f} records per CPU second)"
    )
    console.print(
        f"loaded {result.loaded:,}, quarantined {result.quarantined:,}; graph {result.nodes:,} nodes, "
        f"{result.relationships:,} relationships; peak RSS {result.peak_rss_ingest_mb:,.0f} MB during the ingest, "
        f"{result.peak_rss_process_mb:,.0f} MB for the whole process"
        + (
            f"; county generated in {result.generate_seconds:.1f} s"
            if result.generate_seconds is not None
            else ""
        )
    )
    if result.bulk_seconds:
        steps = ", ".join(f"{name} {secs:,.1f} s" for name, secs in result.bulk_seconds.items())
        console.print(f"of the ingest, the bulk load's own steps: {steps}")
    for path in result.skipped:
        err_console.print(f"[yellow]no adapter for[/] {path}")
    for bad in result.bad_files:
        err_console.print(f"[bold red]bad file:[/] {bad}")


@user_errors
def bench_ingest_command(
    children: int = typer.Option(10_000, min=50, help="Children in the synthetic county."),
    out: Path | None = typer.Option(None, help="Also write the figures to this JSON file."),
    seed: int = typer.Option(1, help="Seed of the synthetic county."),
    county: Path | None = typer.Option(
        None, help="Generate the county here and keep it (default: a temporary folder, removed after)."
    ),
    reuse_county: bool = typer.Option(
        False, help="Load the county already in --county instead of generating one."
    ),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, min=1, help="Rows per write transaction."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before clearing the graph."),
    bulk: bool = typer.Option(
        False, help="Load through neo4j-admin's import (a first load; Jigsaw's own server only), not Cypher."
    ),
) -> None:
    """Benchmark the ingest: CLEARS THE GRAPH of the configured database, then loads the synthetic county
    (with --bulk: replaces the database through neo4j-admin's import).

    Prints source records/s per agency and overall, a bare UNWIND $rows CREATE baseline on the same rows
    measured in the same run, their ratio, and the peak memory of the Python process.
    """
    settings = load_settings()
    if reuse_county and county is None:
        raise typer.BadParameter("--reuse-county needs --county DIR")
    target = bulk_target(settings) if bulk else None  # refused before asking, before generating
    if not yes:
        typer.confirm(
            f"This deletes every node of database {settings.database!r} on "
            f"{settings.uri or f'the local server in {settings.server.data_dir}'}. Go on?",
            abort=True,
        )
    ensure_server_and_schema(quiet=True)
    folder = county or Path(tempfile.mkdtemp(prefix="jigsaw-bench-"))
    try:
        generate_seconds = None
        if not reuse_county:
            console.print(f"generating a county of {children:,} children in {folder} ...")
            generate_seconds = _generate(children, seed, folder)
        with open_driver(settings) as driver:
            result = run_bench(
                driver, settings.database, folder, children, seed, batch_size, generate_seconds,
                quarantine_dir=folder / "quarantine", progress=lambda msg: console.print(msg),
                bulk=target,
            )  # fmt: skip
    finally:
        if county is None:
            shutil.rmtree(folder, ignore_errors=True)
    print_result(result)
    if out is not None:
        write_json(result, out)
        console.print(f"figures written to {out}")
