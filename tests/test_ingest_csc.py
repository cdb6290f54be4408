"""Children's social care (SSD tables, CIN census XML, SSDA903) on the real server: a small hand-written extract
whose every fact is checked, then a synthetic county (clean and with planted bad rows) whose every row is loaded
or quarantined, exactly as the truth says."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.adapters.base import DOUBTFUL_KINDS
from ingest.contract import FILES
from ingest.contract import csc as contract
from ingest.contract import identifiers as ids
from ingest.contract.spec import FileSpec
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan

PROV = ["2024-05-02", "Social worker", "fact"]


def rows(graph: neo4j.Driver, db: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r.values()) for r in graph.execute_query(query, params, database_=db).records]


def graph_size(graph: neo4j.Driver, db: str) -> tuple[int, int]:
    """(nodes, relationships), the run records left out."""
    nodes = rows(graph, db, "MATCH (n) WHERE NOT n:IngestRun AND NOT n:SchemaMigration RETURN count(n)")[0][0]
    rels = rows(graph, db, "MATCH ()-[r]->() RETURN count(r)")[0][0]
    return int(nodes), int(rels)


def load(graph: neo4j.Driver, settings: Settings, paths: list[Path], qdir: Path) -> RunReport:
    chosen, unknown = plan(paths)
    assert not unknown, unknown
    run = run_ingest(chosen, GraphWriter(graph, settings.database), qdir)
    assert not run.bad_files, run.bad_files
    assert all(f.balanced for f in run.files)  # read = loaded + quarantined, file by file
    return run


# -- a hand-written SSD extract -----------------------------------------------------------------------------


def nhs(first_nine: str) -> str:
    return first_nine + str(ids.nhs_check_digit(first_nine))


def upn(last_twelve: str) -> str:
    return ids.upn_check_letter(last_twelve) + last_twelve


CHILD_NHS, MUM_NHS, BAD_NHS = nhs("943476591"), nhs("401023213"), nhs("401023218")[:9] + "0"
CHILD_UPN = upn("999201122001")


def write(folder: Path, spec: FileSpec, records: Iterable[dict[str, str]]) -> None:
    """A contract CSV: each record a dict of the columns it fills; the provenance columns default to PROV."""
    path = folder / spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    defaults = dict(zip(("recorded_date", "recorded_by_role", "basis"), PROV, strict=True))
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(spec.column_names)
        for rec in records:
            unknown = set(rec) - set(spec.column_names)
            assert not unknown, unknown
            out.writerow([rec.get(c, defaults.get(c, "")) for c in spec.column_names])


def address_json(house: str, street: str, town: str, uprn: str = "") -> str:
    return json.dumps({"HOUSE": house, "STREET": street, "TOWN": town, "UPRN": uprn})


def ssd_extract(county: Path) -> Path:
    assert ids.is_valid_nhs_number(CHILD_NHS) and not ids.is_valid_nhs_number(BAD_NHS)
    write(county, contract.PERSON, [
        {"pers_person_id": "P1", "pers_forename": "Kayleigh", "pers_surname": "Jones", "pers_sex": "F",
         "pers_dob": "2015-02-01", "pers_common_child_id": CHILD_NHS},
        {"pers_person_id": "P2", "pers_forename": "Dawn", "pers_surname": "Jones", "pers_sex": "F",
         "pers_dob": "1990-06-01", "pers_common_child_id": MUM_NHS, "pers_is_mother": "Y"},
        {"pers_person_id": "P3", "pers_forename": "Dan", "pers_surname": "Smyth", "pers_sex": "M",
         "pers_dob": "1988-04-03", "pers_common_child_id": BAD_NHS},  # check digit wrong: flagged, not dropped
        {"pers_person_id": "P4", "pers_surname": "Jones", "pers_expected_dob": "2026-05-01"},  # unborn
        {"pers_person_id": "P5", "pers_forename": "Bad", "pers_surname": "Date", "pers_dob": "2015-02-30"},
    ])  # fmt: skip
    write(county, contract.LINKED_IDENTIFIERS, [
        {"link_table_id": "L1", "link_person_id": "P1", "link_identifier_type": "Unique Pupil Number",
         "link_identifier_value": CHILD_UPN, "link_valid_from_date": "2020-09-01"},
        {"link_table_id": "L2", "link_person_id": "P1", "link_identifier_type": "Incident ID",
         "link_identifier_value": "OC2024-000123"},
        {"link_table_id": "L3", "link_person_id": "P5", "link_identifier_type": "Case Number",
         "link_identifier_value": "X1"},  # its person is quarantined: nowhere to go
    ])  # fmt: skip
    write(county, contract.ADDRESS, [
        {"addr_table_id": "AD1", "addr_address_json": address_json("12", "High Street", "Thornwick", "100000000001"),
         "addr_person_id": "P1", "addr_address_type": "HOME", "addr_address_start_date": "2020-01-01",
         "addr_address_postcode": "JG12AB"},
        {"addr_table_id": "AD2", "addr_address_json": address_json("12", "High Street", "Thornwick", "100000000001"),
         "addr_person_id": "P2", "addr_address_type": "HOME", "addr_address_start_date": "2020-01-01",
         "addr_address_postcode": "JG12AB"},
        {"addr_table_id": "AD3", "addr_address_json": address_json("3", "Low Road", "Redcross"),
         "addr_person_id": "P1", "addr_address_type": "PREVIOUS", "addr_address_start_date": "2015-02-01",
         "addr_address_end_date": "2020-01-01", "addr_address_postcode": "JG79XX"},
    ])  # fmt: skip
    write(county, contract.FAMILY, [
        {"fami_table_id": "F1", "fami_family_id": "FAM1", "fami_person_id": "P1"},
        {"fami_table_id": "F2", "fami_family_id": "FAM1", "fami_person_id": "P2"},
    ])  # fmt: skip
    write(county, contract.MOTHER, [
        {"moth_table_id": "M1", "moth_person_id": "P2", "moth_childs_person_id": "P1", "moth_childs_dob": "2015-02-01"},
    ])  # fmt: skip
    write(county, contract.PERSON_RELATIONSHIPS, [
        {"rel_table_id": "RL1", "rel_person_id": "P3", "rel_related_person_id": "P1", "rel_relationship": "step-parent",
         "rel_start_date": "2023-01-01"},
        {"rel_table_id": "RL2", "rel_person_id": "P3", "rel_related_person_id": "P2", "rel_relationship": "partner"},
    ])  # fmt: skip
    write(county, contract.CONTACTS, [
        {"cont_contact_id": "C1", "cont_person_id": "P1", "cont_contact_date": "2024-05-01",
         "cont_contact_source_code": "1A", "cont_ext_summary": "grandmother worried about bruising"},
        {"cont_contact_id": "C2", "cont_person_id": "P99", "cont_contact_date": "2024-05-01",
         "cont_contact_source_code": "6"},  # nobody P99 in ssd_person.csv
    ])  # fmt: skip
    write(county, contract.CIN_EPISODES, [
        {"cine_referral_id": "R1", "cine_person_id": "P1", "cine_referral_date": "2024-05-02",
         "cine_referral_source_code": "1A", "cine_ext_contact_id": "C1", "cine_ext_threshold_decision": "L1",
         "cine_ext_feedback_to_referrer_date": "2024-05-09", "cine_ext_deemed_malicious": "Y",
         "cine_ext_deemed_malicious_by_role": "Team manager", "cine_ext_deemed_malicious_date": "2024-05-03",
         "cine_ext_multi_agency_assessment": "N", "cine_ext_referrer_relationship": "grandmother",
         "cine_referral_outcome_json": json.dumps({"NFA_FLAG": "Y", "SINGLE_ASSESSMENT_FLAG": "N"}),
         "cine_referral_nfa": "Y", "cine_close_date": "2024-05-03", "cine_close_reason": "RC8",
         "recorded_date": "2024-05-03", "recorded_by_role": "Team manager", "basis": "opinion"},
        {"cine_referral_id": "R2", "cine_person_id": "P1", "cine_referral_date": "2025-01-10",
         "cine_referral_source_code": "6", "cine_ext_threshold_decision": "L4"},
    ])  # fmt: skip
    write(county, contract.CIN_ASSESSMENTS, [
        {"cina_assessment_id": "A1", "cina_person_id": "P1", "cina_referral_id": "R2",
         "cina_assessment_start_date": "2025-01-11", "cina_assessment_auth_date": "2025-02-20",
         "cina_assessment_child_seen": "Y"},
        {"cina_assessment_id": "A2", "cina_person_id": "P1", "cina_referral_id": "R9",
         "cina_assessment_start_date": "2025-01-11"},  # no referral R9 in ssd_cin_episodes.csv
    ])  # fmt: skip
    write(county, contract.ASSESSMENT_FACTORS, [
        {"cinf_table_id": "AF1", "cinf_assessment_id": "A1",
         "cinf_assessment_factors_json": json.dumps({"3B": "Yes", "16A": "Yes", "18C": "Yes", "4A": "No", "21": "No"}),
         "basis": "opinion"},
        {"cinf_table_id": "AF2", "cinf_assessment_id": "A2", "cinf_assessment_factors_json": json.dumps({"1A": "Yes"})},
    ])  # fmt: skip
    write(county, contract.S47, [
        {"s47e_s47_enquiry_id": "S1", "s47e_referral_id": "R2", "s47e_person_id": "P1",
         "s47e_s47_start_date": "2025-01-12", "s47e_s47_end_date": "2025-01-30", "s47e_s47_nfa": "N"},
    ])  # fmt: skip
    write(county, contract.CP_PLANS, [
        {"cppl_cp_plan_id": "CP1", "cppl_referral_id": "R2", "cppl_person_id": "P1",
         "cppl_cp_plan_start_date": "2025-02-01", "cppl_cp_plan_initial_category": "PHY",
         "cppl_cp_plan_latest_category": "NEG"},
    ])  # fmt: skip
    write(county, contract.CIN_PLANS, [
        {"cinp_cin_plan_id": "CIN1", "cinp_referral_id": "R2", "cinp_person_id": "P1",
         "cinp_cin_plan_start_date": "2025-06-01"},
    ])  # fmt: skip
    write(county, contract.CLA_EPISODES, [
        {"clae_cla_episode_id": "CLA1", "clae_person_id": "P1", "clae_cla_episode_start_date": "2025-08-01",
         "clae_cla_episode_start_reason": "S", "clae_cla_primary_need_code": "N1"},
    ])  # fmt: skip
    write(county, contract.EARLY_HELP_EPISODES, [
        {"earl_episode_id": "EH1", "earl_person_id": "P1", "earl_episode_start_date": "2024-05-10",
         "earl_episode_end_date": "2024-06-01", "earl_episode_reason": "domestic_abuse",
         "earl_episode_end_reason": "no_consent", "earl_ext_consent_to_service": "N",
         "earl_ext_stepped_down_from_referral_id": "R1"},
    ])  # fmt: skip
    write(county, contract.MISSING, [
        {"miss_table_id": "MS1", "miss_person_id": "P1", "miss_missing_episode_start_date": "2025-03-01",
         "miss_missing_episode_type": "M", "miss_missing_episode_end_date": "2025-03-02",
         "miss_missing_rhi_offered": "Y", "miss_missing_rhi_accepted": "N"},
    ])  # fmt: skip
    write(county, contract.INVOLVEMENTS, [
        {"invo_involvements_id": "I1", "invo_professional_id": "W1", "invo_professional_role_id": "Allocated social worker",
         "invo_professional_team": "Assessment Team North", "invo_involvement_start_date": "2025-01-11",
         "invo_person_id": "P1", "invo_referral_id": "R2"},
    ])  # fmt: skip
    write(county, contract.VOICE_OF_CHILD, [
        {"voch_table_id": "V1", "voch_person_id": "P1", "voch_explained_worries": "Y", "voch_agree_worker": "N",
         "voch_ext_views": "I want my dad to stop shouting at mum.", "basis": "opinion"},
    ])  # fmt: skip
    return county


def test_ssd_extract_loads_every_table(graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path) -> None:
    db = neo4j_settings.database
    county = ssd_extract(tmp_path / "county")
    run = load(graph, neo4j_settings, [county], tmp_path / "q")
    ssd = {s.kind for s in contract.FILES if s.kind.startswith("csc.ssd_")}
    got = {f.kind: (f.read, f.loaded, f.quarantined) for f in run.files}
    assert set(got) == ssd
    assert got["csc.ssd_person"] == (5, 4, 1)  # P5's impossible date; P3's doubtful NHS number loads flagged
    assert got["csc.ssd_linked_identifiers"] == (3, 2, 1)
    assert got["csc.ssd_contacts"] == (2, 1, 1)
    assert got["csc.ssd_cin_assessments"] == (2, 1, 1)
    assert got["csc.ssd_assessment_factors"] == (2, 1, 1)
    assert sum(f.quarantined for f in run.files) == 5
    why = {(Path(r.file).name, r.row, r.field, r.value): r.reason for r in run.rejections}
    assert why == {
        ("ssd_person.csv", 6, "pers_dob", "2015-02-30"): "date YYYY-MM-DD: '2015-02-30'",
        ("ssd_linked_identifiers.csv", 4, "link_person_id", "P5"):
            "no loadable row with this id in ssd_person.csv beside this file",
        ("ssd_contacts.csv", 3, "cont_person_id", "P99"): "no loadable row with this id in ssd_person.csv beside this file",
        ("ssd_cin_assessments.csv", 3, "cina_referral_id", "R9"):
            "no loadable row with this id in ssd_cin_episodes.csv beside this file",
        ("ssd_assessment_factors.csv", 3, "cinf_assessment_id", "A2"):
            "no loadable row with this id in ssd_cin_assessments.csv beside this file",
    }  # fmt: skip
    # nothing of a quarantined row reached the graph: every fact has its child
    assert rows(graph, db, "MATCH (f:Fact) WHERE NOT (f)<-[:INVOLVED_IN]-() RETURN count(f)") == [(0,)]
    facts = dict(rows(graph, db, "MATCH (f:Fact) RETURN f.fact_type, count(*)"))
    assert facts == {
        "contact": 1, "referral": 2, "assessment": 1, "assessment_factor": 3, "s47_enquiry": 1, "cp_plan": 1,
        "cin_plan": 1, "looked_after_episode": 1, "early_help_episode": 1, "missing_episode": 1, "cin_episode": 1,
        "voice_of_child": 1,
    }  # fmt: skip

    # the person record: NHS number, the UPN and police reference from the linked identifiers, the current home
    child = rows(
        graph, db,
        "MATCH (r:SourceRecord {record_key: 'csc|ssd_person|P1'}) RETURN r.nhs_number, r.upn, r.la_child_id, "
        "r.postcode, r.address_line, r.linked_identifiers, r.recorded_by_role, r.basis",
    )  # fmt: skip
    assert child == [(CHILD_NHS, CHILD_UPN, "P1", "JG1 2AB", "12 High Street, Thornwick",
                      [f"Unique Pupil Number: {CHILD_UPN}", "Incident ID: OC2024-000123"], "Social worker", "fact")]  # fmt: skip
    flagged = rows(
        graph, db,
        "MATCH (r:SourceRecord {record_key: 'csc|ssd_person|P3'}) "
        "RETURN r.nhs_number, r.doubtful_pers_common_child_id, size(r.doubtful_reasons)",
    )  # fmt: skip
    assert flagged == [(None, BAD_NHS, 1)]
    unborn = rows(
        graph, db, "MATCH (r:SourceRecord {record_key: 'csc|ssd_person|P4'}) RETURN r.expected_date_of_birth"
    )
    assert str(unborn[0][0]) == "2026-05-01"

    # family, addresses (one dwelling shared by mother and child, by UPRN), mother and step-parent links
    assert rows(
        graph, db,
        "MATCH (r:SourceRecord)-[:MEMBER_OF]->(h:Household {household_key: 'csc|ssd_family|FAM1'}) "
        "RETURN count(r)",
    ) == [(2,)]  # fmt: skip
    lived = rows(
        graph, db,
        "MATCH (r:SourceRecord)-[l:LIVED_AT]->(a:Address) RETURN r.la_child_id, a.address_key, a.postcode, "
        "toString(l.from), toString(l.to) ORDER BY r.la_child_id, l.from",
    )  # fmt: skip
    assert lived == [
        ("P1", "addr:3 LOW ROAD REDCROSS|JG7 9XX", "JG7 9XX", "2015-02-01", "2020-01-01"),
        ("P1", "uprn:100000000001", "JG1 2AB", "2020-01-01", None),
        ("P2", "uprn:100000000001", "JG1 2AB", "2020-01-01", None),
    ]
    links = rows(
        graph, db,
        "MATCH (a:SourceRecord)-[l:RELATED_TO]->(b:SourceRecord) RETURN a.la_child_id, l.type, b.la_child_id, "
        "toString(l.from) ORDER BY a.la_child_id, b.la_child_id",
    )  # fmt: skip
    assert links == [("P2", "parent", "P1", "2015-02-01"), ("P3", "step_parent", "P1", "2023-01-01"),
                     ("P3", "partner", "P2", None)]  # fmt: skip

    # the referral: source, threshold, feedback, deemed malicious and by whom, as the worker's opinion
    referral = rows(
        graph, db,
        "MATCH (:SourceRecord {la_child_id: 'P1'})-[:INVOLVED_IN {role: 'subject'}]->(f:Referral {fact_type: 'referral'}) "
        "WHERE f.source_record_id = 'R1' RETURN f.referral_source, f.threshold_decision, toString(f.feedback_on), "
        "f.deemed_malicious, f.deemed_malicious_by_role, f.multi_agency_assessment, f.referrer_relationship, "
        "f.outcome, f.contact_key, f.basis, f.recorded_by_role, toString(f.recorded_on)",
    )  # fmt: skip
    assert referral == [("1A", "L1", "2024-05-09", True, "Team manager", False, "grandmother", ["nfa"],
                         "csc|ssd_contacts|C1", "opinion", "Team manager", "2024-05-03")]  # fmt: skip
    # assessment PART_OF its referral; factors PART_OF the assessment, where each attaches, the child their subject
    factors = rows(
        graph, db,
        "MATCH (c:SourceRecord {la_child_id: 'P1'})-[:INVOLVED_IN]->(f:AssessmentFactor)-[:PART_OF]->"
        "(a:Assessment)-[:PART_OF]->(r:Referral {source_record_id: 'R2'}) "
        "RETURN f.code, f.attaches_to, f.abuse_by, f.basis ORDER BY f.code",
    )  # fmt: skip
    assert factors == [("16A", "child", None, "opinion"), ("18C", "child", "adult", "opinion"),
                       ("3B", "parent_carer", None, "opinion")]  # fmt: skip
    assert rows(
        graph,
        db,
        "MATCH (:Episode {fact_type: 's47_enquiry'})-[:PART_OF]->(r:Referral) RETURN r.source_record_id",
    ) == [("R2",)]
    eh = rows(
        graph, db,
        "MATCH (f:Episode {fact_type: 'early_help_episode'}) RETURN f.consent_to_service, f.closure_reason, f.reason, "
        "f.stepped_down_from_key",
    )  # fmt: skip
    assert eh == [("N", "no_consent", "domestic_abuse", "csc|ssd_cin_episodes|R1")]
    plan_ = rows(
        graph,
        db,
        "MATCH (f:Plan {fact_type: 'cp_plan'}) RETURN f.initial_category, f.latest_category, f.summary",
    )
    assert plan_ == [("PHY", "NEG", "child protection plan: neglect")]
    view = rows(
        graph, db, "MATCH (f:ChildView) RETURN f.summary, f.explained_worries, f.agree_worker, f.basis"
    )
    assert view == [("I want my dad to stop shouting at mum.", True, False, "opinion")]
    invo = rows(
        graph, db, "MATCH (f:Episode {fact_type: 'cin_episode'}) RETURN f.episode_kind, f.team, f.ended_on"
    )
    assert invo == [("worker_involvement", "Assessment Team North", None)]

    # loading the same files again changes nothing
    before = graph_size(graph, db)
    again = load(graph, neo4j_settings, [county], tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0
    assert graph_size(graph, db) == before


def test_changed_referral_keeps_its_previous_version(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    county = ssd_extract(tmp_path / "county")
    load(graph, neo4j_settings, [county], tmp_path / "q")
    path = county / contract.CIN_EPISODES.paths[0]
    path.write_text(path.read_text().replace("2024-05-09", "2024-05-06"))  # feedback date corrected
    run = load(graph, neo4j_settings, [path], tmp_path / "q")
    assert [(f.created, f.updated) for f in run.files] == [(0, 1)]
    got = rows(
        graph, db,
        "MATCH (f:Referral {source_record_id: 'R1'})-[:PREVIOUS_VERSION]->(v:RecordVersion) "
        "RETURN toString(f.feedback_on), toString(v.feedback_on)",
    )  # fmt: skip
    assert got == [("2024-05-06", "2024-05-09")]


# -- the synthetic county -----------------------------------------------------------------------------------

CHILDREN, SEED = 300, 11
# references a row cannot load without (column -> file kind): the contract's person references, and the facts
# a fact is PART_OF
PART_OF = {
    "csc.ssd_cin_assessments": {"cina_referral_id": "csc.ssd_cin_episodes"},
    "csc.ssd_s47_enquiry": {"s47e_referral_id": "csc.ssd_cin_episodes"},
    "csc.ssd_assessment_factors": {"cinf_assessment_id": "csc.ssd_cin_assessments"},
}
CSC_CSV = [s for s in contract.FILES if s.format == "csv"]


@pytest.fixture(scope="module")
def counties(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    synth = pytest.importorskip(
        "ingest.synthetic.generate", reason="the synthetic county generator is not there"
    )
    from ingest.synthetic.config import SynthConfig

    out = {}
    for name, bad in (("clean", False), ("bad", True)):
        folder = tmp_path_factory.mktemp(f"county_{name}")
        synth.generate(SynthConfig(CHILDREN, SEED, folder, bad_rows=bad))
        out[name] = folder
    return out


def csv_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(file line, row) of a CSV, straight from the file: short (truncated) rows keep the fields they have."""
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        start = reader.line_num + 1
        for values in reader:
            out.append((start, dict(zip(header, values, strict=False))))
            start = reader.line_num + 1
    return out


