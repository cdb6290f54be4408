"""`jigsaw patterns`: the scheduled pattern sweep (run once, or on the schedule in patterns.yaml), and the
alert list and decisions.

`run` and `schedule` are the server's (the scheduler service of docker-compose.yml runs `schedule`): they write
Alert nodes and a JSON report of identifiers only (patterns, people and their record keys, evidence facts and
their source record keys; no free text). Listing alerts and deciding on them are a user's, logged in, and
audited (search / alert_decision).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import typer
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from rich.panel import Panel
from rich.table import Table

from app.commands.case import known_at_banner, parse_day, parse_known_at, redact
from app.commands.login import PASSWORD_STDIN, USER, log_in
from app.console import console, register_user_error, user_errors
from app.governance import GovernanceError
from app.governance.service import Governance
from graph.config import load_settings
from graph.connection import open_driver
from queries import alerts as alerts_q
from queries.alerts import AlertError
from queries.patterns import PATTERNS, SweepReport, run_patterns
from queries.settings import load_pattern_config

register_user_error(GovernanceError)
register_user_error(AlertError)

log = logging.getLogger(__name__)
PATTERN_HELP = f"Run only this pattern (repeatable): {', '.join(PATTERNS)}."

patterns_app = typer.Typer(
    help="Pattern detection over the whole graph: alerts for information not shared or not acted on.",
    no_args_is_help=True,
)


def _print_report(report: SweepReport) -> None:
    banner = known_at_banner(report.as_known_at)
    if banner:
        console.print(Panel(banner + " Alerts are not written.", style="bold black on yellow"), markup=False)
    table = Table(title=f"Sweep {report.run_id} as at {report.reference_date}", title_justify="left")
    for col in ("pattern", "findings", "seconds"):
        table.add_column(col)
    for r in report.results:
        table.add_row(r.pattern, str(len(r.findings)), f"{r.seconds:.2f}")
    console.print(table)
    if report.saved:
        s = report.saved
        console.print(
            f"alerts: {s.created} new, {s.updated} seen again ({s.reopened} reopened on new evidence), "
            f"{s.deactivated} no longer seen"
        )
    else:
        console.print("dry run: no alerts written")


def sweep_once(
    patterns: list[str] | None,
    reference: str | None,
    out: Path | None,
    dry_run: bool,
    known_at: str | None = None,
) -> SweepReport:
    at = parse_known_at(known_at)
    settings = load_settings()
    with open_driver(settings) as driver:
        report = run_patterns(
            driver,
            settings.database,
            patterns or None,
            reference_date=parse_day(reference, "--reference-date") or (at.date() if at else None),
            save=not dry_run and at is None,
            as_known_at=at,
        )
    if out is not None:
        out.write_text(
            json.dumps(report.as_dict(content=False), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    return report


@patterns_app.command("run")
@user_errors
def run_command(
    pattern: list[str] | None = typer.Option(None, "--pattern", "-p", help=PATTERN_HELP),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the sweep's JSON report here."),
    reference: str | None = typer.Option(
        None, "--reference-date", help="Run as at this date (default today)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Find, but write no alerts."),
    known_at: str | None = typer.Option(
        None,
        "--as-known-at",
        help="What the sweep would have found on the graph as Jigsaw knew it then (a date means the end of that "
        "day; as at that date unless --reference-date says otherwise). Never writes alerts.",
    ),
) -> None:
    """Run every enabled pattern (or the ones named) over the whole graph once and write their alerts."""
    report = sweep_once(pattern, reference, out, dry_run, known_at)
    _print_report(report)
    if out is not None:
        console.print(f"report: {out}")


@patterns_app.command("schedule")
@user_errors
def schedule_command(
    out_dir: Path | None = typer.Option(
        None, "--out-dir", help="Keep each sweep's JSON report in this folder."
    ),
) -> None:
    """Run the sweep on the cron schedule in patterns.yaml (the scheduler service); Ctrl-C stops it."""
    config = load_pattern_config()
    trigger = CronTrigger.from_crontab(config.schedule_cron, timezone=config.timezone)
    scheduler = BlockingScheduler(timezone=config.timezone)

    def job() -> None:
        try:
            out = None
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                out = out_dir / "latest-sweep.json"
            report = sweep_once(None, None, out, False)
            saved = report.saved
            log.info(
                "sweep %s: %d findings; %s",
                report.run_id,
                len(report.findings),
                f"{saved.created} new, {saved.reopened} reopened" if saved else "not saved",
            )
        except Exception:  # a failed sweep must not stop the schedule; the next one retries
            log.exception("pattern sweep failed")

    scheduler.add_job(
        job, trigger, id="pattern-sweep", max_instances=1, coalesce=True, misfire_grace_time=600
    )
    console.print(
        f"pattern sweep scheduled: '{config.schedule_cron}' ({config.timezone}), config {config.version}"
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        console.print("scheduler stopped")


@patterns_app.command("alerts")
@user_errors
def alerts_command(
    status: list[str] | None = typer.Option(None, "--status", "-s", help="open, acknowledged or closed."),
    pattern: list[str] | None = typer.Option(None, "--pattern", "-p", help="Only this pattern (repeatable)."),
    active_only: bool = typer.Option(False, "--active", help="Only alerts seen in the latest sweep."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """List alerts (audited as a search); summaries the role may not see in full are shown as restricted."""
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    gov.record(
        session, "search", details={"via": "jigsaw patterns alerts", "status": status, "pattern": pattern}
    )
    settings = load_settings()
    with open_driver(settings) as driver:
        found = alerts_q.list_alerts(driver, settings.database, pattern, status, active_only)
    console.print(f"{len(found)} alert(s)")
    for alert in found:
        shown = redact(alerts_q.jsonable(alerts_q.alert_dict(alert)), lambda f: gov.redact(session, f))
        state = alert.status + ("" if alert.active else ", no longer seen")
        # the key on a line of its own, unwrapped: it is what `jigsaw patterns decide` takes
        console.print(alert.alert_key, soft_wrap=True, markup=False)
        console.print(
            f"  child {alert.person_id}; {state}; first seen {str(alert.first_seen)[:16]}, last seen "
            f"{str(alert.last_seen)[:16]}; {len(alert.evidence_keys)} evidence fact(s)",
            markup=False,
        )
        console.print(f"  {shown['summary']}", markup=False)


@patterns_app.command("decide")
@user_errors
def decide_command(
    alert_key: str = typer.Argument(..., help="The alert's key (from `jigsaw patterns alerts`)."),
    status: str = typer.Option(..., "--status", "-s", help="acknowledged, closed, or open (reopen)."),
    reason: str = typer.Option(..., "--reason", "-r", help="Why (kept in the alert's history)."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Acknowledge, close or reopen an alert, with your reason (audited as an alert decision)."""
    if status not in alerts_q.STATUSES:
        raise typer.BadParameter(f"one of {', '.join(alerts_q.STATUSES)}", param_hint="--status")
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    settings = load_settings()
    with open_driver(settings) as driver:
        child = alert_key.split("|")[1] if alert_key.count("|") >= 2 else None
        gov.record(
            session,
            "alert_decision",
            person_id=child,
            details={"alert_key": alert_key, "status": status, "reason": reason},
        )
        alert = alerts_q.set_status(driver, settings.database, alert_key, status, session.username, reason)
    console.print(f"{alert.alert_key}: {alert.status} by {alert.status_by}", markup=False)


