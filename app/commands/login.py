"""What every command that shows or changes case data asks first: who you are (a Jigsaw login, not the operating
system's user) and, where the audit needs it, why and under which legal gateway."""

from __future__ import annotations

import sys

import typer

from app.governance import Governance, Session

USER = typer.Option(..., "--user", "-u", envvar="JIGSAW_USER", help="Your Jigsaw user name.")
PASSWORD_STDIN = typer.Option(False, "--password-stdin", help="Read the password from standard input.")
PURPOSE = typer.Option(..., "--purpose", "-p", help="Why (recorded in the audit).")
GATEWAY = typer.Option(..., "--gateway", "-g", help="The legal gateway (e.g. CA1989_S47, CA2004_S11).")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True))


def log_in(gov: Governance, user: str, password_stdin: bool) -> Session:
    """The user's session, or GovernanceError (wrong password, disabled account): nothing is shown without it."""
    return gov.authenticate(user, read_password(password_stdin))
