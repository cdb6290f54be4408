"""The police POLE-style extract on the real server: people, occurrences with roles and places, links, markers."""

from __future__ import annotations

import csv
from pathlib import Path

import neo4j

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.contract import police as contract
from ingest.framework import run_ingest
from ingest.registry import plan

PROV = ["2024-05-02", "PC", "fact"]


def write(folder: Path, spec: contract.FileSpec, rows: list[list[str]]) -> None:
    path = folder / spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(spec.column_names)
        out.writerows(rows)


def extract(folder: Path) -> Path:
    write(folder, contract.PERSONS, [
        ["N1", "Dan", "Smyth", "1990-04-03", "M", "", "12 High Street", "B86 0LF", *PROV],
        ["N2", "Kayleigh", "Jones", "2015-02-01", "F", "", "12 High Street", "B86 0LF", *PROV],
        ["N3", "Bad", "Check", "1980-01-01", "M", "2001/0000001A", "", "", *PROV],  # PNC check letter wrong
    ])  # fmt: skip
    write(folder, contract.LOCATIONS, [["L1", "12 High Street", "B86 0LF", "", "dwelling", *PROV]])
    write(folder, contract.OCCURRENCES, [
        ["O1", "da_incident", "2024-05-01", "", "L1", "", "high", "Y", "N", "", "DA, child present",
         "2024-05-02", "PC", "opinion"],
        ["O2", "da_incident", "2024-05-01", "", "L1", "", "", "Y", "N", "", "no DASH grade", *PROV],
    ])  # fmt: skip
    write(folder, contract.OCCURRENCE_PERSONS, [
        ["OP1", "O1", "N1", "suspect", *PROV],
        ["OP2", "O1", "N2", "present", *PROV],
        ["OP3", "O1", "N99", "victim", *PROV],
    ])  # fmt: skip
    write(folder, contract.PERSON_LINKS, [["K1", "N1", "N2", "step-parent", "2023-01-01", "", *PROV]])
    write(folder, contract.NOMINAL_FLAGS, [["F1", "N1", "mappa", "2", "2020-01-01", "", *PROV]])
    return folder


def test_police_extract_loads_with_roles_places_links_and_markers(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    chosen, unknown = plan([extract(tmp_path / "county")])
    assert not unknown
    assert {a.kind for a, _ in chosen} == {s.kind for s in contract.FILES}
    run = run_ingest(chosen, GraphWriter(graph, neo4j_settings.database), tmp_path / "q")
    by_kind = {f.kind: f for f in run.files}
    assert all(f.balanced for f in run.files)
    assert by_kind["police.persons"].loaded == 3  # the doubtful PNC id is flagged, not dropped
    assert (by_kind["police.occurrences"].loaded, by_kind["police.occurrences"].quarantined) == (1, 1)
    assert (
        by_kind["police.occurrence_persons"].loaded,
        by_kind["police.occurrence_persons"].quarantined,
    ) == (2, 1)
    reasons = {r.row: r.reason for r in run.rejections}
    assert set(reasons) == {3, 4}  # the DA incident without its DASH grade; the role of an unknown nominal
    assert "dash_grade" in reasons[3] and "police|persons|N99" in reasons[4]
    db = neo4j_settings.database
    rec = graph.execute_query(
        "MATCH (child:SourceRecord {record_key: 'police|persons|N2'})-[:INVOLVED_IN {role: 'present'}]->"
        "(f:Fact:Event {fact_type: 'da_incident'})-[:AT]->(a:Address) "
        "MATCH (adult:SourceRecord)-[:INVOLVED_IN {role: 'suspect'}]->(f) "
        "MATCH (adult)-[l:RELATED_TO]->(child) MATCH (adult)-[:INVOLVED_IN]->(m:Flag {fact_type: 'mappa'}) "
        "RETURN f.dash_grade AS grade, f.basis AS basis, a.postcode AS pc, l.type AS link, m.mappa_level AS level",
        database_=db,
    ).records
    assert [dict(r) for r in rec] == [{"grade": "high", "basis": "opinion", "pc": "B86 0LF", "link": "step_parent",
                                       "level": "2"}]  # fmt: skip
    flagged = graph.execute_query(
        "MATCH (r:SourceRecord {record_key: 'police|persons|N3'}) RETURN r.pnc_id AS pnc, "
        "r.doubtful_pnc_id AS doubtful, r.doubtful_reasons AS why",
        database_=db,
    ).records[0]
    assert flagged["pnc"] is None and flagged["doubtful"] == "2001/0000001A" and flagged["why"]
    again = run_ingest(chosen, GraphWriter(graph, db), tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0


def test_a_file_saved_with_a_byte_order_mark_reads_like_any_other(tmp_path: Path) -> None:
    from ingest.adapters.police import PolicePersons

    folder = extract(tmp_path / "county")
    persons = folder / contract.PERSONS.paths[0]
    persons.write_bytes(b"\xef\xbb\xbf" + persons.read_bytes())  # Excel's "CSV UTF-8"
    rows = list(PolicePersons().read(persons))
    assert [r.data["nominal_id"] for r in rows] == ["N1", "N2", "N3"]
    assert not any("__errors__" in r.data for r in rows)


def test_cypher_in_an_agency_field_is_stored_as_text_and_runs_nowhere(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "county"
    attack = "Smith'}) MATCH (n) DETACH DELETE n //"
    write(
        folder,
        contract.PERSONS,
        [["N1", "Dan", attack, "1990-04-03", "M", "", "1 Road $x", "B86 0LF", *PROV]],
    )
    chosen, _ = plan([folder])
    graph.execute_query("CREATE (:Probe {kept: true})", database_=neo4j_settings.database)
    run = run_ingest(chosen, GraphWriter(graph, neo4j_settings.database), tmp_path / "q")
    assert run.files[0].loaded == 1
    rec = graph.execute_query(
        "MATCH (r:SourceRecord {record_key: 'police|persons|N1'}) OPTIONAL MATCH (p:Probe) "
        "RETURN r.family_name AS surname, r.address_line AS line, count(p) AS probes",
        database_=neo4j_settings.database,
    ).records[0]
    assert (rec["surname"], rec["line"], rec["probes"]) == (attack, "1 Road $x", 1)
