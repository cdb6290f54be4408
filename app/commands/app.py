"""`jigsaw app`: the case app (Streamlit) on this machine, loopback only unless told otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from app.commands.db import ensure_server_and_schema
from app.console import console, user_errors

ENTRY = Path(__file__).resolve().parents[1] / "web" / "main.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, no file watcher, on address:port."""
    return [
        sys.executable, "-m", "streamlit", "run", str(ENTRY),
        "--server.headless", "true",
        "--server.address", address,
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--global.developmentMode", "false",
    ]  # fmt: skip


@user_errors
def app_command(
    port: int = typer.Option(8501, "--port", help="Port to listen on."),
    address: str = typer.Option(
        "127.0.0.1",
        "--address",
        help="Address to listen on (loopback by default; put TLS in front otherwise).",
    ),
    start_db: bool = typer.Option(
        True, "--start-db/--no-start-db", help="Start the local Neo4j (unless NEO4J_URI is set) and migrate."
    ),
) -> None:
    """Run the case app: find a child, the child's picture, alerts, the review queue, meeting mode."""
    if start_db:
        ensure_server_and_schema(quiet=True)
    if address not in {"127.0.0.1", "localhost", "::1"}:
        console.print(f"[yellow]listening on {address}: put TLS and a firewall in front of it[/]")
    console.print(f"Jigsaw app on http://{'localhost' if address == '127.0.0.1' else address}:{port}")
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    cmd = streamlit_command(port, address)
    # become Streamlit (no child left behind): a signal to `jigsaw app` is a signal to the server
    os.execve(cmd[0], cmd, env)
