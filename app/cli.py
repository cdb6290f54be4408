"""The `jigsaw` command line. Each command group lives in app/commands/<group>.py."""

from __future__ import annotations

import typer

from app.commands.audit import audit_app
from app.commands.db import db_app
from app.commands.ingest import ingest_command
from app.commands.users import users_app
from app.console import setup_logging

cli = typer.Typer(
    help="Jigsaw: the child's picture for MASH teams, as a Neo4j knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
cli.add_typer(db_app, name="db")
cli.command("ingest")(ingest_command)
cli.add_typer(users_app, name="users")
cli.add_typer(audit_app, name="audit")


@cli.callback()
def _root(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more detail.")) -> None:
    setup_logging(verbose)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
