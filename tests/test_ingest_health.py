"""Health on the real server: the public FHIR UK Core XML examples, the FHIR NDJSON bulk export (Patient,
RelatedPerson, Encounter, Flag) and the GP / maternity CSVs, with the counts that land in the graph asserted."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.contract import health as contract
from ingest.contract.spec import FileSpec
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan

PUBLIC = Path(
    os.environ.get("JIGSAW_PUBLIC_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "public")
)
FHIR_XML = PUBLIC / "fhir-uk-core"
PROV = ["2024-05-02", "midwife", "fact"]

pytestmark = pytest.mark.skipif(not FHIR_XML.exists(), reason="the public samples are not beside the project")


def count(graph: neo4j.Driver, db: str, query: str) -> int:
    return int(graph.execute_query(query, database_=db).records[0][0])


def load(graph: neo4j.Driver, settings: Settings, paths: list[Path], qdir: Path) -> RunReport:
    chosen, unknown = plan(paths)
    assert not unknown
    return run_ingest(chosen, GraphWriter(graph, settings.database), qdir)


def test_public_fhir_uk_core_xml_examples_load(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    run = load(graph, neo4j_settings, [FHIR_XML], tmp_path)
    assert not run.bad_files and not run.rejections
    assert sorted((Path(f.file).name, f.kind, f.read, f.loaded, f.quarantined) for f in run.files) == [
        ("UKCore-Encounter-InpatientEncounter-Example.xml", "health.fhir_xml_encounter", 1, 1, 0),
        ("UKCore-Patient-BabyPatient-Example.xml", "health.fhir_xml_patient", 1, 1, 0),
        ("UKCore-Patient-RichardSmith-Example.xml", "health.fhir_xml_patient", 1, 1, 0),
        ("UKCore-RelatedPerson-JoySmith-Example.xml", "health.fhir_xml_related_person", 1, 1, 0),
    ]
    # Richard Smith, the baby Melanie Jones, Richard's contact Jane Jackson, his wife Joy Smith
    assert count(graph, db, "MATCH (r:SourceRecord {agency: 'health'}) RETURN count(r)") == 4
    assert count(graph, db, "MATCH (f:Fact) RETURN count(f)") == 1
    assert count(graph, db, "MATCH ()-[l:LIVED_AT]->() RETURN count(l)") == 3
    assert count(graph, db, "MATCH ()-[l:RELATED_TO]->() RETURN count(l)") == 2
    assert count(graph, db, "MATCH ()-[i:INVOLVED_IN]->() RETURN count(i)") == 1
    row = graph.execute_query(
        "MATCH (joy:SourceRecord {fhir_resource_type: 'RelatedPerson'})-[l:RELATED_TO]->(p:SourceRecord {nhs_number: '9912003888'}) "
        "MATCH (p)-[i:INVOLVED_IN {role: 'subject'}]->(e:Fact) "
        "RETURN joy.given_name AS joy, l.type AS type, p.family_name AS family, p.date_of_birth AS dob, "
        "e.occurred_on AS on, e.encounter_class AS cls, e.recorded_by_role AS role, e.basis AS basis, "
        "i.agency AS agency",
        database_=db,
    ).records
    assert [(r["joy"], r["type"], r["family"], str(r["dob"]), str(r["on"]), r["cls"], r["role"], r["basis"],
             r["agency"]) for r in row] == [
        ("Joy", "partner", "SMITH", "1970-09-11", "2019-12-10", "IMP", None, "fact", "health")
    ]  # fmt: skip
    again = load(graph, neo4j_settings, [FHIR_XML], tmp_path)
    assert sum(f.created + f.updated for f in again.files) == 0
    assert count(graph, db, "MATCH (r:SourceRecord) RETURN count(r)") == 4


# -- the NDJSON bulk export and the CSVs --------------------------------------------------------------------


def meta(
    role: str = "health visitor", basis: str = "fact", when: str = "2024-03-01T10:00:00Z"
) -> dict[str, Any]:
    return {
        "lastUpdated": when,
        "tag": [{"system": contract.BASIS_SYSTEM, "code": basis}, {"system": contract.RECORDED_BY_ROLE_SYSTEM, "code": role}],
    }  # fmt: skip


def patient(
    pid: str, given: str, family: str, dob: str, nhs: str | None, postcode: str = "JG1 2AB"
) -> dict[str, Any]:
    res: dict[str, Any] = {
        "resourceType": "Patient", "id": pid, "meta": meta(),
        "name": [{"use": "official", "family": family, "given": [given]}], "gender": "female", "birthDate": dob,
        "address": [{"line": ["3 Mill Lane"], "city": "Jigtown", "postalCode": postcode},
                    {"line": ["9 Old Road"], "postalCode": "JG2 3CD", "period": {"start": "2019-01-01", "end": "2022-01-01"}}],
    }  # fmt: skip
    if nhs:
        res["identifier"] = [{"system": contract.NHS_NUMBER_SYSTEM, "value": nhs}]
    return res


def ndjson(folder: Path, name: str, resources: list[Any]) -> None:
    path = folder / "health" / "fhir" / f"{name}.ndjson"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in resources))


def write_csv(folder: Path, spec: FileSpec, rows: list[list[str]]) -> None:
    path = folder / spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(spec.column_names)
        out.writerows(rows)


def health_extract(folder: Path) -> Path:
    ndjson(folder, "Patient", [
        patient("child1", "Kayleigh", "Jones", "2020-02-01", "9434765919"),
        patient("mum1", "Amy", "Jones", "1998-06-01", "4010232137"),
        patient("bad1", "Doubt", "Full", "2001-01-01", "9434765918", postcode="NOT A POSTCODE"),  # flagged
        {"resourceType": "Patient", "id": "noname", "meta": meta(), "name": [{"given": ["X"]}]},  # no family name
        '{"resourceType": "Patient", "id": "trunc',  # truncated line
    ])  # fmt: skip
    ndjson(folder, "RelatedPerson", [
        {"resourceType": "RelatedPerson", "id": "rp1", "meta": meta("midwife", "opinion"),
         "patient": {"reference": "Patient/mum1"},
         "relationship": [{"coding": [{"system": contract.ROLE_CODE_SYSTEM, "code": "DOMPART"}]}],
         "name": [{"family": "Smyth", "given": ["Dan"]}], "gender": "male", "birthDate": "1990-04-03"},
        {"resourceType": "RelatedPerson", "id": "rp2", "meta": meta(), "patient": {"reference": "Patient/nobody"},
         "relationship": [{"coding": [{"system": contract.ROLE_CODE_SYSTEM, "code": "MTH"}]}]},  # unknown patient
    ])  # fmt: skip
    kind = contract.ENCOUNTER_KIND_SYSTEM
    ndjson(folder, "Encounter", [
        {"resourceType": "Encounter", "id": "e1", "meta": meta("ED nurse"), "status": "finished",
         "class": {"system": contract.ACT_CODE_SYSTEM, "code": "EMER"},
         "type": [{"coding": [{"system": kind, "code": "ae-attendance"}]}], "subject": {"reference": "Patient/child1"},
         "period": {"start": "2024-02-10T22:10:00Z", "end": "2024-02-11T01:00:00Z"},
         "participant": [{"individual": {"reference": "RelatedPerson/rp1"}}],
         "reasonCode": [{"text": "head injury, fell from sofa"}]},
        {"resourceType": "Encounter", "id": "e2", "meta": meta(), "status": "cancelled",
         "class": {"system": contract.ACT_CODE_SYSTEM, "code": "AMB"},
         "type": [{"coding": [{"system": kind, "code": "was-not-brought"}]}], "subject": {"reference": "Patient/child1"},
         "period": {"start": "2024-03-01"}},
        {"resourceType": "Encounter", "id": "e3", "meta": meta(), "status": "finished",
         "class": {"system": contract.ACT_CODE_SYSTEM, "code": "XXX"},
         "type": [{"coding": [{"system": kind, "code": "ae-attendance"}]}], "subject": {"reference": "Patient/child1"},
         "period": {"start": "2024-03-01"}},  # unknown class
    ])  # fmt: skip
    ndjson(folder, "Flag", [
        {"resourceType": "Flag", "id": "f1", "meta": meta("CP-IS"), "status": "active",
         "code": {"coding": [{"system": contract.CPIS_SYSTEM, "code": "unborn-cp-plan"}]},
         "subject": {"reference": "Patient/mum1"}, "period": {"start": "2024-04-01"}, "author": {"display": "Jigshire CC"}},
    ])  # fmt: skip
    write_csv(folder, contract.GP_REGISTRATIONS, [
        ["G1", "9434765919", "Kayleigh", "Jones", "2020-02-01", "F", "3 Mill Lane", "JG1 2AB", "J82001",
         "2020-03-01", "", "2024-01-01", "practice manager", "fact"],
        ["G2", "", "No", "Dob", "", "F", "", "", "J82001", "2020-03-01", "", "2024-01-01", "practice manager", "fact"],
    ])  # fmt: skip
    write_csv(folder, contract.MATERNITY, [
        ["B1", "4010232137", "Amy", "Jones", "1998-06-01", "3 Mill Lane", "JG1 2AB", "2024-03-01", "2024-09-20",
         "ongoing", "", "", "Dan", "Smyth", "1990-04-03", "9434765918", "Y", *PROV],  # partner NHS doubtful
        ["B2", "", "Beth", "Lee", "2001-01-01", "", "", "2023-01-01", "2023-07-01", "live_birth", "", "", "", "", "", "",
         "", *PROV],  # outcome without its date
    ])  # fmt: skip
    return folder


def test_fhir_ndjson_and_health_csvs_load(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    folder = health_extract(tmp_path / "county")
    run = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert not run.bad_files
    by = {f.kind: f for f in run.files}
    assert all(f.balanced for f in run.files)
    assert {k: (f.read, f.loaded, f.quarantined) for k, f in by.items()} == {
        "health.fhir_patient": (5, 3, 2),
        "health.fhir_related_person": (2, 1, 1),
        "health.fhir_encounter": (3, 2, 1),
        "health.fhir_flag": (1, 1, 0),
        "health.gp_registrations": (2, 1, 1),
        "health.maternity": (2, 1, 1),
    }
    why = {(Path(r.file).name, r.row): (r.field, r.reason) for r in run.rejections}
    assert why[("Patient.ndjson", 5)][1].startswith("not valid JSON")
    assert why[("RelatedPerson.ndjson", 2)] == (
        "patient.reference",
        "refers to health|fhir|Patient/nobody, which Patient.ndjson does not hold or will not load",
    )
    assert "unknown class" in why[("Encounter.ndjson", 3)][1]
    assert why[("maternity.csv", 3)][0] == "outcome_date,outcome"
    # the doubtful NHS number and postcode are flagged, not dropped
    flagged = graph.execute_query(
        "MATCH (r:SourceRecord {record_key: 'health|fhir|Patient/bad1'}) "
        "RETURN r.nhs_number AS nhs, r.doubtful_nhs_number AS doubt, r.doubtful_postcode AS pc, r.doubtful_reasons AS why",
        database_=db,
    ).records[0]  # fmt: skip
    assert flagged["nhs"] is None and flagged["doubt"] == "9434765918" and flagged["pc"] == "NOT A POSTCODE"
    assert len(flagged["why"]) == 2
    # the A&E attendance: the child as subject, the mother's partner who brought her as present
    ae = graph.execute_query(
        "MATCH (c:SourceRecord {record_key: 'health|fhir|Patient/child1'})-[:INVOLVED_IN {role: 'subject'}]->"
        "(e:Event {fact_type: 'ae_attendance'})<-[:INVOLVED_IN {role: 'present'}]-(dan:SourceRecord) "
        "MATCH (dan)-[l:RELATED_TO]->(mum:SourceRecord {record_key: 'health|fhir|Patient/mum1'}) "
        "RETURN e.summary AS summary, e.recorded_by_role AS role, dan.given_name AS dan, l.type AS type, "
        "l.basis AS basis",
        database_=db,
    ).records
    assert [dict(r) for r in ae] == [
        {"summary": "head injury, fell from sofa", "role": "ED nurse", "dan": "Dan", "type": "partner", "basis": "opinion"}
    ]  # fmt: skip
    assert count(graph, db, "MATCH (:Event {fact_type: 'was_not_brought'}) RETURN count(*)") == 1
    assert count(graph, db, "MATCH ()-[:LIVED_AT]->() WHERE true RETURN count(*)") >= 6
    # CP-IS for the unborn child sits on the mother's record; the booking names the baby's father
    unborn = graph.execute_query(
        "MATCH (mum:SourceRecord {record_key: 'health|fhir|Patient/mum1'})-[:INVOLVED_IN {role: 'mother'}]->"
        "(f:Flag {fact_type: 'cp_is_flag'}) "
        "MATCH (bm:SourceRecord {record_key: 'health|maternity|B1'})-[:INVOLVED_IN {role: 'mother'}]->(b:Event) "
        "MATCH (baby:SourceRecord)-[:INVOLVED_IN {role: 'subject'}]->(b)<-[:INVOLVED_IN {role: 'father'}]-(dad) "
        "MATCH (dad)-[:RELATED_TO {type: 'parent'}]->(baby)<-[:RELATED_TO {type: 'parent'}]-(bm) "
        "MATCH (dad)-[:RELATED_TO {type: 'partner'}]->(bm) "
        "RETURN f.cpis_code AS code, f.held_by AS la, baby.expected_date_of_birth AS edd, baby.unborn AS unborn, "
        "dad.family_name AS dad, dad.nhs_number AS nhs, dad.doubtful_partner_nhs_number AS doubt",
        database_=db,
    ).records
    assert [
        (r["code"], r["la"], str(r["edd"]), r["unborn"], r["dad"], r["nhs"], r["doubt"]) for r in unborn
    ] == [("unborn-cp-plan", "Jigshire CC", "2024-09-20", True, "Smyth", None, "9434765918")]
    nodes = count(graph, db, "MATCH (n) RETURN count(n)")
    rels = count(graph, db, "MATCH ()-[r]->() RETURN count(r)")
    again = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0
    assert count(graph, db, "MATCH (n) WHERE NOT n:IngestRun RETURN count(n)") == nodes - 1
    assert count(graph, db, "MATCH ()-[r]->() RETURN count(r)") == rels
