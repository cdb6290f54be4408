"""`jigsaw resolve`, `jigsaw review` and `jigsaw export links`: entity resolution and its review queue."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from app.commands.login import GATEWAY, PASSWORD_STDIN, PURPOSE, USER, log_in
from app.console import console, register_user_error, user_errors
from app.governance import Governance, GovernanceError, access_purpose
from graph.config import load_settings
from graph.connection import open_driver
from ingest.resolution import (
    DecisionRefused,
    ResolutionError,
    ResolutionSettings,
    decide,
    export_links,
    resolve,
    review_detail,
    review_queue,
    split_record,
)

register_user_error(ResolutionError)
register_user_error(DecisionRefused)
register_user_error(GovernanceError)

review_app = typer.Typer(
    help="The review queue: pairs of records that may be the same person, for an analyst to decide.",
    no_args_is_help=True,
)
export_app = typer.Typer(help="Export what Jigsaw resolved.", no_args_is_help=True)


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-03-01") from None


def _quiet_splink(verbose: bool) -> None:
    # Splink logs every training step at INFO; the report below says what matters
    logging.getLogger("splink").setLevel(logging.INFO if verbose else logging.WARNING + 5)


@user_errors
def resolve_command(
    upper: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Link pairs at or above this match probability."
    ),
    lower: float | None = typer.Option(
        None, min=0.0, max=1.0, help="Send pairs between this and --upper to review."
    ),
    retrain: bool = typer.Option(False, help="Train a new model version even when one exists."),
    model: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="Use this trained model (JSON)."
    ),
    reference_date: str | None = typer.Option(
        None, help="Judge child or adult at this date (default today)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show Splink's training log."),
) -> None:
    """Link every agency record to one person: identifiers first, then the probabilistic model.

    Pairs above --upper are linked; pairs between --lower and --upper go to `jigsaw review`. Analysts'
    decisions are respected, person ids stay stable, and a re-run on the same data changes nothing.
    """
    settings = load_settings()
    _quiet_splink(verbose)
    try:
        res = ResolutionSettings.from_settings(
            settings, upper=upper, lower=lower, retrain=retrain or None, model_file=model,
            reference_date=_date(reference_date),
        )  # fmt: skip
    except ValueError as exc:
        raise ResolutionError(str(exc)) from exc
    with open_driver(settings) as driver, console.status("resolving") as status:
        report = resolve(driver, settings.database, res, progress=lambda s: status.update(s))
    table = Table(title=f"resolution run {report.run_id}", show_header=False)
    rows = [
        ("records", report.records),
        ("persons", report.persons),
        ("persons created / updated / retired",
         f"{report.persons_created} / {report.persons_updated} / {report.persons_retired}"),
        ("links written / unchanged", f"{report.links_written} / {report.links_unchanged}"),
        ("pairs by identifiers", report.deterministic_pairs),
        ("pairs by name and a shared relative", report.relational_pairs),
        ("pairs scored by the model", report.scored_pairs if report.probabilistic else "model not used"),
        ("reviews pending / new / withdrawn",
         f"{report.reviews_pending} / {report.reviews_new} / {report.reviews_withdrawn}"),
        ("identifier conflicts", report.conflicts),
        ("model", f"v{report.model_version}{' (trained now)' if report.model_trained else ''}"
         if report.model_version else "none"),
        ("seconds", report.total_seconds),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, str(value))
    for reason, n in sorted(report.blocked.items()):
        table.add_row(f"kept apart: {reason}", str(n))
    for stage, seconds in report.seconds.items():  # what a data team sizing the nightly run looks at
        peak = report.peak_rss_mb.get(stage)
        table.add_row(f"seconds {stage}", f"{seconds:.1f}" + (f" (peak {peak:,.0f} MiB)" if peak else ""))
    console.print(table)
    for kind, value, n in report.suspicious_identifiers:
        console.print(f"[yellow]ignored {kind} {value}[/]: on {n} records, a placeholder or a data error")
    if report.reviews_pending:
        console.print(f"{report.reviews_pending} pairs wait for an analyst: `jigsaw review list`")


@review_app.command("list")
@user_errors
def review_list(
    status: str = typer.Option("pending", help="pending, conflict, confirmed, rejected or withdrawn."),
    limit: int = typer.Option(50, min=1, help="How many, most probable first."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """List reviews: id, probability, the two records (name, date of birth, agency). Needs a login with the
    review_matches permission; audited as a search."""
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    gov.require(session, "review_matches")
    gov.record(session, "search", details={"via": "jigsaw review list", "status": status, "limit": limit})
    settings = load_settings()
    with open_driver(settings) as driver:
        items = review_queue(driver, settings.database, status, limit)
    if not items:
        console.print(f"no {status} reviews")
        return
    table = Table(title=f"{status} reviews")
    for col in ("id", "p", "record A", "record B", "agreeing fields"):
        table.add_column(col)
    for item in items:
        prob = "" if item.probability is None else f"{item.probability:.3f}"
        table.add_row(
            item.review_id, prob,
            f"{item.left_name} {item.left_dob or '?'} ({item.left_agency})",
            f"{item.right_name} {item.right_dob or '?'} ({item.right_agency})",
            ", ".join(item.matched_fields) or (item.reason or ""),
        )  # fmt: skip
    console.print(table)


@review_app.command("show")
@user_errors
def review_show(
    review: str = typer.Argument(..., help="A review id (R-...) or pair key."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """Show a pair side by side, the comparison that scored it, and earlier decisions. Needs a login with the
    review_matches permission, a purpose and a legal gateway; audited as a consultation before anything is read."""
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    gov.require(session, "review_matches")
    gov.record(
        session, "search", purpose=access_purpose(purpose, gateway),
        details={"via": "jigsaw review show", "review": review},
    )  # fmt: skip
    settings = load_settings()
    with open_driver(settings) as driver:
        detail = review_detail(driver, settings.database, review)
    r = detail.review
    prob = r.get("probability")
    console.print(
        f"[bold]{r['review_id']}[/] status {r['status']}" + (f", p={prob:.4f}" if prob is not None else "")
    )
    if r.get("reason"):
        console.print(f"reason: {r['reason']}")
    fields = ("record_key", "person_id", "given_name", "family_name", "other_names", "date_of_birth",
              "expected_date_of_birth", "sex", "nhs_number", "upn", "la_child_id", "pnc_id", "postcode",
              "address_line", "history_postcodes")  # fmt: skip
    table = Table()
    table.add_column("field")
    for _ in detail.records:
        table.add_column("record")
    for name in fields:
        values = [rec.get(name) for rec in detail.records]
        if any(v not in (None, [], "") for v in values):
            table.add_row(name, *("" if v is None else str(v) for v in values))
    console.print(table)
    if detail.comparison:
        comp = Table(title="comparison")
        for col in ("comparison", "level", "weight"):
            comp.add_column(col)
        for name, c in detail.comparison.items():
            comp.add_row(
                name, ("[green]" if c.get("agrees") else "") + str(c.get("level")), str(c.get("match_weight"))
            )
        console.print(comp)
    for h in detail.history:
        console.print(f"earlier: {json.dumps(h, default=str)}")
    if r.get("decided_by"):
        console.print(f"decided by {r['decided_by']} at {r.get('decided_at')}: {r.get('decision_reason')}")


def _decision_session(
    user: str, password_stdin: bool, purpose: str, gateway: str, details: dict[str, str]
) -> str:
    """Log in and record the match decision before it is made (no record, no decision); the decision is made
    in the logged-in user's name."""
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    gov.record(session, "match_decision", purpose=access_purpose(purpose, gateway),
               details={"via": "jigsaw review", **details})  # fmt: skip
    return session.username


