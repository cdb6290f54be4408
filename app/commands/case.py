"""`jigsaw case ID`: the picture of one child in the terminal (rich tables) or as JSON.

Opening a case is a consultation of personal data (DPA 2018 s62): the command logs in as a Jigsaw user (a role
with view_case), asks why and under which legal gateway, records the case view in the audit trail before
reading anything, and shows each fact as that role may see it (whole, summary, or not at all).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from typing import Any

import typer
from rich.panel import Panel
from rich.table import Table

from app.commands.login import GATEWAY, PASSWORD_STDIN, PURPOSE, USER, log_in
from app.console import console, register_user_error, user_errors
from app.governance import GovernanceError
from app.governance.gateways import access_purpose
from app.governance.service import Governance
from graph.config import load_settings
from graph.connection import open_driver
from queries.case import case_report
from queries.known_at import TooMuchToRewind, as_known_at
from queries.model import Window
from queries.picture import NotFound
from queries.settings import load_risk_config

register_user_error(GovernanceError)
register_user_error(NotFound)
register_user_error(TooMuchToRewind)

FACT_KEYS = ("fact_key", "fact_type", "agency")


def parse_day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-03-31", param_hint=name) from None


def parse_known_at(value: str | None, name: str = "--as-known-at") -> datetime | None:
    if value is None:
        return None
    try:
        return as_known_at(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=name) from None


def known_at_banner(at: str | datetime | None) -> str | None:
    """The words every view of the past carries, so that nobody takes it for today's picture."""
    if at is None:
        return None
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return (
        f"AS KNOWN AT {when:%Y-%m-%d %H:%M} UTC: what Jigsaw had learnt by then, in the versions current then. "
        "This is not the current picture."
    )


def redact(value: Any, redact_facts: Any) -> Any:
    """Every fact (a dict with fact_key, fact_type and agency) as the role may see it; a fact the role may not
    see at all is dropped. Labels and summaries built from a restricted fact are replaced, so that a summary
    view does not leak the content through them."""
    if isinstance(value, list):
        kept = [redact(v, redact_facts) for v in value]
        return [v for v in kept if v is not None]
    if not isinstance(value, dict):
        return value
    if all(k in value for k in FACT_KEYS):
        seen = redact_facts([value])
        return seen[0] if seen else None
    out: dict[str, Any] = {k: redact(v, redact_facts) for k, v in value.items()}
    restricted = False
    if "fact" in value:
        restricted = out["fact"] is None or bool(out["fact"].get("restricted"))
        if out["fact"] is None:
            return None
    if isinstance(value.get("evidence"), list):
        restricted = restricted or len(out["evidence"]) < len(value["evidence"])
        restricted = restricted or any(e.get("restricted") for e in out["evidence"] if isinstance(e, dict))
    if isinstance(out.get("finding"), dict) and out["finding"].get("summary") == "(restricted)":
        restricted = True
    items = value.get("history")
    if isinstance(items, list) and items and all(isinstance(h, dict) and "fact" in h for h in items):
        restricted = restricted or len(out["history"]) < len(items)
        restricted = restricted or any(h["fact"].get("restricted") for h in out["history"])
    if restricted:
        for key in ("label", "summary", "indicator"):
            if key in out:
                out[key] = "(restricted)"
    return out


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def _fact_text(f: dict[str, Any]) -> str:
    if f.get("restricted"):
        return f"{f.get('fact_type')} ({f.get('restricted_note')})"
    return str(f.get("summary") or f.get("fact_type"))


