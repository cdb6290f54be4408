"""`jigsaw bench-known-at --county DIR`: the cost of "as known at" on a county already loaded and resolved.

The same measurement `jigsaw bench` makes as its last stage (app/benchmark/known_at.py), for a big county
without loading it again. It CHANGES THE GRAPH: a corrected police extract is ingested first.
"""

from __future__ import annotations

import json
import resource
import tempfile
from datetime import date
from pathlib import Path

import typer

from app.commands.db import ensure_server_and_schema
from app.console import console, user_errors
from graph.config import load_settings
from graph.connection import open_driver


@user_errors
def bench_known_at_command(
    county: Path = typer.Option(
        ..., exists=True, file_okay=False, help="The synthetic county loaded in the graph."
    ),
    out: Path = typer.Option(Path("bench-known-at.json"), help="Where the figures go (JSON)."),
    reference: str = typer.Option("2026-03-31", "--reference-date", help="The county's reference date."),
    sample: int = typer.Option(50, min=1, help="Children whose picture is timed now and as known at."),
    share: float = typer.Option(0.05, min=0.0, max=1.0, help="Share of police incidents corrected."),
    sweep: bool = typer.Option(True, help="Also time the whole pattern sweep as known at."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before changing the graph."),
) -> None:
    """Time the case picture now and as known at before a corrected police extract, and the sweep then."""
    from app.benchmark.known_at import bench_known_at

    settings = load_settings()
    if not yes:
        typer.confirm(
            f"This ingests a corrected police extract into {settings.database!r}. Go on?", abort=True
        )
    try:
        ref = date.fromisoformat(reference)
    except ValueError:
        raise typer.BadParameter(
            f"{reference!r} is not a date like 2026-03-31", param_hint="--reference-date"
        ) from None
    if not (county / "police" / "occurrences.csv").is_file():
        raise typer.BadParameter(f"{county} holds no police/occurrences.csv", param_hint="--county")
    ensure_server_and_schema(quiet=True)
    with open_driver(settings) as driver, tempfile.TemporaryDirectory(prefix="jigsaw-known-at-") as work:
        figures = bench_known_at(driver, settings.database, county, Path(work), ref, sample=sample, share=share,
                                 sweep=sweep, progress=console.print)  # fmt: skip
    figures["jigsaw_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print_json(json.dumps(figures))
    console.print(f"written to {out}")
