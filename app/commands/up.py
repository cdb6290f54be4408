"""`jigsaw up`: the product on the local default, in one command (what `make run` calls).

Starts the local Neo4j (or uses NEO4J_URI), loads the synthetic demo county once (synth -> ingest ->
resolve -> pattern sweep), makes sure someone can log in, and starts the app. Each step is the same
`jigsaw` command a user would run, so `up` adds no behaviour of its own.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import typer

from app.commands.db import ensure_server_and_schema
from app.console import console, user_errors
from graph.config import load_settings
from graph.connection import open_driver
from graph.server.local import ServerError

DEMO_USER = "demo.analyst"


def _jigsaw(*args: str) -> None:
    """Run one `jigsaw` command as its own process, stopping `up` with its exit code if it fails."""
    console.print(f"[dim]$ jigsaw {' '.join(args)}[/]")
    result = subprocess.run([sys.executable, "-m", "app.cli", *args], check=False)
    if result.returncode != 0:
        raise ServerError(
            f"`jigsaw {' '.join(args)}` failed (exit {result.returncode}); see its output above"
        )


def _demo_loaded() -> bool:
    settings = load_settings()
    with open_driver(settings) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (r:SourceRecord) RETURN count(r) > 0 AS loaded", database_=settings.database
        )
    return bool(records[0]["loaded"])


def _ensure_demo_user(data_dir: Path) -> None:
    """A demo analyst whose generated password sits in a 0600 file: the first login on a fresh machine."""
    from app.governance import Governance, operator_actor

    gov = Governance.open()
    actor = operator_actor()
    if any(u.username == DEMO_USER for u in gov.list_users(actor)):
        return
    password = secrets.token_urlsafe(18)
    gov.add_user(actor, DEMO_USER, "analyst", password)
    path = data_dir / "demo-credentials"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(f"username={DEMO_USER}\npassword={password}\n")
    console.print(f"demo login: [bold]{DEMO_USER}[/], password in {path} (mode 0600)")


@user_errors
def up_command(
    children: int = typer.Option(2000, "--children", "-n", min=50, help="Size of the synthetic demo county."),
    seed: int = typer.Option(20261124, "--seed", help="Seed of the demo county."),
    port: int = typer.Option(8501, "--port", help="Port of the app."),
    demo: bool = typer.Option(
        True, "--demo/--no-demo", help="Load the synthetic demo county when the graph is empty."
    ),
) -> None:
    """Start everything on this machine: Neo4j, the demo county (once), a demo login, and the app."""
    settings = load_settings()
    ensure_server_and_schema()
    if demo and not _demo_loaded():
        county = settings.server.data_dir / "demo-county"
        _jigsaw("synth", "--children", str(children), "--seed", str(seed), "--out", str(county))
        # the demo county carries a few planted doubtful values; they load flagged, never silently
        _jigsaw("ingest", str(county), "--allow-rejects")
        _jigsaw("resolve")
        _jigsaw("patterns", "run")
    elif demo:
        console.print("the graph already holds records: not loading the demo county again")
    _ensure_demo_user(settings.server.data_dir)
    _jigsaw("app", "--port", str(port), "--no-start-db")
