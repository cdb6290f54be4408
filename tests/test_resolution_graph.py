"""Entity resolution on the real Neo4j: the glossary's Dan Smyth, the guards, analysts' decisions surviving
re-runs, stable person ids, undoing a merge, incremental updates, training and accuracy, and the CLI.

Most tests use one model trained once (in memory, on seeded synthetic records) so that each test needs only
a handful of hand-built records; one test trains through ``resolve`` itself.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd
import pytest
from typer.testing import CliRunner

import ingest.adapters  # noqa: F401  (registers the adapters)
from app.cli import cli
from app.governance import Governance
from app.governance.service import operator_actor
from graph.config import Settings
from graph.connection import connection_details
from graph.model import FactRow, GraphRows, InvolvementRow, PersonLinkRow, Provenance, SourceRecordRow
from graph.writer import GraphWriter
from ingest.framework import run_ingest
from ingest.registry import plan
from ingest.resolution import (
    DecisionRefused,
    ResolutionSettings,
    decide,
    export_links,
    links_frame,
    pairwise_precision_recall,
    resolve,
    review_detail,
    review_queue,
    split_record,
)
from ingest.resolution.clustering import pair_key
from ingest.resolution.engine import review_id
from ingest.resolution.features import prepare_features
from ingest.resolution.matcher import Matcher
from ingest.resolution.persons import EVIDENCE_KEYS, link_props, new_link
from ingest.resolution.simulate import simulate
from ingest.resolution.store import NewLinks, ResolutionStore

REF = date(2026, 3, 1)
T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


def nhs(first_nine: str) -> str:
    total = sum(int(d) * w for d, w in zip(first_nine, (10, 9, 8, 7, 6, 5, 4, 3, 2), strict=True))
    check = 11 - total % 11
    assert check != 10
    return first_nine + str(0 if check == 11 else check)


def pnc(year: str, serial: str) -> str:
    return f"{year}/{serial}" + "ZABCDEFGHJKLMNPQRTUVWXY"[int(year[-2:] + serial.zfill(7)) % 23]


def upn(body: str) -> str:
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[sum(w * int(c) for w, c in enumerate(body, start=2)) % 23] + body


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once on seeded synthetic records (no database needed)."""
    sim = simulate(150, seed=5, reference=REF)
    # trained as a big county is: DuckDB within a memory limit, expectation maximisation on sampled pairs
    matcher = Matcher(prepare_features(sim.records, REF), memory_limit="1GB")
    try:
        matcher.train(seed=1, max_pairs_u=3e5, max_pairs_em=5e3)
        model = matcher.model({"version": 0, "trained_at": T0.isoformat(), "records": len(sim.records)})
    finally:
        matcher.close()
    path = tmp_path_factory.mktemp("model") / "model.json"
    path.write_text(json.dumps(model))
    return path


def settings(tmp_path: Path, model: Path | None) -> ResolutionSettings:
    return ResolutionSettings(data_dir=tmp_path / "resolution", reference_date=REF, model_file=model,
                              max_pairs_u=3e5, run_by="test")  # fmt: skip


def rec(
    key: str, given: str | None, family: str | None, dob: date | None = None, **kw: Any
) -> SourceRecordRow:
    agency, table, rid = key.split("|")
    prov = Provenance(agency, table, rid, "test", None, None, "fact", T0, "run-test")
    return SourceRecordRow(prov, {"id": rid}, given, family, date_of_birth=dob, **kw)


def load(driver: neo4j.Driver, db: str, *records: SourceRecordRow, **more: list[Any]) -> None:
    rows = GraphRows(source_records=list(records))
    for kind, items in more.items():
        getattr(rows, kind).extend(items)
    GraphWriter(driver, db).write(rows)


def person_of(driver: neo4j.Driver, db: str) -> dict[str, str]:
    records = driver.execute_query(
        "MATCH (r:SourceRecord)-[:RECORD_OF]->(p:Person) RETURN r.record_key AS k, p.person_id AS p",
        database_=db,
    ).records
    return {r["k"]: r["p"] for r in records}


def link(driver: neo4j.Driver, db: str, key: str) -> dict[str, Any]:
    rows = driver.execute_query(
        "MATCH (:SourceRecord {record_key: $k})-[l:RECORD_OF]->() RETURN properties(l) AS l",
        k=key,
        database_=db,
    ).records
    assert len(rows) == 1, f"{key} has {len(rows)} RECORD_OF links"
    return dict(rows[0]["l"])


