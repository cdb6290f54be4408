"""Education on the real server: the public family-context education.csv (multi-line quoted addresses) and
the contract's pupil extract (pupils, contacts, attendance, exclusions, children missing education)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.contract import education as contract
from ingest.contract.spec import FileSpec
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan

PUBLIC_EDUCATION = (
    Path(
        os.environ.get(
            "JIGSAW_PUBLIC_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "public"
        )
    )
    / "family-context"
    / "education.csv"
)
PROV = ["2024-05-02", "attendance officer", "fact"]
UPN = "B801200005001"


def count(graph: neo4j.Driver, db: str, query: str) -> int:
    return int(graph.execute_query(query, database_=db).records[0][0])


def load(graph: neo4j.Driver, settings: Settings, paths: list[Path], qdir: Path) -> RunReport:
    chosen, unknown = plan(paths)
    assert not unknown
    return run_ingest(chosen, GraphWriter(graph, settings.database), qdir)


@pytest.mark.skipif(not PUBLIC_EDUCATION.exists(), reason="the public samples are not beside the project")
def test_public_family_context_education_loads(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    run = load(graph, neo4j_settings, [PUBLIC_EDUCATION], tmp_path)
    assert not run.bad_files and not run.rejections
    [report] = run.files
    assert (report.kind, report.read, report.loaded, report.quarantined, report.created) == (
        "education.family_context", 500, 500, 0, 500
    )  # fmt: skip
    assert count(graph, db, "MATCH (r:SourceRecord {agency: 'education'}) RETURN count(r)") == 500
    assert count(graph, db, "MATCH (:SourceRecord)-[l:LIVED_AT]->(:Address) RETURN count(l)") == 500
    assert count(graph, db, "MATCH (a:Address) RETURN count(a)") == 500
    assert count(graph, db, "MATCH (r:SourceRecord) WHERE r.sex = 'U' RETURN count(r)") == 9  # 'Other'
    first = graph.execute_query(
        "MATCH (r:SourceRecord {record_key: 'education|family_context|1551378'})-[:LIVED_AT]->(a:Address) "
        "RETURN r.given_name AS given, r.date_of_birth AS dob, r.address_line AS line, r.postcode AS pc, "
        "r.school_name AS school, r.recorded_on AS recorded, r.recorded_by_role AS role, r.basis AS basis, "
        "a.area AS area",
        database_=db,
    ).records[0]
    assert (first["given"], str(first["dob"]), first["line"], first["pc"], first["school"], str(first["recorded"]),
            first["role"], first["basis"], first["area"]) == (
        "Damian", "2011-12-13", "Flat 78m, Sally mall, Daviesmouth", "G6T 3BF", "Cooke-Robson School", "2022-10-15",
        None, "fact", "G6T",
    )  # fmt: skip
    again = load(graph, neo4j_settings, [PUBLIC_EDUCATION], tmp_path)
    assert sum(f.created + f.updated for f in again.files) == 0


def write_csv(folder: Path, spec: FileSpec, rows: list[list[str]]) -> None:
    path = folder / spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(spec.column_names)
        out.writerows(rows)


def education_extract(folder: Path) -> Path:
    write_csv(folder, contract.PUPILS, [
        ["P1", UPN, "", "123456", "Kayleigh", "Jones", "Kay", "2015-02-01", "F", "12 High Street", "JG1 2AB",
         "2019-09-01", "", "4", "Y", "K", *PROV],
        ["P2", "A801200005001", "", "123456", "Bad", "Upn", "", "2015-03-01", "M", "", "", "2019-09-01", "", "4", "",
         "", *PROV],  # UPN check letter wrong: flagged
        ["P3", "", "", "12345", "Bad", "Urn", "", "2015-03-01", "M", "", "", "2019-09-01", "", "4", "", "", *PROV],
    ])  # fmt: skip
    write_csv(folder, contract.PUPIL_CONTACTS, [
        ["C1", "P1", "Amy", "Jones", "parent", "Y", "Y", "", "", "1", *PROV],
        ["C2", "P1", "Dan", "Smyth", "partner-of-parent", "N", "Y", "", "", "2", *PROV],
        ["C3", "P99", "No", "Pupil", "parent", "Y", "Y", "", "", "1", *PROV],  # unknown pupil
    ])  # fmt: skip
    write_csv(folder, contract.ATTENDANCE, [
        ["A1", "P1", "123456", "2023/24", "autumn", "140", "10", "12", *PROV],
        ["A2", "P1", "123456", "2023/24", "spring", "100", "60", "50", *PROV],  # more missed than possible
    ])  # fmt: skip
    write_csv(folder, contract.EXCLUSIONS, [
        ["X1", "P1", "123456", "suspension", "2024-01-10", "4", "PA", "assaulted a teacher", *PROV],
        ["X2", "P1", "123456", "expelled", "2024-01-10", "", "PA", "", *PROV],  # unknown type
    ])  # fmt: skip
    write_csv(folder, contract.CHILDREN_MISSING_EDUCATION, [
        ["M1", "P1", UPN, "Kayleigh", "Jones", "2015-02-01", "", "", "2024-05-01", "not_attended_10_days", "", *PROV],
        ["M2", "", "", "Unknown", "Child", "", "", "", "2024-05-01", "never_registered", "2024-06-01", *PROV],
    ])  # fmt: skip
    return folder


def test_pupil_extract_loads(graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path) -> None:
    db = neo4j_settings.database
    folder = education_extract(tmp_path / "county")
    run = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert not run.bad_files
    assert all(f.balanced for f in run.files)
    assert {f.kind: (f.read, f.loaded, f.quarantined) for f in run.files} == {
        "education.pupils": (3, 2, 1),
        "education.pupil_contacts": (3, 2, 1),
        "education.attendance": (2, 1, 1),
        "education.exclusions": (2, 1, 1),
        "education.children_missing_education": (2, 2, 0),
    }
    why = {(Path(r.file).name, r.row): (r.field, r.reason) for r in run.rejections}
    assert why[("pupils.csv", 4)][0] == "school_urn"  # a required URN is not doubtful: the row is rejected
    assert "education|pupils|P99" in why[("pupil_contacts.csv", 4)][1]
    assert why[("attendance.csv", 3)][0].startswith("sessions_authorised_absence")
    assert why[("exclusions.csv", 3)][0] == "exclusion_type"
    flagged = graph.execute_query(
        "MATCH (r:SourceRecord {record_key: 'education|pupils|P2'}) RETURN r.upn AS upn, r.doubtful_upn AS doubt",
        database_=db,
    ).records[0]
    assert (flagged["upn"], flagged["doubt"]) == (None, "A801200005001")
    picture = graph.execute_query(
        "MATCH (p:SourceRecord {upn: $upn, agency: 'education', source_table: 'pupils'}) "
        "MATCH (p)-[:INVOLVED_IN {role: 'subject'}]->(a:Event {fact_type: 'absence'}) "
        "MATCH (p)-[:INVOLVED_IN {role: 'subject'}]->(x:Event {fact_type: 'school_exclusion'}) "
        "MATCH (p)-[:INVOLVED_IN {role: 'subject'}]->(m:Event {fact_type: 'children_missing_education'}) "
        "MATCH (dan:SourceRecord {given_name: 'Dan'})-[l:RELATED_TO]->(p) "
        "MATCH (dan)-[:LIVED_AT]->(home:Address)<-[:LIVED_AT]-(p) "
        "RETURN a.persistent_absence AS persistent, a.occurred_on AS term, x.reason AS reason, m.reason_code AS cme, "
        "l.type AS type, dan.relationship_to_pupil AS rel, home.postcode AS pc",
        {"upn": UPN},
        database_=db,
    ).records
    assert [(r["persistent"], str(r["term"]), r["reason"], r["cme"], r["type"], r["rel"], r["pc"]) for r in picture] == [
        (True, "2023-09-01", "physical assault against an adult", "not_attended_10_days", "other", "partner-of-parent",
         "JG1 2AB")
    ]  # fmt: skip
    assert (
        count(
            graph, db, "MATCH (r:SourceRecord {source_table: 'children_missing_education'}) RETURN count(r)"
        )
        == 2
    )
    again = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0