def show(report: dict[str, Any]) -> None:
    person, window = report["person"], report["window"]
    banner = known_at_banner(report.get("as_known_at"))
    if banner:
        console.print(Panel(banner, style="bold black on yellow"), markup=False)
    who = f"{person.get('display_name') or person['person_id']} [{person['person_id']}]"
    born = (
        "unborn, due " + str(person.get("expected_date_of_birth"))
        if person.get("unborn")
        else person.get("date_of_birth")
    )
    console.print(
        Panel(
            f"{who}\nborn: {born}   age at {window['reference_date']}: {person.get('age')}\n"
            f"window: {window['from']} to {window['to']}\n"
            + "\n".join(
                f"  {r['agency']} {r['record_key']} ({r.get('method') or 'unmatched'}"
                + (f", p={r['match_probability']}" if r.get("match_probability") is not None else "")
                + ")"
                for r in person["records"]
            ),
            title="The child",
            title_align="left",
        ),
        markup=False,
    )
    risk = report["risk"]
    console.print(
        f"Cumulative risk: {risk['score']:.2f} points (weights {risk['config_version']}). "
        f"{risk['suggestion_label']}: level {risk['suggested_level']}",
        markup=False,
    )
    console.print(
        _table(
            "Contributions (every fact behind the score)",
            ["points", "indicator", "date", "about", "agency", "source", "recorded by", "basis"],
            [
                [
                    f"{c['points']:.2f}",
                    c["label"],
                    c["fact"].get("occurred_on"),
                    f"{c['relation']} {c.get('person_id') or ''} ({c.get('role')})",
                    c["fact"].get("agency"),
                    c["fact"].get("source_record_id"),
                    c["fact"].get("recorded_by_role"),
                    c["fact"].get("basis"),
                ]  # fmt: skip
                for c in risk["contributions"]
            ]
            + [
                [
                    f"floor {f['level']}",
                    "open statutory involvement",
                    f["fact"].get("occurred_on"),
                    "child",
                    f["fact"].get("agency"),
                    f["fact"].get("source_record_id"),
                    "",
                    "",
                ]
                for f in risk["floors"]
            ],  # fmt: skip
        )
    )
    console.print(
        _table(
            "People around the child",
            ["person", "relations", "age", "born"],
            [
                [
                    f"{p.get('display_name') or ''} [{p['person_id']}]",
                    ", ".join(p["relations"]),
                    p.get("age"),
                    p.get("date_of_birth") or p.get("expected_date_of_birth"),
                ]  # fmt: skip
                for p in report["people"]
            ],
        )
    )
    console.print(
        _table(
            "Addresses",
            ["from", "to", "address", "postcode", "agency"],
            [
                [a.get("start"), a.get("end"), a.get("line"), a.get("postcode"), a.get("agency")]
                for a in report["addresses"]
            ],
        )
    )
    console.print(
        _table(
            "Multi-agency chronology",
            ["date", "agency", "what", "about", "recorded by", "basis", "source"],
            [
                [
                    e.get("occurred_on"),
                    e.get("agency"),
                    _fact_text(e),
                    "; ".join(e.get("about") or []),
                    e.get("recorded_by_role"),
                    e.get("basis"),
                    e.get("source_record_id"),
                ]  # fmt: skip
                for e in report["chronology"]
            ],
        )
    )
    console.print(
        _table(
            "Hidden adults (hidden first, then by history)",
            ["adult", "relations", "known to", "absent from", "history points", "history"],
            [
                [
                    f"{h.get('display_name') or ''} [{h['person_id']}]",
                    ", ".join(h["relations"]),
                    ", ".join(h["known_to"]),
                    ", ".join(h["absent_from"]) if h["hidden"] else "(not hidden)",
                    f"{h['history_points']:.1f}",
                    "; ".join(sorted({i["label"] for i in h["history"]})),
                ]  # fmt: skip
                for h in report["hidden_adults"]
            ],
        )
    )
    console.print(
        _table(
            "Linked children (strongest link first)",
            ["child", "linked by"],
            [
                [
                    f"{c.get('display_name') or ''} [{c['person_id']}]",
                    "; ".join(
                        sorted(
                            {
                                x["kind"] + (f" via {x['via_adult']}" if x["via_adult"] else "")
                                for x in c["links"]
                            }
                        )
                    ),
                ]  # fmt: skip
                for c in report["linked_children"]
            ],
        )
    )
    console.print(
        _table(
            "Alerts",
            ["pattern", "status", "first seen", "summary", "evidence"],
            [
                [
                    a["pattern"],
                    a["status"] + ("" if a["active"] else " (no longer seen)"),
                    a["first_seen"],
                    a["summary"],
                    len(a["evidence_keys"]),
                ]  # fmt: skip
                for a in report["alerts"]
            ],
        )
    )


@user_errors
def case_command(
    person_id: str = typer.Argument(..., help="The child's person id."),
    start: str | None = typer.Option(
        None, "--from", help="Start of the window (default: the weights' years back)."
    ),
    end: str | None = typer.Option(None, "--to", help="End of the window (default: the reference date)."),
    reference: str | None = typer.Option(
        None, "--reference-date", help="Ages and recency as at (default today)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Write the case as JSON to standard output."),
    known_at: str | None = typer.Option(
        None,
        "--as-known-at",
        help="The case as Jigsaw knew it then (a date means the end of that day); ages as at that date unless "
        "--reference-date says otherwise.",
    ),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """Print the picture of a child: cumulative risk with every contribution, the people around the child,
    addresses, the multi-agency chronology, hidden adults, linked children and alerts."""
    at = parse_known_at(known_at)
    ref = parse_day(reference, "--reference-date") or (at.date() if at else date.today())
    years = load_risk_config().window_years
    window = Window(
        parse_day(start, "--from") or ref - timedelta(days=round(365.25 * years)),
        parse_day(end, "--to") or ref,
        ref,
    )
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    why = access_purpose(purpose, gateway)
    gov.record(
        session,
        "case_view",
        person_id=person_id,
        purpose=why,
        details={
            "via": "jigsaw case",
            "from": window.start.isoformat(),
            "to": window.end.isoformat(),
            "reference_date": ref.isoformat(),
            "json": as_json,
            "as_known_at": at.isoformat() if at else None,
        },  # fmt: skip
    )
    settings = load_settings()
    with open_driver(settings) as driver:
        report = case_report(driver, settings.database, person_id, window, as_known_at=at)
    report = redact(report, lambda facts: gov.redact(session, facts))
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2, sort_keys=True, default=str) + "\n")
    else:
        show(report)
