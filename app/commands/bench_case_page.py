"""`jigsaw bench-case-page`: the case page's time to ready in a real browser, on the graph already loaded.

Starts `jigsaw app` on a free port against the configured Neo4j, adds a benchmark user (an analyst, disabled
again at the end; both audited), and times the case page of sampled children in headless Chromium
(app/benchmark/browser.py). Needs the dev extra (Playwright) and Chromium (`make browser`).
"""

from __future__ import annotations

import json
import secrets
import tempfile
from datetime import date
from pathlib import Path

import typer

from app.commands.db import ensure_server_and_schema
from app.console import console, user_errors
from graph.config import load_settings
from graph.connection import open_driver

ROOT = Path(__file__).resolve().parents[2]


@user_errors
def bench_case_page_command(
    out: Path = typer.Option(Path("bench-case-page.json"), help="Where the figures go (JSON)."),
    sample: int = typer.Option(20, min=1, help="Children whose case page is opened (twice each)."),
    seed: int = typer.Option(0, help="Seed of the children sampled."),
    reference: str = typer.Option("2026-03-31", "--reference-date", help="Children are those under 18 then."),
    chromium: Path = typer.Option(Path("/usr/bin/chromium"), help="The Chromium to drive."),
) -> None:
    """Time the case page (graph drawn, chronology and risk shown) for sampled children in headless Chromium."""
    try:
        from app.benchmark.browser import TreeRss, running_app, time_case_pages
    except ImportError as exc:  # playwright is in the dev extra
        raise typer.BadParameter(f"{exc}: install the dev extra (pip install -e '.[dev]')") from None
    from app.benchmark.run import sample_children
    from app.governance import Governance
    from app.governance.service import operator_actor
    from queries import catalog

    if not chromium.exists():
        raise typer.BadParameter(f"{chromium} not found: run `make browser`", param_hint="--chromium")
    try:
        ref = date.fromisoformat(reference)
    except ValueError:
        raise typer.BadParameter(
            f"{reference!r} is not a date like 2026-03-31", param_hint="--reference-date"
        ) from None
    settings = load_settings()
    ensure_server_and_schema(quiet=True)
    with open_driver(settings) as driver:
        chosen = sample_children(driver, settings.database, ref, sample * 3, seed)
        rows = catalog.read(driver, settings.database, "find_search_identifiers", {"person_ids": chosen})
    children = [(r["person_id"], r["nhs_number"]) for r in rows if r["nhs_number"]][:sample]
    if not children:
        raise typer.BadParameter("no sampled child has an NHS number to search by")
    gov = Governance.open()
    username, password = f"bench-{secrets.token_hex(3)}", secrets.token_urlsafe(18)
    gov.add_user(operator_actor(), username, "analyst", password)
    console.print(f"benchmark user {username} (disabled again at the end); {len(children)} children")
    try:
        with tempfile.TemporaryDirectory(prefix="jigsaw-case-page-") as work:
            with running_app({}, Path(work) / "app.log", ROOT) as (url, pid), TreeRss(pid) as rss:
                figures = time_case_pages(url, username, password, children, str(chromium),
                                          shots=out.parent / "case-page-shots", progress=console.print)  # fmt: skip
                rss.sample()
    finally:
        gov.disable_user(operator_actor(), username)
    figures.update(children=len(children), app_server_peak_rss_mb=round(rss.peak / 2**20, 1))
    out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print_json(json.dumps(figures))
    console.print(f"written to {out}")
