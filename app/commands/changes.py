"""`jigsaw changes ID --since DATE [--until DATE]`: what changed in a child's picture between two times.

Facts added, corrected or withdrawn, by agency, each with when Jigsaw learnt it: the question a child safeguarding
practice review asks (who knew what, and when). Like `jigsaw case`, it is a consultation of personal data: it
logs in, asks why and under which gateway, is audited before anything is read, and shows each fact as the
user's role may see it.
"""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from typing import Any

import typer
from rich.table import Table

from app.commands.case import parse_day, parse_known_at, redact
from app.commands.login import GATEWAY, PASSWORD_STDIN, PURPOSE, USER, log_in
from app.console import console, user_errors
from app.governance.gateways import access_purpose
from app.governance.service import Governance
from graph.config import load_settings
from graph.connection import open_driver
from queries.changes import by_agency, changes_between, changes_dict
from queries.model import Window
from queries.settings import load_risk_config


def _what(side: dict[str, Any] | None) -> str:
    if not side:
        return ""
    if side.get("restricted"):
        return f"{side.get('fact_type')} ({side.get('restricted_note')})"
    return str(side.get("summary") or side.get("fact_type"))


def show(report: dict[str, Any]) -> None:
    risk = report["risk"]
    until = report["until"] or "now"
    console.print(
        f"What changed in the picture of {report['person_id']} between {report['since']} and {until} (UTC)",
        style="bold",
        markup=False,
    )
    console.print(
        f"Cumulative risk: {risk['before']} (level {risk['level_before']}) -> {risk['after']} "
        f"(level {risk['level_after']})",
        markup=False,
    )
    per_agency = Table(title="By agency", title_justify="left")
    for col in ("agency", "added", "corrected", "withdrawn"):
        per_agency.add_column(col)
    for agency, counts in by_agency(report["changes"]).items():
        per_agency.add_row(agency, *(str(counts[k]) for k in ("added", "corrected", "withdrawn")))
    console.print(per_agency)
    table = Table(title="Changes, in the order Jigsaw learnt them", title_justify="left")
    for col in ("learnt", "agency", "change", "date", "what", "fields", "source"):
        table.add_column(col, overflow="fold")
    for c in report["changes"]:
        side = c["after"] or c["before"]
        table.add_row(
            str(c["learnt_at"] or ""),
            str(side.get("agency")),
            c["kind"],
            str(c["occurred_on"] or ""),
            _what(side),
            ", ".join(c["fields"]),
            str((side or {}).get("source_record_id") or ""),
        )
    console.print(table)


@user_errors
def changes_command(
    person_id: str = typer.Argument(..., help="The child's person id."),
    since: str = typer.Option(..., "--since", help="The earlier time (a date means the end of that day)."),
    until: str | None = typer.Option(None, "--until", help="The later time (default: now)."),
    reference: str | None = typer.Option(
        None, "--reference-date", help="Ages and recency as at (default: the later time, or today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Write the changes as JSON to standard output."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """Show the facts added, corrected and withdrawn in a child's picture between two times, by agency, with
    when Jigsaw learnt each, and the cumulative risk before and after."""
    first = parse_known_at(since, "--since")
    second = parse_known_at(until, "--until")
    assert first is not None  # --since is required
    if second is not None and second <= first:
        raise typer.BadParameter("must be after --since", param_hint="--until")
    ref = parse_day(reference, "--reference-date") or (second.date() if second else date.today())
    window = Window(ref - timedelta(days=round(365.25 * load_risk_config().window_years)), ref, ref)
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    why = access_purpose(purpose, gateway)
    gov.record(
        session,
        "case_view",
        person_id=person_id,
        purpose=why,
        details={
            "via": "jigsaw changes",
            "since": first.isoformat(),
            "until": second.isoformat() if second else None,
            "json": as_json,
        },  # fmt: skip
    )
    settings = load_settings()
    with open_driver(settings) as driver:
        found = changes_between(driver, settings.database, person_id, window, first, second)
    report = redact(
        json.loads(json.dumps(changes_dict(found), default=str)), lambda f: gov.redact(session, f)
    )
    # a change whose both versions the role may not see is not shown at all
    report["changes"] = [c for c in report["changes"] if c.get("before") or c.get("after")]
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True) + "\n")
    else:
        show(report)
