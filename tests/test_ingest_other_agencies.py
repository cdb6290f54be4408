"""Early help, probation, housing and third sector on the real server: what each file becomes in the graph,
the rows each quarantines and why, and that loading twice creates nothing."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import neo4j

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.contract import early_help, housing, probation, third_sector
from ingest.contract.spec import FileSpec
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan

PROV = ["2024-05-02", "key worker", "fact"]


def count(graph: neo4j.Driver, db: str, query: str) -> int:
    return int(graph.execute_query(query, database_=db).records[0][0])


def load(graph: neo4j.Driver, settings: Settings, paths: list[Path], qdir: Path) -> RunReport:
    chosen, unknown = plan(paths)
    assert not unknown
    return run_ingest(chosen, GraphWriter(graph, settings.database), qdir)


def write_csv(folder: Path, spec: FileSpec, rows: list[list[str]]) -> None:
    path = folder / spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(spec.column_names)
        out.writerows(rows)


def extract(folder: Path) -> Path:
    write_csv(folder, early_help.CLIENTS, [
        ["E1", "F1", "Kayleigh", "Jones", "2015-02-01", "F", "9434765919", "", "12 High Street", "JG1 2AB", "child", *PROV],
        ["E2", "F1", "Amy", "Jones", "1990-01-01", "F", "9434765918", "", "12 High Street", "JG1 2AB", "parent", *PROV],
        ["E3", "F1", "", "Jones", "", "", "", "", "", "", "", *PROV],  # no forename
    ])  # fmt: skip
    write_csv(folder, early_help.EPISODES, [
        ["H1", "E1", "2024-01-05", "6", "OCC123", "domestic_abuse", "N", "", "2024-02-01", "no_consent", "Y", "",
         "refused support", *PROV],
        ["H2", "E1", "2024-03-05", "6", "", "parenting", "Y", "2024-03-10", "2024-04-01", "outcomes_met", "N", "", "", *PROV],
    ])  # fmt: skip
    write_csv(folder, probation.PEOPLE, [
        ["X123456", "Dan", "Smyth", "Danny Smith; D Smyth", "1990-04-03", "M", "", "12 High Street", "JG1 2AB", "Y",
         "2024-01-01", "probation officer", "fact"],
        ["123456", "Bad", "Crn", "", "1990-04-03", "M", "", "", "", "", "2024-01-01", "probation officer", "fact"],
    ])  # fmt: skip
    write_csv(folder, probation.SUPERVISIONS, [
        ["S1", "X123456", "licence", "2023-06-01", "2025-06-01", "domestic_abuse", "high", "Y", "2", "2",
         "2024-01-01", "probation officer", "opinion"],
        ["S2", "X123456", "community_order", "2022-01-01", "", "violence", "", "", "2", "",
         "2024-01-01", "probation officer", "fact"],  # MAPPA category without its level
        ["S3", "Y999999", "community_order", "2022-01-01", "", "violence", "", "", "", "",
         "2024-01-01", "probation officer", "fact"],  # unknown person
    ])  # fmt: skip
    write_csv(folder, housing.TENANCIES, [
        ["T1", "100012345678", "12 High Street", "JG1 2AB", "council", "2020-01-01", "", "", "Y", *PROV],
        ["T2", "", "1 Nowhere", "", "council", "2020-01-01", "", "", "", *PROV],  # no postcode
    ])  # fmt: skip
    write_csv(folder, housing.OCCUPANTS, [
        ["O1", "T1", "Amy", "Jones", "1990-01-01", "F", "", "lead_tenant", "2020-01-01", "", *PROV],
        ["O2", "T1", "Kayleigh", "Jones", "2015-02-01", "F", "", "household_member", "2020-01-01", "", *PROV],
        ["O3", "T1", "Dan", "Smyth", "", "M", "", "lodger", "2023-01-01", "", *PROV],
        ["O4", "T9", "Nobody", "Home", "", "", "", "lead_tenant", "", "", *PROV],  # unknown tenancy
    ])  # fmt: skip
    write_csv(folder, housing.TENANCY_EVENTS, [
        ["V1", "T1", "O1", "da_disclosure", "2024-02-02", "disclosed DA by lodger", *PROV],
        ["V2", "T9", "", "asb_complaint", "2024-02-02", "", *PROV],  # unknown tenancy
    ])  # fmt: skip
    write_csv(folder, third_sector.CONCERNS, [
        ["TS1", "Jigtown FC", "sports_club", "2024-04-01", "adult_risk", "coach worried about Dan", "legitimate_interests",
         "", "2024-04-02", "2024-04-02", "welfare officer", "opinion"],
        ["TS2", "Helpline", "helpline", "2024-04-01", "neglect", "caller", "consent", "", "2024-04-02", "2024-04-02",
         "call handler", "fact"],  # consent without who consented
    ])  # fmt: skip
    write_csv(folder, third_sector.CONCERN_PERSONS, [
        ["TP1", "TS1", "Kayleigh", "", "", "9", "victim", "", "", *PROV],
        ["TP2", "TS1", "Dan", "", "", "", "suspect", "", "", *PROV],
        ["TP3", "TS2", "Someone", "", "", "", "subject", "", "", *PROV],  # the concern was quarantined
    ])  # fmt: skip
    return folder


def test_early_help_probation_housing_third_sector_load(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    folder = extract(tmp_path / "county")
    run = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert not run.bad_files
    assert all(f.balanced for f in run.files)
    assert {f.kind: (f.read, f.loaded, f.quarantined) for f in run.files} == {
        "early_help.clients": (3, 2, 1),
        "early_help.episodes": (2, 2, 0),
        "probation.people": (2, 1, 1),
        "probation.supervisions": (3, 1, 2),
        "housing.tenancies": (2, 1, 1),
        "housing.occupants": (4, 3, 1),
        "housing.tenancy_events": (2, 1, 1),
        "third_sector.concerns": (2, 1, 1),
        "third_sector.concern_persons": (3, 2, 1),
    }
    why = {
        (Path(r.file).parent.name + "/" + Path(r.file).name, r.row): (r.field, r.reason)
        for r in run.rejections
    }
    assert why[("early_help/clients.csv", 4)][0] == "forenames"
    assert why[("probation/people.csv", 3)][0] == "crn"
    assert why[("probation/supervisions.csv", 3)][0] == "mappa_level,mappa_category"
    assert "probation|people|Y999999" in why[("probation/supervisions.csv", 4)][1]
    assert why[("housing/tenancies.csv", 3)][0] == "postcode"
    assert "housing|tenancies|T9" in why[("housing/occupants.csv", 5)][1]
    assert "housing|tenancies|T9" in why[("housing/tenancy_events.csv", 3)][1]
    assert why[("third_sector/concerns.csv", 3)][0] == "consent_given_by,legal_basis"
    assert "third_sector|concerns|TS2" in why[("third_sector/concern_persons.csv", 4)][1]

    # early help: the family as a household; the episode closed without consent while risk was noted
    eh = graph.execute_query(
        "MATCH (c:SourceRecord {record_key: 'early_help|clients|E1'})-[:MEMBER_OF]->(h:Household)"
        "<-[m:MEMBER_OF]-(p:SourceRecord {record_key: 'early_help|clients|E2'}) "
        "MATCH (c)-[:INVOLVED_IN {role: 'subject'}]->(e:Episode {fact_type: 'early_help_episode', closure_reason: 'no_consent'}) "
        "RETURN m.member_role AS role, e.closed_without_service_while_at_risk AS red, e.referral_source AS src, "
        "p.doubtful_nhs_number AS doubt, p.nhs_number AS nhs",
        database_=db,
    ).records
    assert [dict(r) for r in eh] == [
        {"role": "parent", "red": True, "src": "6", "doubt": "9434765918", "nhs": None}
    ]
    # probation: the supervision and the MAPPA flag on the person, part of the supervision
    pr = graph.execute_query(
        "MATCH (p:SourceRecord {record_key: 'probation|people|X123456'})-[:INVOLVED_IN {role: 'offender'}]->"
        "(s:Episode {fact_type: 'probation_supervision'}) "
        "MATCH (p)-[:INVOLVED_IN {role: 'subject'}]->(f:Flag {fact_type: 'mappa'})-[:PART_OF]->(s) "
        "RETURN s.offence_category AS offence, s.risk_to_children AS children, s.basis AS basis, "
        "f.mappa_level AS level, p.other_names AS aliases",
        database_=db,
    ).records
    assert [dict(r) for r in pr] == [
        {"offence": "domestic_abuse", "children": True, "basis": "opinion", "level": "2", "aliases": "Danny Smith; D Smyth"}
    ]  # fmt: skip
    # housing: the tenancy at its UPRN, tenants and household, the event part of the tenancy
    ho = graph.execute_query(
        "MATCH (t:Episode {fact_type: 'tenancy'})-[:AT]->(a:Address {address_key: 'uprn:100012345678'}) "
        "MATCH (r:SourceRecord)-[i:INVOLVED_IN]->(t) "
        "MATCH (r)-[:MEMBER_OF]->(:Household {household_key: 'housing|tenancy|T1'}) MATCH (r)-[:LIVED_AT]->(a) "
        "WITH t, collect(i.role) AS roles MATCH (e:Event {fact_type: 'tenancy_event'})-[:PART_OF]->(t) "
        "MATCH (e)<-[:INVOLVED_IN {role: 'subject'}]-(amy:SourceRecord) "
        "RETURN t.arrears AS arrears, roles, e.event_type AS event, amy.given_name AS who",
        database_=db,
    ).records
    assert [(r["arrears"], sorted(r["roles"]), r["event"], r["who"]) for r in ho] == [
        (True, ["household_member", "occupant", "tenant"], "da_disclosure", "Amy")
    ]
    # third sector: the concern with its legal basis and the people in it
    ts = graph.execute_query(
        "MATCH (v:SourceRecord)-[:INVOLVED_IN {role: 'victim'}]->(c:Event {fact_type: 'third_sector_concern'})"
        "<-[:INVOLVED_IN {role: 'suspect'}]-(s:SourceRecord) "
        "RETURN c.legal_basis AS basis, c.basis AS fo, c.organisation AS org, v.approx_age AS age, s.given_name AS who",
        database_=db,
    ).records
    assert [dict(r) for r in ts] == [
        {"basis": "legitimate_interests", "fo": "opinion", "org": "Jigtown FC", "age": 9, "who": "Dan"}
    ]
    # every fact and relationship written carries its provenance
    assert (
        count(graph, db, "MATCH (f:Fact) WHERE f.recorded_on IS NULL OR f.basis IS NULL RETURN count(f)") == 0
    )
    assert (
        count(graph, db, "MATCH ()-[r:INVOLVED_IN|RELATED_TO|LIVED_AT|MEMBER_OF]->() WHERE r.agency IS NULL "
                         "OR r.recorded_by_role IS NULL OR r.ingest_run_id IS NULL RETURN count(r)")
        == 0
    )  # fmt: skip
    nodes = count(graph, db, "MATCH (n) WHERE NOT n:IngestRun RETURN count(n)")
    rels = count(graph, db, "MATCH ()-[r]->() RETURN count(r)")
    again = load(graph, neo4j_settings, [folder], tmp_path / "q")
    assert sum(f.created + f.updated for f in again.files) == 0
    assert count(graph, db, "MATCH (n) WHERE NOT n:IngestRun RETURN count(n)") == nodes
    assert count(graph, db, "MATCH ()-[r]->() RETURN count(r)") == rels


def test_bench_ingest_measures_the_ingest_and_the_baseline(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    """The benchmark on a small county (not a timing test): every row read is counted, the baseline writes the
    same rows and leaves nothing behind, the figures and the JSON are consistent."""
    from ingest.bench import BASELINE_LABEL, run_bench, write_json
    from ingest.synthetic.config import SynthConfig
    from ingest.synthetic.generate import generate

    db = neo4j_settings.database
    folder = tmp_path / "county"
    generate(SynthConfig(children=60, seed=3, out=folder))
    graph.execute_query("CREATE (:Leftover {from_an_earlier_run: true})", database_=db)
    result = run_bench(graph, db, folder, children=60, seed=3, batch_size=500)
    assert count(graph, db, "MATCH (n:Leftover) RETURN count(n)") == 0  # the graph was cleared first
    assert count(graph, db, f"MATCH (n:{BASELINE_LABEL}) RETURN count(n)") == 0
    assert not result.bad_files and not result.skipped
    assert result.records == sum(f.read for f in result.files) == result.loaded + result.quarantined > 0
    assert result.baseline_rows == result.records  # a clean county: one baseline row per source row
    assert {a.agency for a in result.agencies} >= {"health", "education", "police"}
    assert result.rate > 0 and result.baseline_rate > 0 and result.ratio == result.rate / result.baseline_rate
    assert result.nodes == count(graph, db, "MATCH (n) RETURN count(n)") and result.relationships > 0
    assert result.peak_rss_ingest_mb > 0
    write_json(result, tmp_path / "bench.json")
    figures = json.loads((tmp_path / "bench.json").read_text())
    assert figures["records"] == result.records and "meets_rate" in figures["targets"]
