"""`jigsaw db`: the local Neo4j server (start, stop, status, logs) and the schema (migrate)."""

from __future__ import annotations

import typer

from app.console import console, user_errors
from graph import schema
from graph.config import NEO4J_VERSION, load_settings
from graph.connection import open_driver, server_components
from graph.server.local import LocalNeo4j

db_app = typer.Typer(
    help="Run the local Neo4j 5.26 server and keep its schema current.", no_args_is_help=True
)


def ensure_server_and_schema(quiet: bool = False) -> None:
    """Start the local server unless NEO4J_URI points elsewhere, then apply pending migrations."""
    settings = load_settings()
    if not settings.external:
        local = LocalNeo4j(settings.server)
        before = local.state()
        if not before.running and not quiet:
            console.print(f"starting Neo4j {NEO4J_VERSION} in {settings.server.data_dir} ...")
        state = local.start()
        if state.stale_pid and not quiet:
            console.print(
                "[yellow]the server had died (stale pid file); restarted it, Neo4j recovers the store[/]"
            )
        if not quiet:
            word = "already running" if before.running else "started"
            console.print(f"Neo4j {word}: [bold]{state.bolt_uri}[/] (pid {state.pid})")
    with open_driver(settings) as driver:
        applied = schema.migrate(driver, settings.database)
    if applied and not quiet:
        console.print(f"applied migrations: {', '.join(f'{m.version:04d}_{m.name}' for m in applied)}")


@db_app.command()
@user_errors
def start() -> None:
    """Start the local Neo4j (a no-op when it is running), wait for Bolt, and migrate the schema."""
    settings = load_settings()
    if settings.external:
        console.print(f"NEO4J_URI is set ({settings.uri}): using that server, starting nothing")
    ensure_server_and_schema()


@db_app.command()
@user_errors
def stop() -> None:
    """Shut the local Neo4j down cleanly."""
    settings = load_settings()
    if settings.external:
        console.print(
            f"NEO4J_URI is set ({settings.uri}): Jigsaw did not start that server and will not stop it"
        )
        return
    stopped = LocalNeo4j(settings.server).stop()
    console.print("Neo4j stopped" if stopped else "Neo4j was not running")


@db_app.command()
@user_errors
def status() -> None:
    """Print the server's version and edition, the data dir, and whether the schema is current."""
    settings = load_settings()
    if not settings.external:
        local = LocalNeo4j(settings.server)
        state = local.state()
        console.print(f"data dir: {settings.server.data_dir}")
        if not state.running:
            died = (
                " (a stale pid file says it died; `jigsaw db start` recovers it)" if state.stale_pid else ""
            )
            console.print(f"local Neo4j: [yellow]not running[/]{died} (start it with `jigsaw db start`)")
            raise typer.Exit(3)
        console.print(f"local Neo4j: running, pid {state.pid}, {state.bolt_uri}")
    else:
        console.print(f"server: {settings.uri} (from NEO4J_URI)")
    with open_driver(settings) as driver:
        version, edition = server_components(driver, settings.database)
        pend = schema.pending(driver, settings.database)
    console.print(f"Neo4j {version} {edition}")
    if pend:
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in pend)
        console.print(f"schema: [yellow]not current[/], pending {names} (run `jigsaw db migrate`)")
    else:
        console.print(f"schema: current ({len(schema.migrations())} migrations applied)")


@db_app.command()
@user_errors
def logs(lines: int = typer.Option(50, "--lines", "-n", help="How many lines from the end.")) -> None:
    """Show the end of the local server's logs."""
    settings = load_settings()
    console.print(LocalNeo4j(settings.server).tail_logs(lines), markup=False)


@db_app.command()
@user_errors
def migrate() -> None:
    """Apply pending schema migrations (constraints and indexes); safe to run again."""
    settings = load_settings()
    with open_driver(settings) as driver:
        applied = schema.migrate(driver, settings.database)
    if applied:
        console.print(f"applied: {', '.join(f'{m.version:04d}_{m.name}' for m in applied)}")
    else:
        console.print("schema already current")