def expected_outcome(county: Path) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """From the truth: (rows that must be quarantined, rows that must load with a value flagged).

    A planted bad value in an optional identifier (an NHS number or UPN failing its check character, a malformed
    postcode) is doubtful, not unloadable: the row loads flagged. So is a UPN failing its check letter in the
    SSDA903 header and the CIN census (see the adapters). Every other planted row is quarantined, and with it
    every row that needs it: a fact about a quarantined person, an assessment of a quarantined referral, the
    factors of a quarantined assessment, and so on."""
    truth = csv_rows(county / "truth" / "bad_rows.csv")
    planted = [
        (r["file"], int(r["row"]), r["field"], r["reason"]) for _, r in truth if r["file"].startswith("csc/")
    ]
    specs = {s.paths[0]: s for s in contract.FILES}
    doubtful: set[tuple[str, int]] = set()
    lost: set[tuple[str, int]] = set()
    for file, row, fld, reason in planted:
        spec = specs[file]
        col = next((c for c in spec.columns if c.name == fld), None)
        optional_id = col is not None and col.kind in DOUBTFUL_KINDS and not col.required
        upn_check = (
            fld == "UPN" and "check" in reason and spec.kind in ("csc.ssda903_header", "csc.cin_census")
        )
        (doubtful if optional_id or upn_check else lost).add((file, row))
    # the cascade, to a fixed point
    table = {s.kind: [(line, r) for line, r in csv_rows(county / s.paths[0])] for s in CSC_CSV}
    while True:
        lost_ids = {
            s.kind: {s.source_record_id(r) for line, r in table[s.kind] if (s.paths[0], line) in lost}
            for s in CSC_CSV
        }
        more = {
            (s.paths[0], line)
            for s in CSC_CSV
            for line, r in table[s.kind]
            for column, kind in {**s.person_refs, **PART_OF.get(s.kind, {})}.items()
            if r.get(column) and r[column] in lost_ids[kind]
        } - lost
        if not more:
            return lost, doubtful
        lost |= more


