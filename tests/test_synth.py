"""The synthetic county: its files pass the contract, the truth is complete, bad rows are exactly the rows
that fail, the same seed writes the same bytes. Counties are generated once per module (about 1 s each)."""

from __future__ import annotations

import csv
import filecmp
import json
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
import xmlschema
from typer.testing import CliRunner

from ingest.contract import FILES, validate_county
from ingest.contract.csc import cin_xsd_path
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate

CHILDREN = 1000
SEED = 11

PATTERN_TYPES = {
    "hidden_adult",
    "unborn_father_on_probation",
    "adult_around_households",
    "shared_address",
    "co_occurring_missing",
    "slow_build_up",
    "children_present_no_referral",
    "feedback_overdue",
    "eh_closed_no_consent_with_risk",
    "malicious_without_assessment",
    "case_study_1",
    "case_study_2",
    "case_study_3",
    "case_study_4",
    "case_study_5",
}


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("county")
    generate(SynthConfig(CHILDREN, SEED, out))
    return out


@pytest.fixture(scope="module")
def bad_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bad_county")
    generate(SynthConfig(CHILDREN, SEED, out, bad_rows=True))
    return out


def _records(county: Path) -> dict[str, list[tuple[str, bool]]]:
    """kind -> [(record key, person-bearing)] for every record in every file, read straight from the files."""
    out: dict[str, list[tuple[str, bool]]] = {}
    for kind, spec in FILES.items():
        rows: list[tuple[str, bool]] = []
        for rel in spec.paths:
            path = county / rel
            if spec.format == "csv":
                with path.open(newline="", encoding="utf-8") as fh:
                    for row in csv.DictReader(fh):
                        rows.append((spec.record_key(spec.source_record_id(row)), spec.person_bearing))
            elif spec.format == "ndjson":
                for line in path.read_text(encoding="utf-8").splitlines():
                    obj = json.loads(line)
                    person = obj["resourceType"] in ("Patient", "RelatedPerson")
                    rows.append((spec.record_key(f"{obj['resourceType']}/{obj['id']}"), person))
            else:
                root = ElementTree.parse(path).getroot()
                for child in root.iterfind("Children/Child"):
                    rows.append((spec.record_key(child.findtext("ChildIdentifiers/LAchildID") or ""), True))
        out[kind] = rows
    return out


def _truth_persons(county: Path) -> dict[str, str]:
    with (county / "truth" / "persons.csv").open(newline="", encoding="utf-8") as fh:
        return {row["record_key"]: row["person_id"] for row in csv.DictReader(fh)}


def _people(county: Path) -> dict[str, dict[str, str]]:
    with (county / "truth" / "people.csv").open(newline="", encoding="utf-8") as fh:
        return {row["person_id"]: row for row in csv.DictReader(fh)}


def test_every_format_is_written(county: Path) -> None:
    for spec in FILES.values():
        for rel in spec.paths:
            path = county / rel
            assert path.exists(), rel
            lines = path.read_text(encoding="utf-8").splitlines()
            assert len(lines) >= (2 if spec.format == "csv" else 1), f"{rel} has no records"


def test_files_pass_the_contract(county: Path) -> None:
    results = validate_county(county)
    assert set(results) == set(FILES)
    failures = [f for rs in results.values() for r in rs for f in r.failures]
    assert failures == [], failures[:10]


def test_cin_census_validates_against_the_2026_xsd(county: Path, bad_county: Path) -> None:
    schema = xmlschema.XMLSchema(str(cin_xsd_path()))
    for folder in (county, bad_county):
        schema.validate(str(folder / "csc" / "cin_census.xml"))
    children = ElementTree.parse(county / "csc" / "cin_census.xml").getroot().findall("Children/Child")
    assert len(children) > 10


def test_truth_names_every_person_bearing_record(county: Path) -> None:
    truth = _truth_persons(county)
    people = _people(county)
    records = _records(county)
    all_keys = {key for rows in records.values() for key, _ in rows}
    person_keys = {key for rows in records.values() for key, person in rows if person}
    assert len(all_keys) == sum(len(rows) for rows in records.values()), "record keys must be unique"
    assert person_keys == set(truth), (
        sorted(person_keys - set(truth))[:5],
        sorted(set(truth) - person_keys)[:5],
    )
    assert set(truth.values()) <= set(people)
    agencies_in_truth = {key.split("|")[0] for key in truth}
    assert agencies_in_truth == {spec.agency for spec in FILES.values()}
    with (county / "truth" / "mentions.csv").open(newline="", encoding="utf-8") as fh:
        mentions = list(csv.DictReader(fh))
    assert mentions and all(m["record_key"] in all_keys and m["person_id"] in people for m in mentions)


EMERGENT_TYPES = {
    "child_involved_no_referral", "unseen_adult_with_history", "missing_together", "eh_closed_no_consent_risk_present",
    "concerns_without_response",
}  # fmt: skip


def test_patterns_are_complete_and_point_at_real_records(county: Path) -> None:
    patterns = json.loads((county / "truth" / "patterns.json").read_text(encoding="utf-8"))
    people = _people(county)
    all_keys = {key for rows in _records(county).values() for key, _ in rows}
    assert {p["type"] for p in patterns if not p["emergent"]} == PATTERN_TYPES
    # emergent instances (labelled from the world, not planted) point at real records too
    assert {p["type"] for p in patterns if p["emergent"]} <= EMERGENT_TYPES
    assert len({p["pattern_id"] for p in patterns}) == len(patterns)
    for p in patterns:
        assert p["person_ids"] and set(p["person_ids"]) <= set(people), p["pattern_id"]
        assert p["record_keys"] and set(p["record_keys"]) <= all_keys, p["pattern_id"]
        assert p["dates"] and all(len(d) == 10 for d in p["dates"].values())


