""" "As known at": the picture, risk and flags as Jigsaw knew them on a past date equal what a fresh graph built
only from the data it had then gives.

A synthetic county's CSV agencies arrive as three cumulative extracts (half the rows, then more rows with
corrections, then everything with more corrections), each ingested with its extract date and resolved. The
same questions asked "as known at" each extract date are compared with a graph built from that extract
alone. Person ids differ between two graphs (they are generated), so people are compared by their records.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd
import pytest
from typer.testing import CliRunner

from app.cli import cli
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.framework import run_ingest
from ingest.registry import plan
from ingest.resolution.engine import ResolutionSettings, resolve
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate
from queries import case, catalog, known_at, patterns
from queries.model import Window
from tests.conftest import CLI_PASSWORD as PASSWORD
from tests.test_patterns_cli import CASE

AGENCIES = ("police", "housing", "probation", "early_help", "third_sector")
REFERENCE = date(2026, 3, 31)
EXTRACTS = {  # extract date -> share of each file's rows the agency had recorded by then
    datetime(2025, 9, 1, tzinfo=UTC): 0.5,
    datetime(2026, 1, 15, tzinfo=UTC): 0.8,
    datetime(2026, 3, 1, tzinfo=UTC): 1.0,
}
# what differs between two graphs of the same knowledge: when Jigsaw learnt it and bookkeeping of the runs
VOLATILE = {"learnt_at", "first_learnt_at", "valid_from", "ingest_run_id", "linked_at", "in_force_from",
            "run_id", "history", "updated_at"}  # fmt: skip
runner = CliRunner()
PERSON_ID = re.compile(r"P-[0-9a-f]{32}")


def _correct(frame: pd.DataFrame, name: str, share: float) -> pd.DataFrame:
    """An agency's corrections by the time of the extract with this share of rows: DASH grades reassessed,
    summaries rewritten, relationships and occupancies ended, a name corrected."""
    if share < 0.8:
        return frame
    out = frame.copy()
    step = 7 if share < 1.0 else 5
    rows = out.index[: int(len(out) * 0.5)][::step]  # rows the first extract already had
    if name == "occurrences.csv":
        half = out.index[: int(len(out) * 0.5)]
        da = [i for i in half if out.at[i, "occurrence_type"] == "da_incident"]
        out.loc[da[:: 2 if share < 1.0 else 3], "dash_grade"] = "high" if share < 1.0 else "medium"
        out.loc[rows, "summary"] = out.loc[rows, "summary"].fillna("").astype(str) + f" (corrected {share})"
    elif name == "person_links.csv":
        out.loc[rows, "to_date"] = "2025-10-01" if share < 1.0 else "2025-11-15"
    elif name == "occupants.csv":
        out.loc[rows, "to_date"] = "2025-12-01"
    elif name == "persons.csv":
        out.loc[rows[:3], "surname"] = out.loc[rows[:3], "surname"].astype(str) + "-Corrected"
    return out


def _withdraw(occurrences: pd.DataFrame, notice: Path) -> pd.DataFrame:
    """The force withdraws incidents entered in error: a notice, and the rows gone from the extract."""
    gone = occurrences.iloc[1 : len(occurrences) // 2 : 10]
    notice.parent.mkdir(exist_ok=True)
    pd.DataFrame(
        {
            "withdrawal_id": [f"W{i}" for i in range(len(gone))],
            "source_table": "occurrences",
            "source_record_id": gone["occurrence_id"].tolist(),
            "withdrawn_date": "2026-02-20",
            "reason": "entered in error",
            "recorded_date": "2026-02-20",
            "recorded_by_role": "Information management",
            "basis": "fact",
        }
    ).to_csv(notice, index=False)
    return occurrences.drop(gone.index)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory: pytest.TempPathFactory) -> dict[datetime, Path]:
    county = tmp_path_factory.mktemp("county")
    generate(SynthConfig(children=60, seed=11, out=county, reference_date=REFERENCE))
    out = {}
    for at, share in EXTRACTS.items():
        folder = tmp_path_factory.mktemp(f"extract-{at:%Y%m%d}")
        for agency in AGENCIES:
            for path in sorted((county / agency).glob("*.csv")):
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
                frame = _correct(frame.iloc[: int(len(frame) * share)], path.name, share)
                if share == 1.0 and path.name == "occurrences.csv":
                    frame = _withdraw(frame, folder / agency / "withdrawals.csv")
                (folder / agency).mkdir(exist_ok=True)
                frame.to_csv(folder / agency / path.name, index=False)
        out[at] = folder
    return out


def _empty(driver: neo4j.Driver, db: str) -> None:
    with driver.session(database=db) as session:  # CALL ... IN TRANSACTIONS needs an auto-commit transaction
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()


def _load(driver: neo4j.Driver, db: str, folder: Path, at: datetime, work: Path) -> None:
    import ingest.adapters  # noqa: F401  (registers the adapters)

    chosen, unknown = plan([folder / a for a in AGENCIES])
    assert not unknown, unknown
    run_ingest(chosen, GraphWriter(driver, db), work / "quarantine", learnt_at=at)
    # deterministic rules only: the comparison is about what was known, not about a model's training sample
    settings = ResolutionSettings(data_dir=work / "resolution", reference_date=REFERENCE,
                                  min_records_to_train=10**9, run_by="test")  # fmt: skip
    resolve(driver, db, settings)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _unordered(value: Any) -> Any:
    """Lists in a canonical order: where two graphs order people by their (different) ids."""
    if isinstance(value, dict):
        return {k: _unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _view(reader: catalog.Reader, db: str) -> dict[str, Any]:
    """Every child's case (picture, chronology, risk, hidden adults, linked children) and the pattern findings,
    with person ids replaced by the person's first record key."""
    children = [
        r["person_id"]
        for r in catalog.read(
            reader, db, "find_children", {"born_after": date(2008, 3, 31), "reference_date": REFERENCE}
        )
    ]
    everyone = catalog.read(reader, db, "find_person_records", {"person_ids": _all_person_ids(reader, db)})
    name = {r["person_id"]: min(x["record_key"] for x in r["records"]) for r in everyone if r["records"]}
    window = Window(date(2019, 1, 1), REFERENCE, REFERENCE)
    cases = {pid: case.case_report(reader, db, pid, window) for pid in children}
    text = json.dumps(_scrub(cases), sort_keys=True, default=str)
    canonical = _unordered(json.loads(PERSON_ID.sub(lambda m: name.get(m.group(0), "unmatched"), text)))
    return {
        "cases": canonical,
        "persons": sorted(sorted(x["record_key"] for x in r["records"]) for r in everyone),
    }


