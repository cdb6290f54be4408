"""`jigsaw audit`: check the audit log's hash chain, and show or export its entries (the auditor's view).

Like `jigsaw users`, this is for the server's operators: querying or exporting the audit is itself
recorded (audit_view / audit_export) under the operating-system user name (``os:<name>``, role operator).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import typer
from rich.text import Text

from app.console import console, err_console, register_user_error, user_errors
from app.governance import ACTIONS, GovernanceError
from app.governance.audit import canonical_json
from app.governance.service import Governance, operator_actor

register_user_error(GovernanceError)

audit_app = typer.Typer(help="Verify, show and export the audit trail.", no_args_is_help=True)

USER = typer.Option(None, "--user", "-u", help="Only this user's entries.")
CHILD = typer.Option(None, "--child", "-c", help="Only entries about this child or person (person_id).")
ACTION = typer.Option(None, "--action", "-a", help=f"Only this action: {', '.join(ACTIONS)}.")
SINCE = typer.Option(None, "--since", help="From this day (YYYY-MM-DD, UTC), inclusive.")
UNTIL = typer.Option(None, "--until", help="Up to this day (YYYY-MM-DD, UTC), inclusive.")


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-03-31", param_hint=name) from None


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    match = re.fullmatch(r"(\d+):([0-9a-f]{64})", value.strip().lower())
    if not match:
        raise typer.BadParameter("give SEQ:HASH, as printed by `jigsaw audit verify`", param_hint="--anchor")
    return int(match.group(1)), match.group(2)


@audit_app.command()
@user_errors
def verify(
    anchor: str | None = typer.Option(
        None,
        "--anchor",
        help="SEQ:HASH noted earlier from this command's output: proves no rewrite before it.",
    ),
) -> None:
    """Check every entry's hash and the chain between them; exit 1 at the first broken entry."""
    gov = Governance.open()
    result = gov.verify_audit(_anchor(anchor))
    if result.ok:
        console.print(f"audit log OK: {result.entries} entries ({gov.audit.path})", markup=False)
        if result.entries:
            console.print(f"head: {result.head_seq}:{result.head_hash}", markup=False)
            console.print(
                "keep the head outside this machine; check against it later with --anchor", style="dim"
            )
        return
    err_console.print(
        Text(f"audit log BROKEN at seq {result.first_broken_seq}: {result.reason}", style="bold red")
    )
    err_console.print(Text(f"entries 1 to {result.head_seq} verify; last good hash {result.head_hash}"))
    raise typer.Exit(1)


@audit_app.command()
@user_errors
def show(
    user: str | None = USER,
    child: str | None = CHILD,
    action: str | None = ACTION,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Show the last N matching entries."),
) -> None:
    """Show audit entries (newest last), filtered; recorded as an audit_view."""
    entries = Governance.open().query_audit(
        operator_actor(),
        user=user,
        person_id=child,
        action=action,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
    )
    if not entries:
        console.print("no matching entries")
        return
    for e in entries[-limit:]:
        line = f"#{e.seq} {e.timestamp[:19].replace('T', ' ')} {e.user} ({e.role}) {e.action}"
        line += f" [{e.category}]" if e.category else ""
        line += f" person {e.person_id}" if e.person_id else ""
        line += f" | {e.gateway}: {e.purpose}" if e.gateway else ""
        line += f" | {canonical_json(e.details)}" if e.details else ""
        console.print(Text(line))
    if len(entries) > limit:
        console.print(f"{len(entries) - limit} earlier matching entries not shown (--limit)", style="dim")


@audit_app.command()
@user_errors
def export(
    out: Path = typer.Option(..., "--out", "-o", help="The CSV file to write (mode 0600).", dir_okay=False),
    user: str | None = USER,
    child: str | None = CHILD,
    action: str | None = ACTION,
    since: str | None = SINCE,
    until: str | None = UNTIL,
) -> None:
    """Export audit entries as CSV; recorded as an audit_export."""
    count = Governance.open().export_audit(
        operator_actor(),
        out,
        user=user,
        person_id=child,
        action=action,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
    )
    console.print(f"wrote {count} entries to {out}", markup=False)