def quarantined_rows(run: RunReport, county: Path) -> set[tuple[str, int]]:
    return {(Path(r.file).relative_to(county).as_posix(), r.row) for r in run.rejections}


def test_synthetic_county_csc_loads_and_reloads_to_nothing(
    graph: neo4j.Driver, neo4j_settings: Settings, counties: dict[str, Path], tmp_path: Path
) -> None:
    db = neo4j_settings.database
    county = counties["clean"]
    run = load(graph, neo4j_settings, [county / "csc"], tmp_path / "q")
    csc_kinds = {s.kind for s in contract.FILES}
    assert {f.kind for f in run.files} == csc_kinds
    assert not run.rejections  # a clean county loads whole
    for f in run.files:
        spec = FILES[f.kind]
        if spec.format == "csv":
            assert f.read == len(csv_rows(Path(f.file))), f.kind
    # every SSD person and every SSDA903 child is a record; every child of the census too
    persons = len(csv_rows(county / contract.PERSON.paths[0])) + len(
        csv_rows(county / contract.SSDA903_HEADER.paths[0])
    )
    census_children = len(list(ids_of_children(county)))
    assert rows(graph, db, "MATCH (r:SourceRecord {agency: 'csc'}) RETURN count(r)") == [
        (persons + census_children,)
    ]
    assert rows(
        graph, db, "MATCH (f:Fact) WHERE NOT (f)<-[:INVOLVED_IN {role: 'subject'}]-() RETURN count(f)"
    ) == [(0,)]
    before = graph_size(graph, db)
    again = load(graph, neo4j_settings, [county / "csc"], tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0
    assert graph_size(graph, db) == before  # 0 nodes, 0 relationships


def ids_of_children(county: Path) -> Iterable[str]:
    text = (county / contract.CIN_CENSUS.paths[0]).read_text(encoding="utf-8")
    return (part.split("</LAchildID>")[0] for part in text.split("<LAchildID>")[1:])


def test_synthetic_county_bad_rows_are_exactly_the_planted_ones(
    graph: neo4j.Driver, neo4j_settings: Settings, counties: dict[str, Path], tmp_path: Path
) -> None:
    db = neo4j_settings.database
    county = counties["bad"]
    lost, doubtful = expected_outcome(county)
    assert lost and doubtful  # the generator planted both kinds in the csc files
    run = load(graph, neo4j_settings, [county / "csc"], tmp_path / "q")
    assert quarantined_rows(run, county) == lost
    assert all(r.reason for r in run.rejections)
    # the doubtful rows loaded, with the value flagged (moved to doubtful_<field>, the reason kept); an address
    # row's bad postcode leaves the LIVED_AT without it
    for file, row in sorted(doubtful):
        if file == contract.CIN_CENSUS.paths[0]:
            key = contract.CIN_CENSUS.record_key(list(ids_of_children(county))[row - 1])
            query = "MATCH (n:SourceRecord {record_key: $k}) RETURN n.doubtful_UPN, n.doubtful_reasons"
            got = rows(graph, db, query, k=key)
        elif file == contract.ADDRESS.paths[0]:
            sid = contract.ADDRESS.source_record_id(dict(csv_rows(county / file))[row])
            got = rows(
                graph, db, "MATCH ()-[l:LIVED_AT {source_record_id: $id}]->() RETURN l.source_table", id=sid
            )
        else:
            spec = next(s for s in CSC_CSV if s.paths[0] == file)
            sid = spec.source_record_id(dict(csv_rows(county / file))[row])
            query = (
                "MATCH (n {source_record_id: $id, source_table: $t}) WHERE n:SourceRecord OR n:Fact "
                "RETURN [k IN keys(n) WHERE k STARTS WITH 'doubtful_' | n[k]], n.doubtful_reasons"
            )
            got = rows(graph, db, query, id=sid, t=spec.table)
        assert got and all(got[0]), (file, row, got)