def test_hidden_adult_is_hidden_where_the_pattern_says(county: Path) -> None:
    patterns = json.loads((county / "truth" / "patterns.json").read_text(encoding="utf-8"))
    truth = _truth_persons(county)
    by_person: dict[str, set[str]] = {}
    for key, pid in truth.items():
        by_person.setdefault(pid, set()).add(key.split("|")[0])
    for p in patterns:
        if p["type"] != "hidden_adult":
            continue
        hidden = next(pid for pid, role in p["roles"].items() if role == "hidden adult")
        assert by_person[hidden] == {"police"}, p["pattern_id"]


def test_planted_rule_breaks_are_the_only_ones(county: Path) -> None:
    """children present without a referral, overdue feedback and 'malicious' decisions come only from the
    planted patterns, so the truth is complete for them."""
    patterns = json.loads((county / "truth" / "patterns.json").read_text(encoding="utf-8"))
    planted = {t: {k for p in patterns if p["type"] == t for k in p["record_keys"]} for t in PATTERN_TYPES}
    with (county / "police" / "occurrences.csv").open(newline="", encoding="utf-8") as fh:
        no_ref = {
            f"police|occurrences|{r['occurrence_id']}"
            for r in csv.DictReader(fh)
            if r["children_present"] == "Y" and r["referred_to_csc"] == "N"
        }
    assert no_ref and no_ref <= planted["children_present_no_referral"]
    with (county / "csc" / "ssd" / "ssd_cin_episodes.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    overdue = {
        f"csc|ssd_cin_episodes|{r['cine_referral_id']}"
        for r in rows
        if not r["cine_ext_feedback_to_referrer_date"]
    }
    malicious = {
        f"csc|ssd_cin_episodes|{r['cine_referral_id']}" for r in rows if r["cine_ext_deemed_malicious"] == "Y"
    }
    assert overdue and overdue <= planted["feedback_overdue"]
    assert malicious and malicious <= planted["malicious_without_assessment"]


def test_noise_and_duplicates_exist(county: Path) -> None:
    truth = _truth_persons(county)
    people = _people(county)
    with (county / "police" / "persons.csv").open(newline="", encoding="utf-8") as fh:
        nominals = list(csv.DictReader(fh))
    differ = sum(
        1
        for r in nominals
        if r["forenames"] != people[truth[f"police|persons|{r['nominal_id']}"]]["forename"]
    )
    assert differ >= len(nominals) * 0.05, "police names should carry nicknames, variants and typos"
    per_table: Counter[tuple[str, str]] = Counter()
    for key, pid in truth.items():
        agency, table, _ = key.split("|", 2)
        per_table[(f"{agency}|{table}", pid)] += 1
    dup_tables = {table for (table, _), n in per_table.items() if n > 1}
    assert {"police|persons", "csc|ssd_person", "health|fhir"} <= dup_tables


def test_coverage_looks_like_a_county(county: Path) -> None:
    summary = json.loads((county / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert 1.1 <= summary["adults_per_child"] <= 1.35
    truth = _truth_persons(county)
    children = {pid for pid, row in _people(county).items() if row["role"] == "child"}
    known: dict[str, set[str]] = {}
    for key, pid in truth.items():
        if pid in children:
            known.setdefault(key.split("|")[0], set()).add(pid)
    share = {agency: len(pids) / len(children) for agency, pids in known.items()}
    assert share["health"] > 0.95
    assert 0.6 < share["education"] < 0.95  # school age only
    assert share["police"] < 0.25 and share["csc"] < 0.35


def test_bad_rows_are_exactly_the_rows_that_fail(bad_county: Path) -> None:
    with (bad_county / "truth" / "bad_rows.csv").open(newline="", encoding="utf-8") as fh:
        planted = [(r["file"], int(r["row"])) for r in csv.DictReader(fh)]
    assert len(planted) == len(set(planted)) >= 20
    assert {f.split("/")[0] for f, _ in planted} == {spec.agency for spec in FILES.values()}
    results = validate_county(bad_county)
    failed = {(f.file, f.row) for rs in results.values() for r in rs for f in r.failures}
    assert failed == set(planted)


def test_same_seed_same_bytes(county: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(SynthConfig(CHILDREN, SEED, again))
    files = sorted(p.relative_to(county) for p in county.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(county, again, [str(f) for f in files], shallow=False)
    assert mismatch == [] and errors == []
    other = tmp_path / "other"
    generate(SynthConfig(CHILDREN, SEED + 1, other))
    assert (other / "police" / "persons.csv").read_bytes() != (county / "police" / "persons.csv").read_bytes()


def test_cli_writes_a_county(tmp_path: Path) -> None:
    from app.cli import cli

    out = tmp_path / "cli"
    result = CliRunner().invoke(
        cli,
        ["synth", "--children", "120", "--seed", "3", "--out", str(out), "--reference-date", "2025-09-30"],
    )
    assert result.exit_code == 0, result.output
    assert "120 children" in result.output
    summary = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["reference_date"] == "2025-09-30"
    bad = CliRunner().invoke(
        cli, ["synth", "--children", "120", "--out", str(out), "--reference-date", "31/09"]
    )
    assert bad.exit_code != 0