def _decide(review: str, decision: str, reason: str, by: str) -> None:
    settings = load_settings()
    guards = ResolutionSettings.from_settings(settings).guards
    with open_driver(settings) as driver:
        result = decide(driver, settings.database, review, decision, by, reason, guards=guards)
    console.print(result.message)


@review_app.command("confirm")
@user_errors
def review_confirm(
    review: str = typer.Argument(..., help="A review id (R-...) or pair key."),
    reason: str = typer.Option(..., help="Why they are the same person (recorded)."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """The two records are the same person: join their persons now and in every later run."""
    details = {"review": review, "decision": "confirm", "reason": reason}
    by = _decision_session(user, password_stdin, purpose, gateway, details)
    _decide(review, "confirm", reason, by)


@review_app.command("reject")
@user_errors
def review_reject(
    review: str = typer.Argument(..., help="A review id (R-...) or pair key."),
    reason: str = typer.Option(..., help="Why they are different people (recorded)."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """The two records are different people: never join them."""
    details = {"review": review, "decision": "reject", "reason": reason}
    by = _decision_session(user, password_stdin, purpose, gateway, details)
    _decide(review, "reject", reason, by)


@review_app.command("split")
@user_errors
def review_split(
    record_key: str = typer.Argument(..., help="The record to take out of its person (agency|table|id)."),
    reason: str = typer.Option(..., help="Why it is not that person (recorded)."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """Undo a merge: take a record out of its person into a new one, now and in every later run."""
    details = {"record_key": record_key, "decision": "split", "reason": reason}
    by = _decision_session(user, password_stdin, purpose, gateway, details)
    settings = load_settings()
    with open_driver(settings) as driver:
        result = split_record(driver, settings.database, record_key, by, reason)
    console.print(result.message)


@export_app.command("links")
@user_errors
def export_links_command(
    out: Path = typer.Option(..., "--out", help="The CSV file to write."),
    user: str = USER,
    password_stdin: bool = PASSWORD_STDIN,
    purpose: str = PURPOSE,
    gateway: str = GATEWAY,
) -> None:
    """One row per source record: agency, source record id, record key, person id, probability, method. Needs a
    login with the export permission, a purpose and a legal gateway; audited as a disclosure."""
    gov = Governance.open()
    session = log_in(gov, user, password_stdin)
    gov.record(session, "export", purpose=access_purpose(purpose, gateway),
               details={"via": "jigsaw export links", "out": str(out)})  # fmt: skip
    settings = load_settings()
    with open_driver(settings) as driver:
        n = export_links(driver, settings.database, out)
    console.print(f"wrote {n} links to {out}")


@user_errors
def resolve_bench_command(
    children: int = typer.Option(10_000, min=50, help="Children in the synthetic county."),
    seed: int = typer.Option(1, help="Seed of the synthetic county."),
    county: Path | None = typer.Option(
        None, help="Generate the county here and keep it (default: a temporary folder)."
    ),
    reuse_county: bool = typer.Option(
        False, help="Use the county already in --county instead of generating one."
    ),
    skip_load: bool = typer.Option(False, help="The graph already holds this county: only resolve."),
    full_ingest: bool = typer.Option(False, help="Load the facts too (default: only what resolution reads)."),
    out: Path | None = typer.Option(None, help="Also write the figures to this JSON file."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before clearing the graph."),
) -> None:
    """Benchmark entity resolution: CLEARS THE GRAPH, loads the synthetic county, resolves, and measures
    pairwise precision and recall against the county's truth and the wall time (a new model is trained)."""
    import shutil
    import tempfile
    import time

    from app.commands.db import ensure_server_and_schema
    from ingest.resolution.bench import (
        TARGET_PRECISION,
        TARGET_RECALL,
        run_resolve_bench,
        write_json,
    )
    from ingest.synthetic.config import SynthConfig
    from ingest.synthetic.generate import generate

    settings = load_settings()
    if reuse_county and county is None:
        raise typer.BadParameter("--reuse-county needs --county DIR")
    if not skip_load and not yes:
        typer.confirm(
            f"This deletes every node of database {settings.database!r} on "
            f"{settings.uri or f'the local server in {settings.server.data_dir}'}. Go on?",
            abort=True,
        )
    _quiet_splink(False)
    ensure_server_and_schema(quiet=True)
    folder = county or Path(tempfile.mkdtemp(prefix="jigsaw-resolve-bench-"))
    try:
        generate_seconds = None
        if not reuse_county and not skip_load:
            console.print(f"generating a county of {children:,} children in {folder} ...")
            t0 = time.perf_counter()
            generate(SynthConfig(children=children, seed=seed, out=folder))
            generate_seconds = time.perf_counter() - t0
        res = ResolutionSettings.from_settings(settings, retrain=True)
        with open_driver(settings) as driver:
            result = run_resolve_bench(
                driver, settings.database, folder, res, children, seed, load=not skip_load,
                full_ingest=full_ingest, generate_seconds=generate_seconds, progress=console.print,
            )  # fmt: skip
    finally:
        if county is None:
            shutil.rmtree(folder, ignore_errors=True)
    table = Table(title=f"resolution benchmark: {children:,} children (seed {seed})", show_header=False)
    ok, missed = "[green]met[/]", "[red]missed[/]"
    rows = [
        ("source records (in truth)", f"{result.records:,} ({result.truth_records:,})"),
        ("persons (true)", f"{result.persons:,} ({result.true_persons:,})"),
        ("pairwise precision", f"{result.precision:.4f} (target {TARGET_PRECISION}: {ok if result.meets_precision else missed})"),
        ("pairwise recall", f"{result.recall:.4f} (target {TARGET_RECALL}: {ok if result.meets_recall else missed})"),
        ("pairs predicted / true / correct", f"{result.predicted_pairs:,} / {result.true_pairs:,} / {result.correct_pairs:,}"),
        ("resolve wall time", f"{result.resolve_seconds:.1f} s (budget {result.time_budget:.0f} s: "
                              f"{ok if result.meets_time else missed})"),
        ("reviews pending, identifier conflicts", f"{result.reviews_pending:,}, {result.conflicts:,}"),
        ("load (not timed as resolution)", f"{result.load_seconds:.1f} s" if result.load_seconds else "skipped"),
        ("peak memory of this process", f"{result.peak_rss_mb:,.0f} MB"),
    ]  # fmt: skip
    for name, value in rows:
        table.add_row(name, value)
    for stage, secs in result.stage_seconds.items():
        peak = result.stage_peak_rss_mb.get(stage)
        table.add_row(f"  {stage}", f"{secs:.1f} s" + (f" (peak {peak:,.0f} MiB)" if peak else ""))
    console.print(table)
    if out is not None:
        write_json(result, out)
        console.print(f"figures written to {out}")


def register(cli: typer.Typer) -> None:
    """Add entity resolution's commands to the `jigsaw` CLI (resolve, review ..., export links,
    resolve-bench)."""
    cli.command("resolve")(resolve_command)
    cli.add_typer(review_app, name="review")
    cli.add_typer(export_app, name="export")
    cli.command("resolve-bench")(resolve_bench_command)
