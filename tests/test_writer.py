"""The graph writer on the real server: idempotent, versioned, provenanced, and honest about missing ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import neo4j
import pytest

from graph import cypher_files
from graph.config import Settings
from graph.model import (
    FactRow,
    GraphRows,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    WithdrawalRow,
    normalise_address,
    normalise_postcode,
)
from graph.writer import GraphWriter

T1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def prov(table: str, rid: str, learnt: datetime = T1, basis: str = "fact") -> Provenance:
    return Provenance("police", table, rid, "niche", date(2026, 1, 9), "PC", basis, learnt, "run-1")


def sample(learnt: datetime = T1, surname: str = "Smyth") -> GraphRows:
    rows = GraphRows()
    rows.source_records += [
        SourceRecordRow(prov("persons", "N1", learnt), {"id": "N1", "surname": surname}, "Dan", surname,
                        date_of_birth=date(1990, 4, 3), pnc_id="90/123456A"),
        SourceRecordRow(prov("persons", "N2", learnt), {"id": "N2"}, "Kayleigh", "Jones",
                        date_of_birth=date(2015, 2, 1)),
    ]  # fmt: skip
    rows.facts.append(
        FactRow(prov("occurrences", "O1", learnt, "opinion"), "da_incident", {"id": "O1"}, date(2026, 1, 8),
                summary="DA incident, child present", detail={"dash_grade": "high"})
    )  # fmt: skip
    rows.involvements += [
        InvolvementRow(
            "police|persons|N1", "police|occurrences|O1", "suspect", prov("occurrence_persons", "1")
        ),
        InvolvementRow(
            "police|persons|N2", "police|occurrences|O1", "present", prov("occurrence_persons", "2")
        ),
        InvolvementRow(
            "police|persons|N9", "police|occurrences|O1", "victim", prov("occurrence_persons", "3")
        ),
    ]
    rows.person_links.append(PersonLinkRow("police|persons|N1", "police|persons|N2", "step_parent",
                                           prov("person_links", "L1"), from_date=date(2025, 6, 1)))  # fmt: skip
    address = normalise_address("12 High St", "b86 0lf")
    assert address is not None
    rows.residences.append(
        ResidenceRow("police|persons|N2", address, prov("persons", "N2"), date(2025, 1, 1))
    )
    return rows


def planner_problem(status: neo4j.GqlStatusObject) -> bool:
    """A planner warning worth failing on; unknown labels/properties (01N50-52) only mean an empty graph."""
    if status.gql_status == "03N90":  # cartesian product (reported as information, not warning)
        return True
    return status.severity == neo4j.NotificationSeverity.WARNING and not status.gql_status.startswith("01N5")


def counts(driver: neo4j.Driver, db: str) -> tuple[int, int]:
    rec = driver.execute_query(
        "MATCH (n) WHERE NOT n:SchemaMigration WITH count(n) AS n "
        "OPTIONAL MATCH ()-[r]->() RETURN n, count(r) AS r",
        database_=db,
    ).records[0]
    return int(rec["n"]), int(rec["r"])


def test_load_is_idempotent_and_reports_missing_endpoints(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    writer = GraphWriter(graph, db, batch_size=2)
    first = writer.write(sample())
    assert first.created == 3 and first.updated == 0
    assert [u.key for u in first.unlinked] == ["police|persons|N9 -> police|occurrences|O1"]
    before = counts(graph, db)
    second = writer.write(sample())
    assert second.created == 0 and second.updated == 0
    assert counts(graph, db) == before


def test_provenance_and_fact_or_opinion_are_on_nodes_and_relationships(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    GraphWriter(graph, db).write(sample())
    rec = graph.execute_query(
        "MATCH (r:SourceRecord)-[i:INVOLVED_IN {role: 'present'}]->(f:Fact:Event) "
        "RETURN f.agency AS agency, f.basis AS basis, f.source_record_id AS sid, f.dash_grade AS grade, "
        "f.recorded_by_role AS who, i.agency AS rel_agency, i.source_table AS rel_table, r.given_name AS name",
        database_=db,
    ).records[0]
    assert dict(rec) == {"agency": "police", "basis": "opinion", "sid": "O1", "grade": "high", "who": "PC",
                         "rel_agency": "police", "rel_table": "occurrence_persons", "name": "Kayleigh"}  # fmt: skip


def test_changed_record_keeps_its_previous_version(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    db = neo4j_settings.database
    writer = GraphWriter(graph, db)
    writer.write(sample(T1, "Smyth"))
    result = writer.write(sample(T2, "Smith"))
    assert result.created == 0 and result.updated == 1
    rec = graph.execute_query(
        "MATCH (n:SourceRecord {record_key: 'police|persons|N1'})-[:PREVIOUS_VERSION]->(v:RecordVersion) "
        "RETURN n.family_name AS now, v.family_name AS was, v.valid_to AS closed, n.valid_from AS since, "
        "n.first_learnt_at AS first",
        database_=db,
    ).records
    assert len(rec) == 1
    assert rec[0]["now"] == "Smith" and rec[0]["was"] == "Smyth"
    assert rec[0]["closed"].to_native() == T2 and rec[0]["since"].to_native() == T2
    assert rec[0]["first"].to_native() == T1
    # the same changed data again is not a new version
    assert writer.write(sample(T2, "Smith")).updated == 0


def test_a_record_twice_in_one_batch_keeps_both_versions(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    rows = GraphRows()
    for surname in ("Smyth", "Smith"):
        rows.source_records.append(
            SourceRecordRow(prov("persons", "N1"), {"id": "N1", "surname": surname}, "Dan", surname)
        )
    result = GraphWriter(graph, db).write(rows)
    assert (result.created, result.updated) == (1, 1)
    rec = graph.execute_query(
        "MATCH (n:SourceRecord {record_key: 'police|persons|N1'}) "
        "OPTIONAL MATCH (n)-[:PREVIOUS_VERSION]->(v) RETURN n.family_name AS now, collect(v.family_name) AS was",
        database_=db,
    ).records[0]
    assert (rec["now"], rec["was"]) == ("Smith", ["Smyth"])


def test_a_changed_link_takes_the_new_run_and_an_unchanged_one_keeps_its_own(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    writer = GraphWriter(graph, db)

    def links(run: str, since: date) -> GraphRows:
        rows = sample()
        for r in rows.source_records + rows.facts:
            object.__setattr__(r, "provenance", replace(r.provenance, ingest_run_id=run))
        rows.involvements = [
            replace(i, provenance=replace(i.provenance, ingest_run_id=run)) for i in rows.involvements
        ]
        rows.person_links = [replace(rows.person_links[0], from_date=since,
                                     provenance=replace(rows.person_links[0].provenance, ingest_run_id=run))]  # fmt: skip
        return rows

    writer.write(links("run-1", date(2025, 6, 1)))
    writer.write(links("run-2", date(2025, 7, 1)))  # the agency corrected when the step-parent arrived
    rec = graph.execute_query(
        "MATCH ()-[l:RELATED_TO]->() MATCH ()-[i:INVOLVED_IN {role: 'present'}]->() "
        "RETURN l.from AS since, l.ingest_run_id AS link_run, i.ingest_run_id AS involvement_run",
        database_=db,
    ).records[0]
    assert rec["since"] == date(2025, 7, 1)  # a Python date (graph/dates.py)
    assert (rec["link_run"], rec["involvement_run"]) == ("run-2", "run-1")


def test_postcode_and_address_normalisation() -> None:
    assert normalise_postcode(" b86  0lf ") == "B86 0LF"
    assert normalise_postcode("not a postcode") is None
    a = normalise_address("12, High St.", "SW1A1AA")
    b = normalise_address("12 HIGH ST", "sw1a 1aa")
    assert a and b and a["address_key"] == b["address_key"] and a["area"] == "SW1A"
    assert normalise_address(None, None) is None
    uprn = normalise_address("anything", None, "100023336956")
    assert uprn and uprn["address_key"] == "uprn:100023336956"


def test_unknown_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="fact type"):
        FactRow(prov("x", "1"), "burglary-ish", {}, None)
    with pytest.raises(ValueError, match="basis"):
        prov("x", "1", basis="rumour")


@pytest.mark.parametrize("name", cypher_files.names("graph.cypher"))
def test_every_write_statement_plans_without_warnings(
    name: str, driver: neo4j.Driver, neo4j_settings: Settings
) -> None:
    text = cypher_files.load(name)
    assert cypher_files.header(text).startswith("Purpose:")
    with driver.session(database=neo4j_settings.database) as session:
        summary = session.run(
            "EXPLAIN " + text, rows=[], run={}, after="", page=1
        ).consume()  # paged reads: after, page
    warnings = [n for n in summary.gql_status_objects if planner_problem(n)]
    assert not warnings, [(w.gql_status, w.status_description) for w in warnings]


def test_a_withdrawal_closes_the_record_and_keeps_it_and_a_changed_resend_is_refused(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    writer = GraphWriter(graph, db)
    writer.write(sample())
    notice = GraphRows()
    notice.withdrawals += [
        WithdrawalRow("police|occurrences|O1", prov("withdrawals", "W1", T2), date(2026, 2, 28), "entered in error"),
        WithdrawalRow("police|occurrences|O404", prov("withdrawals", "W2", T2), date(2026, 2, 28), "duplicate"),
    ]  # fmt: skip
    result = writer.write(notice)
    assert result.links_written == 1
    assert [(u.kind, u.key) for u in result.unlinked] == [("withdrawals", "police|occurrences|O404")]
    assert "nothing" not in result.unlinked[0].reason and "withdraw" in result.unlinked[0].reason
    rows, _, _ = graph.execute_query(
        "MATCH (n {withdrawn_key: 'police|occurrences|O1'})-[:PREVIOUS_VERSION]->(v:RecordVersion) "
        "RETURN labels(n) AS labels, n.withdrawal_reason AS reason, n.withdrawn_at AS at, n.summary AS summary, "
        "v.valid_to AS closed, v.labels AS was, COUNT { (n)<-[:INVOLVED_IN]-() } AS involved",
        database_=db,
    )
    [row] = rows
    assert row["labels"] == ["Withdrawn"] and row["reason"] == "entered in error"
    assert row["summary"] == "DA incident, child present" and row["involved"] == 2  # kept, not erased
    assert row["closed"].to_native() == row["at"].to_native() == T2 and set(row["was"]) == {"Fact", "Event"}
    assert graph.execute_query("MATCH (f:Fact) RETURN count(f) AS n", database_=db).records[0]["n"] == 0
    # the same notice again changes nothing; the record sent again unchanged stays withdrawn; changed, refused
    assert writer.write(notice).links_written == 1
    again = writer.write(sample())
    assert again.created == 0 and not [u for u in again.unlinked if u.kind == "facts"]
    changed = sample()
    changed.facts[0] = FactRow(prov("occurrences", "O1"), "da_incident", {"id": "O1", "note": "corrected"},
                               date(2026, 1, 8), summary="DA incident, corrected")  # fmt: skip
    refused = writer.write(changed)
    assert [(u.kind, u.key) for u in refused.unlinked if u.kind == "facts"] == [
        ("facts", "police|occurrences|O1")
    ]
    assert graph.execute_query("MATCH (f:Fact) RETURN count(f) AS n", database_=db).records[0]["n"] == 0
