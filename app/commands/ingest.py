"""`jigsaw ingest`: load agencies' files into the graph, with a quarantine file for every rejected row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import ingest.adapters  # noqa: F401  (registers the adapters)
from app.console import console, err_console, register_user_error, user_errors
from graph.bulk import BulkLoadError, BulkLoadRefused, BulkWriter, bulk_target
from graph.config import load_settings
from graph.connection import open_driver
from graph.writer import DEFAULT_BATCH_SIZE, GraphWriter
from ingest.framework import BadFileError, FileReport, run_ingest
from ingest.registry import plan

register_user_error(BadFileError)
register_user_error(BulkLoadRefused)
register_user_error(BulkLoadError)


def _parse_date(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-03-01 or 2026-03-01T09:00") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@user_errors
def ingest_command(
    paths: list[Path] = typer.Argument(..., help="Files or folders of agency extracts."),
    agency: str | None = typer.Option(
        None, help="Only read files as this agency's (police, csc, health...)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="Only read files as this format (an adapter kind)."
    ),
    allow_rejects: bool = typer.Option(False, help="Exit 0 even when rows were quarantined."),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, min=1, help="Rows per write transaction."),
    extract_date: str | None = typer.Option(
        None, help="When the agency extracted the data (when Jigsaw 'learnt' it); default: now."
    ),
    quarantine_dir: Path | None = typer.Option(None, help="Where the run's quarantine CSV goes."),
    bulk: bool = typer.Option(
        False,
        help="A first load into an empty graph through neo4j-admin's import (the same graph; docs/ingest.md says "
        "when it pays); Jigsaw's own server only, stopped while it imports. Refused when the graph holds data or "
        "a file withdraws records.",
    ),
) -> None:
    """Load agency files: detect each file's format, validate, load good rows, quarantine bad ones.

    Every input row is either loaded or written to the run's quarantine file with file, row, field,
    value and reason. Re-running with the same files changes nothing. With --bulk, a first load builds the
    same graph through neo4j-admin's import; later loads go without it.
    """
    settings = load_settings()
    target = bulk_target(settings) if bulk else None
    learnt_at = _parse_date(extract_date)
    chosen, unknown = plan(paths, agency, fmt)
    for item in unknown:
        err_console.print(f"[yellow]skipped[/] {item.path}: {item.reason}")
    if not chosen:
        err_console.print("[bold red]error:[/] no file to load (see the skipped files above)")
        raise typer.Exit(2)
    for adapter, path in chosen:
        console.print(f"detected {path}: [bold]{adapter.kind}[/] ({adapter.agency})")
    qdir = quarantine_dir or settings.server.data_dir / "quarantine"

    def on_file(report: FileReport) -> None:
        console.print(
            f"{report.file}: read {report.read} = loaded {report.loaded} + quarantined {report.quarantined}"
        )

    with open_driver(settings) as driver:
        writer = GraphWriter(driver, settings.database, batch_size)
        if target is not None:
            writer = BulkWriter(driver, settings.database, *target, batch_size)
            writer.check_empty()
        with Progress(
            TextColumn("loading"), BarColumn(), TextColumn("{task.completed:,} rows written"),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("load", total=None, rate="")
            started = datetime.now(UTC)

            def advance(n: int) -> None:
                progress.advance(task, n)
                done = progress.tasks[0].completed
                secs = max((datetime.now(UTC) - started).total_seconds(), 1e-6)
                progress.update(task, rate=f"{done / secs:,.0f} rows/s")

            run = run_ingest(chosen, writer, qdir, learnt_at=learnt_at, on_file=on_file, progress=advance)
    table = Table(title=f"ingest run {run.run_id}")
    for col in ("file", "kind", "read", "loaded", "quarantined", "created", "updated"):
        table.add_column(col, justify="right" if col not in ("file", "kind") else "left")
    for f in run.files:
        table.add_row(
            f.file, f.kind, str(f.read), str(f.loaded), str(f.quarantined), str(f.created), str(f.updated)
        )
    console.print(table)
    for bad in run.bad_files:
        err_console.print(f"[bold red]bad file:[/] {bad}")
    if run.quarantine_file:
        console.print(f"quarantined rows (file, row, field, value, reason): {run.quarantine_file}")
    if run.bad_files or unknown:
        raise typer.Exit(2)
    if run.quarantined and not allow_rejects:
        raise typer.Exit(1)
