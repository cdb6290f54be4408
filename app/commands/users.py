"""`jigsaw users`: local user accounts (add, reset, disable, enable, set-role, list) and the roles in force.

The CLI is for the server's operators: whoever can run it can read the data dir anyway, so it asks for no
Jigsaw login. Every change is audited under the operating-system user name (``os:<name>``, role operator).
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from rich.text import Text

from app.console import console, register_user_error, user_errors
from app.governance import GovernanceError, PolicyError
from app.governance.roles import DEFAULT_ROLES_YAML, PERMISSIONS
from app.governance.service import Governance, operator_actor
from app.governance.users import MIN_PASSWORD_LENGTH

register_user_error(GovernanceError)

users_app = typer.Typer(help="Manage Jigsaw's local user accounts (audited).", no_args_is_help=True)

STDIN_HELP = "Read the password from the first line of standard input (for scripts) instead of prompting."


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise typer.BadParameter("no password on standard input", param_hint="--password-stdin")
        return line
    return str(
        typer.prompt(
            f"Password (at least {MIN_PASSWORD_LENGTH} characters)", hide_input=True, confirmation_prompt=True
        )
    )


@users_app.command()
@user_errors
def add(
    username: str = typer.Argument(..., help="Login name: letters, digits and . _ @ -"),
    role: str = typer.Option(..., "--role", "-r", help="One of the roles in `jigsaw users roles`."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Add a user with a role; the password is asked twice (hidden)."""
    gov = Governance.open()
    gov.policy.check_role(role)  # checked before asking for a password
    if gov.users.get(username) is not None:
        raise PolicyError(
            f"user {username!r} already exists (use `jigsaw users reset` to set a new password)"
        )
    user = gov.add_user(operator_actor(), username, role, _password(password_stdin))
    console.print(f"added {user.username} ({user.role})", markup=False)


@users_app.command()
@user_errors
def reset(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=STDIN_HELP),
) -> None:
    """Set a new password for a user."""
    gov = Governance.open()
    if gov.users.get(username) is None:
        raise PolicyError(f"no user {username!r}")
    user = gov.reset_password(operator_actor(), username, _password(password_stdin))
    console.print(f"new password set for {user.username}", markup=False)


@users_app.command()
@user_errors
def disable(username: str = typer.Argument(...)) -> None:
    """Disable a user: they cannot log in, and their open sessions end at their next request."""
    user = Governance.open().disable_user(operator_actor(), username)
    console.print(f"disabled {user.username}", markup=False)


@users_app.command()
@user_errors
def enable(username: str = typer.Argument(...)) -> None:
    """Enable a disabled user again."""
    user = Governance.open().enable_user(operator_actor(), username)
    console.print(f"enabled {user.username}", markup=False)


@users_app.command("set-role")
@user_errors
def set_role(username: str = typer.Argument(...), role: str = typer.Argument(...)) -> None:
    """Change a user's role (their open sessions end at their next request)."""
    user = Governance.open().set_role(operator_actor(), username, role)
    console.print(f"{user.username} is now {user.role}", markup=False)


def _minute(timestamp: str) -> str:
    return timestamp[:16].replace("T", " ")


@users_app.command("list")
@user_errors
def list_users() -> None:
    """List the users, their roles and whether they are enabled."""
    users = Governance.open().list_users(operator_actor())
    if not users:
        console.print("no users yet: add one with `jigsaw users add NAME --role admin`")
        return
    table = Table("user", "role", "status", "created (UTC)", "password changed (UTC)")
    for u in users:
        status = Text("disabled", style="red") if u.disabled else Text("enabled")
        table.add_row(
            Text(u.username), Text(u.role), status, _minute(u.created_at), _minute(u.password_changed_at)
        )
    console.print(table)


@users_app.command()
@user_errors
def roles(
    default: bool = typer.Option(False, "--default", help="Print the shipped roles YAML, to copy and edit."),
) -> None:
    """Show the roles in force: each role's access per agency and its permissions."""
    if default:
        sys.stdout.write(DEFAULT_ROLES_YAML)
        return
    policy = Governance.open().policy
    for name, spec in policy.roles.items():
        console.print(Text(f"{name} ({spec.label})", style="bold"))
        for level in ("detail", "summary", "none"):
            agencies = [a for a in policy.agencies if policy.level(name, a) == level]
            console.print(Text(f"  {level + ':':9}{', '.join(agencies) or '-'}"))
        may = [p for p in PERMISSIONS if policy.allows(name, p)]
        console.print(Text(f"  {'may:':9}{', '.join(may) or '-'}"))
