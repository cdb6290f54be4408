"""`jigsaw patterns run/alerts/decide` and `jigsaw case` end to end: the real server, a temporary data dir, a
logged-in user, the audit trail, and redaction by role."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest
from typer.testing import CliRunner

from app.cli import cli
from graph.config import Settings
from queries import alerts
from queries.patterns import PATTERNS
from tests.conftest import CLI_PASSWORD as PASSWORD
from tests.test_patterns import build_case_5
from tests.test_queries_graphkit import Kit

runner = CliRunner()
CASE = ["--purpose", "MASH strategy discussion for the unborn baby", "--gateway", "CA1989_S47"]


@pytest.fixture()
def home(cli_home: Path) -> Path:
    return cli_home


def audit(home: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (home / "governance" / "audit.jsonl").read_text().splitlines()]


def test_patterns_run_writes_alerts_and_a_report_of_identifiers_only(
    graph: neo4j.Driver, neo4j_settings: Settings, home: Path, tmp_path: Path
) -> None:
    kit = Kit()
    keys = build_case_5(kit)
    kit.write(graph, neo4j_settings)
    out = tmp_path / "alerts.json"
    args = ["patterns", "run", "--reference-date", "2026-01-31", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    report = json.loads(out.read_text())
    assert report["patterns"]["hidden_adult"]["findings"] == 1
    [alert] = report["alerts"]
    assert (alert["pattern"], alert["person_id"], alert["anchor"]) == ("hidden_adult", "BABY", "FATHER")
    assert [e["fact_key"] for e in alert["evidence"]] == [
        keys["marker"],
        keys["da2"],
        keys["da1"],
        keys["booking"],
    ]
    assert all("summary" not in e for e in alert["evidence"]) and "summary" not in alert
    father = next(p for p in alert["people"] if p["person_id"] == "FATHER")
    assert father["record_keys"] == ["health|persons|HE-FATHER-3", "police|persons|PO-FATHER-4"]
    again = runner.invoke(cli, args[:-2])
    assert again.exit_code == 0 and "0 new, 1 seen again" in again.output
    assert len(alerts.list_alerts(graph, neo4j_settings.database)) == 1


def test_patterns_bench_times_the_sweep_with_workers_and_one_at_a_time_in_the_same_run(
    graph: neo4j.Driver, neo4j_settings: Settings, home: Path, tmp_path: Path
) -> None:
    kit = Kit()
    build_case_5(kit)
    kit.write(graph, neo4j_settings)
    out = tmp_path / "bench.json"
    args = ["patterns", "bench", "--samples", "1", "--reference-date", "2026-01-31", "--workers", "2"]
    result = runner.invoke(cli, [*args, "--baseline", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "2 pattern(s) at once" in result.output
        and "one pattern at a time (baseline, same run)" in result.output
    )
    figures = json.loads(out.read_text())
    assert figures["workers"] == 2 and figures["one_at_a_time_s"] > 0 and figures["sweep_s"] > 0
    assert set(figures["patterns_s"]) == set(figures["one_at_a_time_patterns_s"]) == set(PATTERNS)
    assert figures["speedup"] == round(figures["one_at_a_time_s"] / figures["sweep_s"], 2)
    plain = runner.invoke(cli, ["patterns", "bench", "--samples", "1", "--reference-date", "2026-01-31"])
    assert plain.exit_code == 0 and "baseline" not in plain.output, plain.output
    refused = runner.invoke(cli, [*args[:-1], "0"])
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def test_case_is_audited_before_anything_is_read_and_redacted_by_role(
    graph: neo4j.Driver, neo4j_settings: Settings, home: Path
) -> None:
    kit = Kit()
    keys = build_case_5(kit)
    kit.write(graph, neo4j_settings)
    assert runner.invoke(cli, ["patterns", "run", "--reference-date", "2026-01-31"]).exit_code == 0
    base = ["case", "BABY", "--json", "--reference-date", "2026-01-31", "--password-stdin", *CASE]
    result = runner.invoke(cli, [*base, "--user", "sup1"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    case = json.loads(result.output)
    assert case["person"]["unborn"] is True and case["risk"]["suggestion_label"].startswith("Suggested")
    father = next(h for h in case["hidden_adults"] if h["person_id"] == "FATHER")
    assert father["hidden"] and father["absent_from"] == ["csc"]
    assert [h["fact"]["fact_key"] for h in father["history"]] == [keys["marker"], keys["da2"], keys["da1"]]
    assert father["history"][0]["label"].startswith("Domestic abuse perpetrator")
    assert [a["pattern"] for a in case["alerts"]] == ["hidden_adult"]
    assert keys["booking"] in [e["fact_key"] for e in case["chronology"]]
    entry = audit(home)[-1]
    assert (entry["action"], entry["user"], entry["person_id"]) == ("case_view", "sup1", "BABY")
    assert (
        entry["purpose"] == "MASH strategy discussion for the unborn baby"
        and entry["gateway"] == "CA1989_S47"
    )
    # a health practitioner sees police facts only in summary: no content, and no labels built from them
    nurse = runner.invoke(cli, [*base, "--user", "nurse1"], input=PASSWORD + "\n")
    assert nurse.exit_code == 0, nurse.output
    seen = json.loads(nurse.output)
    father = next(h for h in seen["hidden_adults"] if h["person_id"] == "FATHER")
    assert all(h["fact"]["restricted"] and h["label"] == "(restricted)" for h in father["history"])
    booking = next(e for e in seen["chronology"] if e["fact_key"] == keys["booking"])
    assert booking["restricted"] is False and booking["summary"]
    assert seen["alerts"][0]["summary"] == "(restricted)"
    assert "da_perpetrator" not in nurse.output and "Domestic abuse" not in nurse.output


def test_case_refuses_a_wrong_password_or_a_consent_gateway_and_shows_nothing(
    graph: neo4j.Driver, neo4j_settings: Settings, home: Path
) -> None:
    kit = Kit()
    build_case_5(kit)
    kit.write(graph, neo4j_settings)
    wrong = runner.invoke(cli, ["case", "BABY", "--user", "sup1", "--password-stdin", *CASE], input="nope\n")
    assert wrong.exit_code == 1 and "FATHER" not in wrong.output
    consent = runner.invoke(
        cli,
        ["case", "BABY", "--user", "sup1", "--password-stdin", "--purpose", "asked by the family", "--gateway",
         "consent"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert consent.exit_code == 1 and "consent" in consent.output and "FATHER" not in consent.output
    assert [e["action"] for e in audit(home)].count("case_view") == 0


def test_case_prints_tables_and_decide_closes_an_alert_with_the_reason_audited(
    graph: neo4j.Driver, neo4j_settings: Settings, home: Path
) -> None:
    kit = Kit()
    build_case_5(kit)
    kit.write(graph, neo4j_settings)
    assert runner.invoke(cli, ["patterns", "run", "--reference-date", "2026-01-31"]).exit_code == 0
    shown = runner.invoke(
        cli,
        ["case", "BABY", "--reference-date", "2026-01-31", "--user", "sup1", "--password-stdin", *CASE],
        input=PASSWORD + "\n",
    )
    assert shown.exit_code == 0, shown.output
    flat = " ".join(shown.output.split())  # the terminal is 80 columns: lines wrap
    for text in ("Cumulative risk", "a suggestion for the analyst", "Multi-agency chronology", "Hidden adults",
                 "Linked children", "hidden_adult", "[FATHER]"):  # fmt: skip
        assert text in flat, text
    key = "hidden_adult|BABY|FATHER"
    listed = runner.invoke(
        cli, ["patterns", "alerts", "--user", "sup1", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert listed.exit_code == 0 and key in listed.output
    decided = runner.invoke(
        cli,
        ["patterns", "decide", key, "--status", "closed", "--reason", "shared with CSC at the strategy meeting",
         "--user", "sup1", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    [alert] = alerts.list_alerts(graph, neo4j_settings.database)
    assert (alert.status, alert.status_by, alert.status_reason) == (
        "closed",
        "sup1",
        "shared with CSC at the strategy meeting",
    )
    entry = audit(home)[-1]
    assert (entry["action"], entry["person_id"]) == ("alert_decision", "BABY")
    nurse = runner.invoke(
        cli,
        ["patterns", "decide", key, "--status", "open", "--reason", "reopen it", "--user", "nurse1",
         "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert nurse.exit_code == 1  # the health role may not decide on alerts
    assert alerts.list_alerts(graph, neo4j_settings.database)[0].status == "closed"