@patterns_app.command("evaluate")
@user_errors
def evaluate_command(
    county: Path = typer.Argument(
        ..., help="A synthetic county folder (`jigsaw synth --out`), already ingested."
    ),
    link_truth: bool = typer.Option(
        False,
        "--link-truth",
        help="First link records to the true persons (BENCH GRAPHS ONLY: writes Person nodes).",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the scores as JSON here."),
) -> None:
    """Score every pattern against the county's truth (no alerts): recall over the planted instances, precision
    over the planted and the emergent ones (situations the county's world holds that nobody planted)."""
    from queries import truth

    planted = truth.load_truth(county)
    settings = load_settings()
    with open_driver(settings) as driver:
        if link_truth:
            linked = truth.link_persons_from_truth(driver, settings.database, planted)
            console.print(f"linked {linked:,} records to their true persons (bench graph)")
        report = run_patterns(driver, settings.database, reference_date=planted.reference_date, save=False)
        findings = report.findings
        if not link_truth:
            # the graph's persons are entity resolution's: score them as the true persons their records are
            ids = [x for f in findings for x in (f.person_id, f.anchor)]
            mapping = truth.true_persons(driver, settings.database, planted, ids)
            findings = truth.as_true_persons(findings, mapping)
            console.print(
                f"scoring the graph as resolved: {len(mapping):,} persons in the findings matched to true persons "
                "by their records (--link-truth scores the patterns apart from entity resolution)",
                markup=False,
            )
    scores = truth.evaluate(findings, planted, list(PATTERNS))
    table = Table(
        title=f"Patterns against {county}/truth (as at {planted.reference_date})", title_justify="left"
    )
    for col in ("pattern", "planted", "found", "recall", "emergent found", "findings", "precision", "missed"):
        table.add_column(col, overflow="fold")
    for name, score in scores.items():
        table.add_row(
            name,
            str(len(score.instances)),
            str(len(score.found)),
            "-" if score.recall is None else f"{score.recall:.0%}",
            f"{len(score.emergent_found)}/{len(score.emergent)}" if score.emergent else "-",
            str(score.findings),
            "-" if score.precision is None or not score.instances else f"{score.precision:.0%}",
            ", ".join(score.missed),
        )
    console.print(table)
    console.print(
        "precision: the findings that point at an instance, planted or emergent (a situation the county's world "
        "holds that nobody planted, labelled from the world: ingest/synthetic/emergent.py); recall: planted only",
        markup=False,
    )
    for t, why in truth.NOT_A_SWEEP_PATTERN.items():
        console.print(f"{t}: not a sweep pattern ({why})", markup=False)
    if out is not None:
        out.write_text(
            json.dumps({n: s.as_dict() for n, s in scores.items()}, indent=2) + "\n", encoding="utf-8"
        )


@patterns_app.command("bench")
@user_errors
def bench_command(
    samples: int = typer.Option(200, "--samples", min=1, help="How many random children's pictures to time."),
    reference: str | None = typer.Option(None, "--reference-date", help="As at this date (default today)."),
    no_patterns: bool = typer.Option(False, "--no-patterns", help="Time the pictures only."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the timings as JSON here."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Patterns run at once (default: patterns.yaml's sweep.workers)."
    ),
    baseline: bool = typer.Option(
        False, "--baseline", help="Then run the sweep again one pattern at a time and print the ratio."
    ),
) -> None:
    """Time the case picture (p50/p95 over random children) and each pattern of one sweep (no alerts)."""
    from datetime import date

    from queries import bench

    settings = load_settings()
    with open_driver(settings) as driver:
        result = bench.run(
            driver,
            settings.database,
            parse_day(reference, "--reference-date") or date.today(),
            samples,
            patterns=not no_patterns,
            workers=workers,
            baseline=baseline,
        )
    console.print(
        f"{result.children:,} children; picture over {result.samples} of them: "
        + ", ".join(f"{k} {v} ms" for k, v in result.picture_ms.items()),
        markup=False,
    )
    for name, seconds in result.patterns_s.items():
        console.print(f"  {name}: {seconds} s", markup=False)
    if result.patterns_s:
        console.print(f"full sweep: {result.sweep_s} s ({result.workers} pattern(s) at once)", markup=False)
    if result.one_at_a_time_s is not None:
        console.print(
            f"the same sweep one pattern at a time (baseline, same run): {result.one_at_a_time_s} s; "
            f"{result.speedup} times as fast with {result.workers}",
            markup=False,
        )
    if out is not None:
        out.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
