"""`jigsaw synth`: write a synthetic county (every agency's extract, plus the true answers)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from app.console import console, err_console
from ingest.synthetic.config import DEFAULT_REFERENCE_DATE, SynthConfig
from ingest.synthetic.generate import STEPS, generate


def _parse_date(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def synth(
    children: int = typer.Option(
        1000, "--children", "-n", min=50, help="How many children live in the county."
    ),
    seed: int = typer.Option(
        1, "--seed", "-s", help="Random seed: the same seed writes byte-identical files."
    ),
    out: Path = typer.Option(
        Path("out/county"),
        "--out",
        "-o",
        help="Folder to write the county into (its agency and truth folders are replaced).",
    ),  # fmt: skip
    bad_rows: bool = typer.Option(
        False,
        "--bad-rows",
        help="Plant a known set of unloadable rows and broken "
        "values in each agency's files (listed in truth/bad_rows.csv).",
    ),  # fmt: skip
    reference_date: str = typer.Option(
        DEFAULT_REFERENCE_DATE.isoformat(), "--reference-date", help="The county's 'today' (YYYY-MM-DD)."
    ),
) -> None:
    """Write a synthetic county: police, children's social care, health, education, early help, probation,
    housing and third-sector extracts in the data contract's formats (docs/data-contract.md), with planted
    patterns and the five case studies of the NPCC guidance, and the answers in OUT/truth/ (which records are
    the same person, every planted pattern, every planted bad row). Synthetic data only."""
    try:
        cfg = SynthConfig(children=children, seed=seed, out=out, bad_rows=bad_rows,
                          reference_date=_parse_date(reference_date))  # fmt: skip
    except ValueError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task("starting", total=len(STEPS))
        seen = {"n": 0}

        def step(name: str) -> None:
            if seen["n"]:
                progress.advance(task)
            seen["n"] += 1
            progress.update(task, description=name)

        truth = generate(cfg, step)
        progress.update(task, completed=len(STEPS), description="done")
    console.print(
        f"county of {children:,} children (seed {seed}) written to [bold]{out}[/]: "
        f"{len(truth.persons):,} person records, {len(truth.patterns)} planted patterns"
        + (f", {len(truth.bad_rows)} bad rows" if bad_rows else "")
    )