def _all_person_ids(reader: catalog.Reader, db: str) -> list[str]:
    query = "MATCH (p:Person) RETURN p.person_id AS id"
    if isinstance(reader, neo4j.Driver):
        return [r["id"] for r in reader.execute_query(query, database_=db).records]
    return [r["id"] for r in reader.run(query)]


def _findings(report: patterns.SweepReport, name: dict[str, str]) -> list[Any]:
    text = json.dumps(_scrub(report.as_dict()["alerts"]), sort_keys=True, default=str)
    found: list[Any] = _unordered(
        json.loads(PERSON_ID.sub(lambda m: name.get(m.group(0), "unmatched"), text))
    )
    return found


def _names(reader: catalog.Reader, db: str) -> dict[str, str]:
    rows = catalog.read(reader, db, "find_person_records", {"person_ids": _all_person_ids(reader, db)})
    return {r["person_id"]: min(x["record_key"] for x in r["records"]) for r in rows if r["records"]}


@pytest.fixture(scope="module")
def fresh(
    extracts: dict[datetime, Path], driver: neo4j.Driver, neo4j_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[datetime, tuple[dict[str, Any], list[Any]]]:  # fmt: skip
    """For each extract date: the view and the findings of a graph built from that extract alone."""
    db = neo4j_settings.database
    out = {}
    for at, folder in extracts.items():
        _empty(driver, db)
        _load(driver, db, folder, at, tmp_path_factory.mktemp("fresh"))
        report = patterns.run_patterns(driver, db, reference_date=REFERENCE, save=False)
        out[at] = (_view(driver, db), _findings(report, _names(driver, db)))
    return out


@pytest.fixture(scope="module")
def history(
    extracts: dict[datetime, Path], driver: neo4j.Driver, neo4j_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory, fresh: Any,
) -> neo4j.Driver:  # fmt: skip
    """One graph that learnt the three extracts in turn (ingest and resolve after each)."""
    db = neo4j_settings.database
    _empty(driver, db)
    work = tmp_path_factory.mktemp("history")
    for at, folder in extracts.items():
        _load(driver, db, folder, at, work)
    return driver


def test_the_history_holds_corrections_as_closed_versions(
    history: neo4j.Driver, neo4j_settings: Settings
) -> None:
    rows, _, _ = history.execute_query(
        "MATCH (v:RecordVersion) RETURN v.version_of STARTS WITH 'OC' OR v.version_of CONTAINS '|occurrences|' AS fact,"
        " v.version_of STARTS WITH 'RELATED_TO|' AS link, count(*) AS n",
        database_=neo4j_settings.database,
    )
    kinds = {(r["fact"], r["link"]): r["n"] for r in rows}
    assert kinds.get((True, False), 0) > 0, kinds  # corrected incidents
    assert kinds.get((False, True), 0) > 0, kinds  # ended relationships


@pytest.mark.parametrize("at", list(EXTRACTS), ids=lambda d: f"{d:%Y-%m-%d}")
def test_as_known_at_each_extract_date_equals_a_graph_of_that_extract_alone(
    at: datetime, history: neo4j.Driver, neo4j_settings: Settings, fresh: dict[datetime, Any]
) -> None:
    db = neo4j_settings.database
    want_view, want_findings = fresh[at]
    assert want_view["cases"], "the extract gives no children: the comparison would prove nothing"
    with known_at.known_at(history, db, known_at.as_known_at(at.date())) as (reader, done):
        assert done is not None
        got_view = _view(reader, db)
    report = patterns.run_patterns(
        history, db, reference_date=REFERENCE, save=False, as_known_at=known_at.as_known_at(at.date())
    )
    with known_at.known_at(history, db, known_at.as_known_at(at.date())) as (reader, _):
        names = _names(reader, db)
    assert got_view["persons"] == want_view["persons"]
    assert got_view["cases"].keys() == want_view["cases"].keys()
    differ = [c for c, w in want_view["cases"].items() if got_view["cases"][c] != w]
    assert not differ, f"children whose case as known at {at:%Y-%m-%d} differs from a fresh graph's: {differ}"
    assert _findings(report, names) == want_findings
    assert report.as_dict()["as_known_at"] is not None
    assert report.workers == 1  # one transaction holds the graph as known then: its patterns run in turn


def test_the_corrections_change_cases_so_the_comparison_can_fail(fresh: dict[datetime, Any]) -> None:
    """The second and third extracts hold the same children with corrected facts and ended relationships: their
    cases differ, so a rewind that kept the newer versions would fail the comparison above."""
    second, third = (fresh[at][0]["cases"] for at in list(EXTRACTS)[1:])
    both = second.keys() & third.keys()
    assert both
    assert any(second[c]["risk"] != third[c]["risk"] for c in both)  # DASH grades reassessed
    assert any(second[c]["chronology"] != third[c]["chronology"] for c in both)


def test_nothing_done_to_show_the_past_is_kept(history: neo4j.Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.database
    count = "MATCH (n) RETURN count(n) AS n, sum(size(keys(n))) AS k"
    before = history.execute_query(count, database_=db).records[0]
    with known_at.known_at(history, db, known_at.as_known_at("2025-09-01")) as (_, done):
        assert done is not None and done.changes > 0
    after = history.execute_query(count, database_=db).records[0]
    assert (after["n"], after["k"]) == (before["n"], before["k"])


def test_a_rewind_too_large_is_refused_with_a_clear_message(
    history: neo4j.Driver, neo4j_settings: Settings
) -> None:
    with pytest.raises(known_at.TooMuchToRewind, match="Choose a later time"):
        with known_at.known_at(
            history, neo4j_settings.database, known_at.as_known_at("2025-09-01"), max_changes=10
        ):
            pass


def test_a_date_means_the_end_of_that_day() -> None:
    assert known_at.as_known_at("2026-03-01") == datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
    assert known_at.as_known_at("2026-03-01T09:00") == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        known_at.as_known_at("last Tuesday")


@pytest.fixture(scope="module")
def corrected_child(
    history: neo4j.Driver, neo4j_settings: Settings, extracts: dict[datetime, Path]
) -> tuple[str, Window, set[str]]:
    """A child with an incident whose DASH grade the third extract reassessed, and those incidents' fact keys."""
    second, third = (
        pd.read_csv(extracts[at] / "police" / "occurrences.csv", dtype=str, keep_default_na=False).set_index(
            "occurrence_id"
        )["dash_grade"]
        for at in list(EXTRACTS)[1:]
    )
    regraded = {
        f"police|occurrences|{i}" for i in second.index.intersection(third.index) if second[i] != third[i]
    }
    assert regraded
    db = neo4j_settings.database
    window = Window(date(2019, 1, 1), REFERENCE, REFERENCE)
    params = {"born_after": date(2008, 3, 31), "reference_date": REFERENCE}
    for row in catalog.read(history, db, "find_children", params):
        now = case.case_report(history, db, row["person_id"], window)
        if regraded & {e["fact_key"] for e in now["chronology"]}:
            return row["person_id"], window, regraded
    raise AssertionError("no child's picture holds a regraded incident")


def test_jigsaw_case_as_known_at_is_bannered_audited_and_shows_the_past(
    history: neo4j.Driver,
    neo4j_settings: Settings,
    cli_home: Path,
    corrected_child: tuple[str, Window, set[str]],
) -> None:
    child, window, regraded = corrected_child
    second = list(EXTRACTS)[1].date().isoformat()
    args = ["case", child, "--as-known-at", second, "--reference-date", REFERENCE.isoformat(),
            "--from", window.start.isoformat(), "--user", "sup1", "--password-stdin", *CASE]  # fmt: skip
    result = runner.invoke(cli, [*args, "--json"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    then = json.loads(result.output)
    assert then["as_known_at"].startswith(second) and then["rewound"]
    now = case.case_report(history, neo4j_settings.database, child, window)
    assert then["risk"]["score"] != now["risk"]["score"]
    grade = {c["fact"]["fact_key"]: c["label"] for c in then["risk"]["contributions"]}
    grade_now = {c["fact"]["fact_key"]: c["label"] for c in now["risk"]["contributions"]}
    assert any(grade.get(k) != grade_now.get(k) for k in regraded & grade_now.keys())
    entry = [json.loads(x) for x in (cli_home / "governance" / "audit.jsonl").read_text().splitlines()][-1]
    assert entry["action"] == "case_view" and entry["details"]["as_known_at"].startswith(second)
    shown = runner.invoke(cli, args, input=PASSWORD + "\n")
    assert shown.exit_code == 0, shown.output
    assert "AS KNOWN AT" in shown.output and "not the current picture" in shown.output
    bad = runner.invoke(cli, [*args[:2], "--as-known-at", "last week", *args[4:]], input=PASSWORD + "\n")
    assert bad.exit_code != 0 and "not a date" in bad.output and "Traceback" not in bad.output


def test_jigsaw_changes_lists_the_corrections_by_agency_with_when_they_were_learnt(
    history: neo4j.Driver,
    cli_home: Path,
    corrected_child: tuple[str, Window, set[str]],
    extracts: dict[datetime, Path],
) -> None:
    child, _, regraded = corrected_child
    second, third = (d.date().isoformat() for d in list(EXTRACTS)[1:])
    args = ["changes", child, "--since", second, "--until", third, "--reference-date", REFERENCE.isoformat(),
            "--user", "sup1", "--password-stdin", *CASE]  # fmt: skip
    result = runner.invoke(cli, [*args, "--json"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    corrected = [c for c in report["changes"] if c["kind"] == "corrected"]
    assert {c["after"]["fact_key"] for c in corrected if "dash_grade" in c["fields"]} & regraded, corrected
    withdrawn = [c for c in report["changes"] if c["kind"] == "withdrawn"]
    notice = pd.read_csv(extracts[list(EXTRACTS)[2]] / "police" / "withdrawals.csv", dtype=str)
    gone = {f"police|occurrences|{i}" for i in notice["source_record_id"]}
    assert all(c["after"] is None and c["before"]["fact_key"] in gone for c in withdrawn), withdrawn
    for c in corrected:
        assert c["before"]["fact_key"] == c["after"]["fact_key"]
        if set(c["fields"]) - {"people"}:  # the fact itself was corrected: learnt with the third extract
            assert c["learnt_at"].startswith(third), c
        else:  # only someone newly named on it: the fact's own version is older
            assert c["learnt_at"] <= third, c
    shown = runner.invoke(cli, args, input=PASSWORD + "\n")
    assert shown.exit_code == 0 and "police" in shown.output and "corrected" in shown.output
    backwards = runner.invoke(
        cli, [*args[:2], "--since", third, "--until", second, *args[6:]], input=PASSWORD + "\n"
    )
    assert backwards.exit_code != 0 and "must be after --since" in backwards.output


def test_jigsaw_patterns_run_as_known_at_reports_and_writes_no_alerts(
    history: neo4j.Driver, neo4j_settings: Settings, cli_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "then.json"
    first = list(EXTRACTS)[0].date().isoformat()
    result = runner.invoke(cli, ["patterns", "run", "--as-known-at", first, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "AS KNOWN AT" in result.output and "no alerts written" in result.output
    report = json.loads(out.read_text())
    assert report["as_known_at"].startswith(first) and report["saved"] is None
    assert sum(p["findings"] for p in report["patterns"].values()) > 0
    alerts = history.execute_query("MATCH (a:Alert) RETURN count(a) AS n", database_=neo4j_settings.database)
    assert alerts.records[0]["n"] == 0


def test_putting_back_is_tried_again_when_the_server_ends_it_for_a_lock(
    history: neo4j.Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real, calls = known_at.rewind, []

    def deadlocked_once(
        tx: neo4j.Transaction, database: str, at: datetime, max_changes: int
    ) -> known_at.Rewind:
        calls.append(at)
        if len(calls) == 1:
            raise neo4j.exceptions.TransientError(
                "ForsetiClient can't acquire ExclusiveLock: deadlock detected"
            )
        return real(tx, database, at, max_changes)

    monkeypatch.setattr(known_at, "rewind", deadlocked_once)
    with known_at.known_at(history, neo4j_settings.database, known_at.as_known_at("2025-09-01")) as (_, done):
        assert done is not None and done.changes > 0
    assert len(calls) == 2
