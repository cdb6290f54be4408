"""The `jigsaw` command line. Each command group lives in app/commands/<group>.py."""

from __future__ import annotations

import typer

from app.commands.app import app_command
from app.commands.audit import audit_app
from app.commands.bench import bench_command
from app.commands.bench_case_page import bench_case_page_command
from app.commands.bench_ingest import bench_ingest_command
from app.commands.bench_known_at import bench_known_at_command
from app.commands.case import case_command
from app.commands.changes import changes_command
from app.commands.db import db_app
from app.commands.ingest import ingest_command
from app.commands.patterns import patterns_app
from app.commands.resolve import register as register_resolution
from app.commands.synth import synth
from app.commands.up import up_command
from app.commands.users import users_app
from app.console import setup_logging

cli = typer.Typer(
    help="Jigsaw: the child's picture for MASH teams, as a Neo4j knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
cli.add_typer(db_app, name="db")
cli.command("ingest")(ingest_command)
cli.command("bench-ingest")(bench_ingest_command)
cli.command("bench")(bench_command)
cli.command("bench-known-at")(bench_known_at_command)
cli.command("bench-case-page")(bench_case_page_command)
cli.add_typer(users_app, name="users")
cli.add_typer(audit_app, name="audit")
cli.command("up")(up_command)
cli.command("app")(app_command)
register_resolution(cli)  # resolve, review, export links
cli.command("synth")(synth)
cli.command("case")(case_command)
cli.command("changes")(changes_command)
cli.add_typer(patterns_app, name="patterns")


@cli.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more detail.")) -> None:
    setup_logging(verbose)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