def pending_pairs(driver: neo4j.Driver, db: str) -> set[str]:
    return {i.pair_key for i in review_queue(driver, db, "pending", 1000)}


def every_record_has_one_person(driver: neo4j.Driver, db: str) -> bool:
    rec = driver.execute_query(
        "MATCH (r:SourceRecord) RETURN count(r) AS n, "
        "sum(CASE WHEN COUNT { (r)-[:RECORD_OF]->(:Person) } = 1 THEN 1 ELSE 0 END) AS linked_once",
        database_=db,
    ).records[0]
    return bool(rec["n"] == rec["linked_once"])


DAN = "police|persons|N1"
DANIEL = "health|maternity_partner|M1"
OTHER_DANIEL = "police|persons|N2"
MUM = "health|patients|MUM"


def test_glossary_dan_smyth_is_daniel_smith_and_the_other_daniel_is_not(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    mum = rec(MUM, "Kayleigh", "Jones", date(1995, 6, 2), sex="F", nhs_number=nhs("401023456"),
              postcode="B86 0LF", address_line="12 High Street", expected_date_of_birth=None)  # fmt: skip
    load(
        graph, db,
        rec(DAN, "Dan", "Smyth", date(1990, 4, 3), sex="M", pnc_id=pnc("2008", "123456"), postcode="B86 0LF",
            address_line="12 High St"),
        rec(DANIEL, "Daniel", "Smith", date(1990, 3, 4), sex="Male", postcode="B86 0LF",
            address_line="12 High Street"),
        rec(OTHER_DANIEL, "Daniel", "Smith", date(1985, 7, 12), sex="M", pnc_id=pnc("2003", "765432"),
            postcode="B91 2AB", address_line="3 Mill Lane"),
        mum,
        person_links=[PersonLinkRow(DANIEL, MUM, "partner", Provenance("health", "maternity_partner", "L1", "test",
                                                                      None, None, "fact", T0, "run-test"))],
    )  # fmt: skip
    report = resolve(graph, db, settings(tmp_path, model_file))
    persons = person_of(graph, db)
    assert every_record_has_one_person(graph, db) and report.records == 4
    same = persons[DAN] == persons[DANIEL]
    assert same or pair_key(DAN, DANIEL) in pending_pairs(graph, db)
    assert persons[OTHER_DANIEL] not in (persons[DAN], persons[DANIEL])
    assert pair_key(DAN, OTHER_DANIEL) not in pending_pairs(graph, db)
    if same:  # the link says why: nickname, phonetic surname, transposed date of birth
        evidence = (
            link(graph, db, DANIEL)
            if link(graph, db, DANIEL)["matched_with"] == DAN
            else link(graph, db, DAN)
        )
        assert evidence["method"] == "probabilistic" and evidence["match_probability"] >= 0.99
        assert {"given_name:nickname", "date_of_birth:day and month transposed"} <= set(
            evidence["matched_fields"]
        )
        assert evidence["linked_at"] and evidence["decided_by"].startswith("jigsaw resolve")


def test_a_child_and_an_adult_are_never_one_person(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    shared = nhs("612345678")
    load(
        graph, db,
        rec("health|patients|C1", "Kayleigh", "Jones", date(2015, 2, 1), sex="F", nhs_number=shared, postcode="B87 2CD"),
        rec("csc|persons|A1", "Kayleigh", "Jones", date(1990, 2, 1), sex="F", nhs_number=shared, postcode="B87 2CD"),
        rec("education|pupils|E1", "Kayleigh", "Jones", None, sex="F", upn=upn("801200011001"), postcode="B88 3EF",
            address_line="4 Elm Street"),
        rec("police|persons|A2", "Kayleigh", "Jones", date(1992, 5, 5), sex="F", postcode="B88 3EF",
            address_line="4 Elm Street"),
    )  # fmt: skip
    report = resolve(graph, db, settings(tmp_path, model_file))
    persons = person_of(graph, db)
    assert persons["health|patients|C1"] != persons["csc|persons|A1"]  # despite the same NHS number
    assert persons["education|pupils|E1"] != persons["police|persons|A2"]  # a pupil (UPN) is a child
    assert report.blocked.get("a child and an adult", 0) >= 2
    conflicts = review_queue(graph, db, "conflict")
    assert [(c.pair_key, c.reason) for c in conflicts] == [
        (pair_key("health|patients|C1", "csc|persons|A1"), "a child and an adult")
    ]
    with pytest.raises(DecisionRefused, match="a child and an adult"):
        decide(
            graph,
            db,
            conflicts[0].review_id,
            "confirm",
            "ana",
            "same NHS number",
            guards=settings(tmp_path, None).guards,
        )
    assert person_of(graph, db) == persons


def test_conflicting_nhs_numbers_and_twins_are_not_merged(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    load(
        graph, db,
        rec("health|patients|H1", "Oliver", "Hunter", date(2012, 10, 24), sex="M", nhs_number=nhs("301234567"),
            postcode="B90 1JE", address_line="7 Church Lane"),
        rec("csc|persons|H2", "Oliver", "Hunter", date(2012, 10, 24), sex="M", nhs_number=nhs("302234567"),
            postcode="B90 1JE", address_line="7 Church Lane"),
        # the public family-context sample's pair: same surname, date of birth and address, other first names
        rec("csc|persons|T1", "Martin", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF",
            address_line="Flat 78m Sally mall"),
        rec("education|pupils|T2", "Damian", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF",
            address_line="Flat 78m Sally mall"),
    )  # fmt: skip
    resolve(graph, db, settings(tmp_path, model_file))
    persons = person_of(graph, db)
    assert persons["health|patients|H1"] != persons["csc|persons|H2"]
    assert persons["csc|persons|T1"] != persons["education|pupils|T2"]
    twins = pair_key("csc|persons|T1", "education|pupils|T2")
    assert twins in pending_pairs(graph, db)  # doubtful: sent to review, not guessed
    detail = review_detail(graph, db, review_id(twins))
    assert detail.comparison["given_name"]["level"] == "different"
    assert detail.comparison["date_of_birth"]["agrees"] and len(detail.records) == 2


def test_analysts_decisions_survive_reruns_and_reruns_change_no_ids(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    load(
        graph, db,
        rec("csc|persons|T1", "Martin", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF"),
        rec("education|pupils|T2", "Damian", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF"),
        rec("police|persons|K1", "Tyler", "Reed", date(2009, 5, 6), sex="M", postcode="B92 9WY"),
        rec("early_help|persons|K2", "Kai", "Reed", date(2009, 5, 6), sex="M", postcode="B92 9WY"),
        rec("health|patients|S1", "Sophie", "Gibson", date(2014, 1, 9), sex="F", nhs_number=nhs("501234567")),
        rec("education|pupils|S2", "Sophie", "Gibson", date(2014, 1, 9), sex="F", nhs_number=nhs("501234567")),
    )  # fmt: skip
    config = settings(tmp_path, model_file)
    resolve(graph, db, config)
    twins, aka = (
        pair_key("csc|persons|T1", "education|pupils|T2"),
        pair_key("police|persons|K1", "early_help|persons|K2"),
    )
    assert {twins, aka} <= pending_pairs(graph, db)
    audit: list[dict[str, Any]] = []
    decide(
        graph, db, review_id(twins), "reject", "ana", "twins: school confirms two boys", audit=audit.append
    )
    result = decide(
        graph, db, review_id(aka), "confirm", "ana", "Kai is Tyler's middle name", audit=audit.append
    )
    assert [a["action"] for a in audit] == ["review.reject", "review.confirm"]
    persons = person_of(graph, db)
    assert persons["police|persons|K1"] == persons["early_help|persons|K2"] == result.person_ids[0]
    assert every_record_has_one_person(graph, db)
    assert graph.execute_query("MATCH (p:Person) RETURN count(p) AS n", database_=db).records[0]["n"] == 4

    for _ in range(2):  # the next runs keep both decisions and every person id
        report = resolve(graph, db, config)
        assert person_of(graph, db) == persons
        assert report.persons_created == 0 and report.persons_retired == 0
    assert report.links_written == 0 and report.reviews_new == 0
    assert pending_pairs(graph, db) == set()
    assert [i.pair_key for i in review_queue(graph, db, "rejected")] == [twins]
    confirmed = link(graph, db, "early_help|persons|K2")
    assert confirmed["method"] == "analyst" and confirmed["decided_by"] == "ana"
    stored = review_detail(graph, db, review_id(aka)).review
    assert stored["status"] == "confirmed" and stored["decision_reason"] == "Kai is Tyler's middle name"


def test_a_merge_is_undone_without_losing_anything(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    shared = nhs("701234567")
    prov = Provenance("police", "occurrences", "O1", "test", None, None, "fact", T0, "run-test")
    load(
        graph, db,
        rec("health|patients|P1", "Jade", "Walsh", date(2001, 3, 3), sex="F", nhs_number=shared),
        rec("police|persons|P2", "Jade", "Walsh", date(2001, 3, 3), sex="F", nhs_number=shared),
        facts=[FactRow(prov, "da_incident", {"id": "O1"}, date(2026, 1, 8), summary="DA incident")],
        involvements=[InvolvementRow("police|persons|P2", "police|occurrences|O1", "victim",
                                     Provenance("police", "occurrence_persons", "1", "test", None, None, "fact", T0,
                                                "run-test"))],
    )  # fmt: skip
    config = settings(tmp_path, model_file)
    resolve(graph, db, config)
    before = person_of(graph, db)
    assert before["health|patients|P1"] == before["police|persons|P2"]
    assert link(graph, db, "police|persons|P2")["method"] == "deterministic:nhs_number"

    result = split_record(
        graph, db, "police|persons|P2", "sam", "a different Jade: the NHS number was mistyped"
    )
    after = person_of(graph, db)
    assert after["health|patients|P1"] == before["health|patients|P1"]  # the person keeps its id
    assert after["police|persons|P2"] == result.person_ids[1] != after["health|patients|P1"]
    moved = link(graph, db, "police|persons|P2")
    assert moved["method"] == "analyst" and moved["decided_by"] == "sam"
    assert json.loads(moved["history"][0])["person_id"] == before["police|persons|P2"]
    facts = graph.execute_query(
        "MATCH (:SourceRecord {record_key: 'police|persons|P2'})-[:INVOLVED_IN {role: 'victim'}]->(f:Fact) "
        "RETURN count(f) AS n", database_=db
    ).records[0]["n"]  # fmt: skip
    assert facts == 1

    report = resolve(graph, db, config)  # the split holds against the shared NHS number
    assert person_of(graph, db) == after
    assert report.links_written == 1  # P1's evidence was P2; the split record's link is the analyst's
    assert link(graph, db, "health|patients|P1")["method"] == "singleton"
    assert link(graph, db, "police|persons|P2")["decided_by"] == "sam"
    assert review_queue(graph, db, "conflict") == []
    with pytest.raises(DecisionRefused, match="only record"):
        split_record(graph, db, "police|persons|P2", "sam", "again")


def test_new_data_joins_existing_persons_incrementally(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    child = nhs("801234567")
    load(graph, db,
         rec("health|patients|Q1", "Poppy", "Khan", date(2019, 8, 12), sex="F", nhs_number=child),
         rec("police|persons|Q9", "Ryan", "Ward", date(1988, 1, 30), sex="M"))  # fmt: skip
    config = settings(tmp_path, model_file)
    resolve(graph, db, config)
    first = person_of(graph, db)
    linked_at = link(graph, db, "health|patients|Q1")["linked_at"]
    load(graph, db,
         rec("education|pupils|Q2", "Poppy", "Khan", date(2019, 8, 12), sex="F", nhs_number=child,
             upn=upn("801200022002")),
         rec("health|maternity|U1", None, "Khan",
             expected_date_of_birth=date(2026, 6, 1), postcode="B93 8ED"))  # fmt: skip
    report = resolve(graph, db, config)
    second = person_of(graph, db)
    assert {k: second[k] for k in first} == first
    assert second["education|pupils|Q2"] == first["health|patients|Q1"]
    # Q2 and U1 are new; Q1 now has evidence (the shared NHS number) but keeps its person and linked_at
    assert report.persons_created == 1 and report.links_written == 3 and report.links_unchanged == 1
    q1 = link(graph, db, "health|patients|Q1")
    assert q1["method"] == "deterministic:nhs_number" and q1["linked_at"] == linked_at
    unborn = graph.execute_query(
        "MATCH (:SourceRecord {record_key: 'health|maternity|U1'})-[:RECORD_OF]->(p:Person:Unborn) "
        "RETURN p.expected_date_of_birth AS edd, p.record_count AS n", database_=db
    ).records  # fmt: skip
    assert len(unborn) == 1 and unborn[0]["edd"] == date(2026, 6, 1)
    poppy = graph.execute_query("MATCH (p:Person {person_id: $p}) RETURN p.record_count AS n, p.agencies AS a",
                                p=second["education|pupils|Q2"], database_=db).records[0]  # fmt: skip
    assert poppy["n"] == 2 and poppy["a"] == ["education", "health"]


def test_records_relations_and_links_are_read_page_by_page(
    graph: neo4j.Driver, neo4j_settings: Settings, model_file: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    load(graph, db,
         rec("police|persons|P1", "Ryan", "Ward", date(1988, 1, 30), sex="M", postcode="B92 9WY"),
         rec("police|persons|P2", "Amy", "Ward", date(1990, 2, 3), sex="F"),
         rec("police|persons|P3", "Zoe", "Ward", date(2015, 4, 5), sex="F"))  # fmt: skip
    # one link a batch: the new persons go to the background writer in three batches
    report = resolve(graph, db, replace(settings(tmp_path, model_file), batch_size=1))
    assert report.persons_created == 3 and report.links_written == 3
    assert every_record_has_one_person(graph, db)
    # records loaded since: not linked yet, and first in record_key order (a page of them has no links)
    load(graph, db,
         rec("csc|persons|A1", "Kai", "Reed", date(2009, 5, 6), sex="M"),
         rec("csc|persons|A2", "Ben", "Reed", None, expected_date_of_birth=date(2026, 6, 1)),
         person_links=[
             PersonLinkRow("police|persons|P1", "police|persons|P3", "parent",
                           Provenance("police", "relationships", "R1", "test", None, None, "fact", T0, "run-test")),
             PersonLinkRow("csc|persons|A1", "csc|persons|A2", "sibling",
                           Provenance("csc", "relationships", "R2", "test", None, None, "fact", T0, "run-test")),
         ])  # fmt: skip
    whole, paged = ResolutionStore(graph, db), ResolutionStore(graph, db, read_page=2)
    records = whole.read_records()
    assert records["record_key"].tolist() == ["csc|persons|A1", "csc|persons|A2", "police|persons|P1",
                                              "police|persons|P2", "police|persons|P3"]  # fmt: skip
    pd.testing.assert_frame_equal(paged.read_records(), records)
    by_key = records.set_index("record_key")
    assert by_key.loc["police|persons|P1", "date_of_birth"] == "1988-01-30"  # ISO text: no driver dates
    assert by_key.loc["csc|persons|A2", "expected_date_of_birth"] == "2026-06-01"
    relations = paged.read_relations()
    assert (
        relations
        == whole.read_relations()
        == [
            ("csc|persons|A1", "csc|persons|A2", "sibling"),
            ("police|persons|P1", "police|persons|P3", "parent"),
        ]
    )
    links = paged.read_links()
    assert links == whole.read_links()
    assert sorted(links) == ["police|persons|P1", "police|persons|P2", "police|persons|P3"]
    assert links["police|persons|P1"][1]["method"] == "singleton"
    assert set(links["police|persons|P1"][1]) == set(EVIDENCE_KEYS)  # what decides a change, no more
    whole_links = whole.read_links_by_key(["police|persons|P1", "csc|persons|A1"])  # A1 is not linked
    assert list(whole_links) == ["police|persons|P1"]
    assert whole_links["police|persons|P1"][0] == links["police|persons|P1"][0]
    full = set(whole_links["police|persons|P1"][1])
    assert {"linked_at", "in_force_from", "method", "decided_by"} <= full
    assert "history" not in full  # no earlier links yet
    with pytest.raises(ValueError, match="at least one"):
        ResolutionStore(graph, db, read_page=0)


def test_a_new_persons_links_hold_what_link_props_gives_a_new_link(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    # a first run's links go as lists with the run's times once per batch: the graph must not tell them apart
    db = neo4j_settings.database
    load(graph, db,
         rec("police|persons|P1", "Ryan", "Ward", date(1988, 1, 30), sex="M"),
         rec("police|persons|P2", "Ryan", "Ward", date(1988, 1, 30), sex="M"))  # fmt: skip
    at, since = datetime(2026, 3, 2, 10, 0, tzinfo=UTC), datetime(2026, 3, 1, 17, 30, tzinfo=UTC)
    evidence: dict[str, dict[str, Any]] = {
        "police|persons|P1": {"method": "probabilistic", "match_probability": 0.995,
                              "matched_fields": ["given_name:exact", "date_of_birth:exact"],
                              "matched_with": "police|persons|P2", "decided_by": "jigsaw resolve (model v1)"},
        "police|persons|P2": {"method": "singleton", "match_probability": None, "matched_fields": [],
                              "matched_with": None, "decided_by": "jigsaw resolve"},
    }  # fmt: skip
    store = ResolutionStore(graph, db)
    row = {"person_id": "P-new", "props": {"display_name": "Ryan Ward"}, "labels": ["Person", "Unborn"],
           "links": [new_link(key, e) for key, e in evidence.items()]}  # fmt: skip
    assert store.create_persons([row], NewLinks(at, "run-new", since)) == 2
    found = graph.execute_query(
        "MATCH (r:SourceRecord)-[l:RECORD_OF]->(p:Person:Unborn {person_id: 'P-new'}) "
        "RETURN r.record_key AS key, properties(l) AS link, properties(p) AS person", database_=db
    ).records  # fmt: skip
    assert sorted(r["key"] for r in found) == sorted(evidence)
    for r in found:
        expected = link_props(r["key"], "P-new", evidence[r["key"]], None, at, "run-new", in_force=since)
        assert expected is not None
        got = {k: v.to_native() if hasattr(v, "to_native") else v for k, v in r["link"].items()}
        assert got == {k: v for k, v in expected.items() if v is not None}  # a null is no property
        person = {k: v.to_native() if hasattr(v, "to_native") else v for k, v in r["person"].items()}
        expected_person = {
            "person_id": "P-new",
            "display_name": "Ryan Ward",
            "updated_at": at,
            "run_id": "run-new",
        }
        assert person == expected_person


def test_training_on_a_synthetic_county_is_accurate_saved_and_versioned(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    sim = simulate(110, seed=21, reference=REF)
    GraphWriter(graph, db).write(sim.graph_rows())
    # small pages: their features are worked out in worker processes while the next pages are read
    config = replace(settings(tmp_path, None), read_page=97)
    report = resolve(graph, db, config)
    assert report.records == len(sim.records) > 2 * 97
    assert report.model_trained and report.model_version == 1 and report.probabilistic
    model = graph.execute_query("MATCH (m:ResolutionModel) RETURN properties(m) AS m", database_=db).records
    assert len(model) == 1
    props = model[0]["m"]
    saved = Path(props["path"])
    assert saved.parent == config.data_dir / "models" and saved.is_file()
    assert props["sha256"] and json.loads(saved.read_text())["jigsaw"]["version"] == 1
    run = graph.execute_query("MATCH (r:ResolutionRun)-[:USED_MODEL]->(m) RETURN r.run_id AS r, m.version AS v",
                              database_=db).records  # fmt: skip
    assert [(r["r"], r["v"]) for r in run] == [(report.run_id, 1)]

    assert every_record_has_one_person(graph, db)
    accuracy = pairwise_precision_recall(links_frame(graph, db), sim.truth)
    assert accuracy.records == len(sim.records)
    assert accuracy.precision >= 0.98, accuracy
    assert accuracy.recall >= 0.93, accuracy

    # the saved model is reused, features worked out in this process: nothing changes
    again = resolve(graph, db, replace(config, feature_processes=0))
    assert not again.model_trained and again.model_version == 1
    assert again.links_written == 0 and again.persons_created == 0 and again.persons_updated == 0

    out = tmp_path / "links.csv"
    assert export_links(graph, db, out) == len(sim.records)
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["agency", "source_record_id", "record_key", "person_id", "match_probability",
                             "method", "decided_by", "linked_at"]  # fmt: skip
    assert {r["record_key"] for r in rows} == set(sim.records["record_key"])
    assert all(r["person_id"] for r in rows)


PASSWORD = "correct horse battery staple"


def test_cli_resolve_review_and_export(
    graph: neo4j.Driver,
    neo4j_settings: Settings,
    model_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = neo4j_settings.database
    uri, (user, password) = connection_details(neo4j_settings)
    config = tmp_path / "jigsaw.toml"
    config.write_text(f'[resolution]\nreference_date = "{REF.isoformat()}"\n')
    for key, value in {"NEO4J_URI": uri, "NEO4J_USER": user, "NEO4J_PASSWORD": password, "NEO4J_DATABASE": db,
                       "JIGSAW_HOME": str(tmp_path / "home"), "JIGSAW_CONFIG": str(config)}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    load(graph, db,
         rec("csc|persons|T1", "Martin", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF"),
         rec("education|pupils|T2", "Damian", "Taylor", date(2011, 12, 13), sex="M", postcode="G6T 3BF"))  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(cli, ["resolve", "--model", str(model_file)])
    assert result.exit_code == 0, result.output
    assert "records" in result.output and "pairs wait for an analyst" in result.output
    rid = review_id(pair_key("csc|persons|T1", "education|pupils|T2"))
    gov = Governance.open()
    gov.add_user(operator_actor(), "ana", "supervisor", PASSWORD)
    gov.add_user(operator_actor(), "ed", "education", PASSWORD)
    login = ["--user", "ana", "--password-stdin"]
    why = ["--purpose", "MASH check of two records of one child", "--gateway", "CA1989_S47"]

    def run(args: list[str], who: list[str] = login) -> Any:
        return runner.invoke(cli, [*args, *who], input=PASSWORD + "\n")

    # nothing about a person without a Jigsaw login, a purpose and a gateway (and the right role)
    for args in (
        ["review", "list"],
        ["review", "show", rid, *why],
        ["export", "links", "--out", "x.csv", *why],
    ):
        anonymous = runner.invoke(cli, args)
        assert anonymous.exit_code != 0 and "Damian" not in anonymous.output
    assert run(["review", "show", rid]).exit_code != 0  # no purpose
    wrong_role = run(["review", "list"], ["--user", "ed", "--password-stdin"])
    assert wrong_role.exit_code != 0 and "Damian" not in wrong_role.output
    wrong_password = runner.invoke(cli, ["review", "list", *login], input="guess\n")
    assert wrong_password.exit_code != 0 and "Damian" not in wrong_password.output

    listed = run(["review", "list"])
    assert listed.exit_code == 0 and rid in listed.output
    shown = run(["review", "show", rid, *why])
    assert shown.exit_code == 0 and "Damian" in shown.output and "given_name" in shown.output
    refused = run(["review", "confirm", "R-nothing", "--reason", "x", *why])
    assert refused.exit_code == 1 and "no review" in refused.output
    rejected = run(["review", "reject", rid, "--reason", "twins", *why])
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    decided = graph.execute_query(
        "MATCH (m:MatchReview {review_id: $rid}) RETURN m.decided_by AS by", rid=rid, database_=db
    ).records
    assert [r["by"] for r in decided] == ["ana"]  # the logged-in user, not the operating system's
    out = tmp_path / "out" / "links.csv"
    exported = run(["export", "links", "--out", str(out), *why])
    assert exported.exit_code == 0 and "wrote 2 links" in exported.output
    entries = [
        json.loads(line)
        for line in (tmp_path / "home" / "governance" / "audit.jsonl").read_text().splitlines()
    ]
    mine = [(e["action"], e["details"].get("via"), e["gateway"]) for e in entries
            if e["user"] == "ana" and e["action"] not in ("login", "login_failed")]  # fmt: skip
    assert mine == [
        ("search", "jigsaw review list", None),
        ("search", "jigsaw review show", "CA1989_S47"),
        ("match_decision", "jigsaw review", "CA1989_S47"),
        ("match_decision", "jigsaw review", "CA1989_S47"),
        ("export", "jigsaw export links", "CA1989_S47"),
    ]
    assert len(out.read_text().splitlines()) == 3


PUBLIC = Path(
    os.environ.get("JIGSAW_PUBLIC_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "public")
)


@pytest.mark.skipif(
    not (PUBLIC / "family-context").exists(), reason=f"the public samples are not at {PUBLIC}"
)
def test_public_family_context_samples_resolve_with_doubtful_pairs_in_review(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    chosen, unknown = plan(
        [PUBLIC / "family-context" / "csc.csv", PUBLIC / "family-context" / "education.csv"]
    )
    assert not unknown and len(chosen) == 2
    run_ingest(chosen, GraphWriter(graph, db), tmp_path / "quarantine")
    report = resolve(graph, db, settings(tmp_path, None))
    assert report.records == 1000 and report.model_trained
    assert every_record_has_one_person(graph, db)
    persons = person_of(graph, db)
    # children known to both: linked across the two extracts
    assert len(set(persons.values())) < report.records
    # Martin (CSC) and Damian (school) Taylor: same surname, date of birth and address, other first names
    martin, damian = "csc|family_context|7190247", "education|family_context|1551378"
    assert martin in persons and damian in persons
    assert persons[martin] != persons[damian]
    assert pair_key(martin, damian) in pending_pairs(graph, db)
