"""A small kit to hand-build child's-picture graphs for the query tests, through the product's GraphWriter.

Persons and RECORD_OF links (entity resolution's output) are written with plain Cypher here, as the real
resolver would leave them. The tests at the bottom check the kit itself against the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import neo4j

from graph.config import Settings
from graph.model import (
    FactPartRow,
    FactPlaceRow,
    FactRow,
    GraphRows,
    HouseholdMemberRow,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
    record_key,
)
from graph.writer import GraphWriter

LEARNT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ROLE_BY_AGENCY = {
    "police": "PC",
    "csc": "social worker",
    "health": "midwife",
    "education": "DSL",
    "early_help": "family support worker",
    "probation": "probation officer",
    "housing": "housing officer",
    "third_sector": "safeguarding lead",
}
SYSTEM = {
    "police": "pole",
    "csc": "ssd",
    "health": "fhir",
    "education": "cms",
    "early_help": "eh",
    "probation": "ndelius",
    "housing": "hms",
    "third_sector": "ts",
}


def prov(
    agency: str, table: str, rid: str, basis: str = "fact", on: date | None = None, by: str | None = None
) -> Provenance:
    return Provenance(
        agency, table, rid, SYSTEM[agency], on, by or ROLE_BY_AGENCY[agency], basis, LEARNT, "run-t"
    )


def address(line: str, postcode: str = "JG1 2AB") -> dict[str, Any]:
    a = normalise_address(line, postcode)
    assert a is not None
    return a


@dataclass
class Kit:
    """Builds GraphRows plus Person/RECORD_OF links; ``write`` loads them and fails on any unlinked row."""

    rows: GraphRows = field(default_factory=GraphRows)
    persons: dict[str, dict[str, Any]] = field(default_factory=dict)
    record_of: list[tuple[str, str]] = field(default_factory=list)
    _n: int = 0

    def _id(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def person(
        self,
        person_id: str,
        dob: date | None = None,
        *,
        name: str | None = None,
        sex: str | None = None,
        unborn: date | None = None,
    ) -> str:
        self.persons[person_id] = {
            "person_id": person_id,
            "date_of_birth": dob,
            "expected_date_of_birth": unborn,
            "sex": sex,
            "display_name": name or person_id,
            "unborn": unborn is not None,
        }
        return person_id

    def record(self, person_id: str, agency: str, rid: str | None = None, table: str = "persons") -> str:
        """One agency's record of a person (a SourceRecord) and its RECORD_OF link."""
        rid = rid or self._id(f"{agency[:2].upper()}-{person_id}-")
        p = self.persons[person_id]
        self.rows.source_records.append(
            SourceRecordRow(
                prov(agency, table, rid),
                {"id": rid},
                given_name=p["display_name"],
                date_of_birth=p["date_of_birth"],
                expected_date_of_birth=p["expected_date_of_birth"],
            )
        )
        key = record_key(agency, table, rid)
        self.record_of.append((key, person_id))
        return key

    def fact(
        self,
        agency: str,
        fact_type: str,
        occurred_on: date | None,
        *people: tuple[str, str],
        ended_on: date | None = None,
        summary: str | None = None,
        basis: str = "fact",
        rid: str | None = None,
        table: str | None = None,
        by: str | None = None,
        at: dict[str, Any] | None = None,
        part_of: str | None = None,
        **detail: Any,
    ) -> str:
        """A fact with the records involved as (record_key, role) pairs."""
        rid = rid or self._id("F")
        table = table or f"{fact_type}s"
        self.rows.facts.append(
            FactRow(
                prov(agency, table, rid, basis, occurred_on, by),
                fact_type,
                {"id": rid, **detail},
                occurred_on,
                ended_on,
                summary or fact_type.replace("_", " "),
                detail,
            )
        )
        key = record_key(agency, table, rid)
        for rec, role in people:
            self.involve(rec, key, role)
        if at is not None:
            self.rows.fact_places.append(FactPlaceRow(key, at))
        if part_of is not None:
            self.rows.fact_parts.append(FactPartRow(key, part_of))
        return key

    def involve(self, rec: str, fact_key: str, role: str) -> None:
        agency = rec.split("|")[0]
        self.rows.involvements.append(
            InvolvementRow(rec, fact_key, role, prov(agency, "involvements", self._id("I")))
        )

    def relate(
        self,
        a: str,
        b: str,
        type_: str,
        start: date | None = None,
        end: date | None = None,
        recorded_on: date | None = None,
    ) -> None:
        """``a`` is ``type_`` of ``b`` (e.g. relate(mum, child, 'parent'))."""
        agency = a.split("|")[0]
        self.rows.person_links.append(
            PersonLinkRow(
                a, b, type_, prov(agency, "person_links", self._id("L"), on=recorded_on), start, end
            )
        )

    def live(
        self, rec: str, where: dict[str, Any], start: date | None = None, end: date | None = None
    ) -> None:
        agency = rec.split("|")[0]
        self.rows.residences.append(
            ResidenceRow(rec, where, prov(agency, "addresses", self._id("A")), start, end)
        )

    def member(
        self,
        rec: str,
        household: str,
        role: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> None:
        agency = rec.split("|")[0]
        self.rows.household_members.append(
            HouseholdMemberRow(rec, household, prov(agency, "household", self._id("H")), role, start, end)
        )

    def write(self, driver: neo4j.Driver, settings: Settings) -> None:
        db = settings.database
        result = GraphWriter(driver, db).write(self.rows)
        assert not result.unlinked, result.unlinked
        persons = [
            {**p, "labels": ["Person", "Unborn"] if p["unborn"] else ["Person"]}
            for p in self.persons.values()
        ]
        driver.execute_query(
            "UNWIND $persons AS p MERGE (n:Person {person_id: p.person_id}) "
            "SET n.date_of_birth = p.date_of_birth, n.expected_date_of_birth = p.expected_date_of_birth, "
            "n.sex = p.sex, n.display_name = p.display_name, n:$(p.labels)",
            persons=persons,
            database_=db,
        )
        driver.execute_query(
            "UNWIND $links AS l MATCH (r:SourceRecord {record_key: l[0]}) MATCH (p:Person {person_id: l[1]}) "
            "MERGE (r)-[m:RECORD_OF]->(p) SET m.method = 'deterministic', m.match_probability = 1.0, "
            "m.matched_fields = ['test']",
            links=[list(x) for x in self.record_of],
            database_=db,
        )


def test_kit_writes_persons_records_and_facts(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    kit = Kit()
    kit.person("C1", date(2018, 5, 1))
    kit.person("U1", unborn=date(2026, 6, 1))
    child = kit.record("C1", "csc")
    unborn = kit.record("U1", "health")
    kit.fact("csc", "referral", date(2026, 1, 3), (child, "subject"))
    kit.write(graph, neo4j_settings)
    rows = graph.execute_query(
        "MATCH (p:Person)<-[:RECORD_OF]-(r:SourceRecord) OPTIONAL MATCH (r)-[:INVOLVED_IN]->(f:Fact) "
        "RETURN p.person_id AS pid, p:Unborn AS unborn, r.record_key AS rec, f.fact_type AS ft ORDER BY pid",
        database_=neo4j_settings.database,
    ).records
    assert [(r["pid"], r["unborn"], r["rec"], r["ft"]) for r in rows] == [
        ("C1", False, child, "referral"),
        ("U1", True, unborn, None),
    ]
