"""A small hand-built case for the app's tests, written with the real GraphWriter, and the app's environment.

Kayleigh Jones (10) lives with her mother Sarah and her brother Tyler at 12 High St, B86 0LF. Dan Smyth, her
step-father per the police, was the suspect in a high-risk DA incident she was present at; he appears in no
children's social care or health record (a hidden adult with a risk history). Dan is also the suspect in an
incident involving another child, Mia Brown (linked through the same adult), and has an associate, Kyle Hart,
who is not around Kayleigh (he appears when Dan is expanded). Kayleigh's recorded views name
Tyler; a health attendance is detail only some roles may see. ``learn_later`` adds a history (a fact learnt
later, two corrections) for the picture "as known at" a past date and what changed since.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import neo4j
from argon2 import PasswordHasher

from app.governance import Governance, load_governance_settings, operator_actor
from graph.config import Settings
from graph.connection import connection_details
from graph.model import (
    FactRow,
    GraphRows,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
)
from graph.writer import GraphWriter

PASSWORD = "correct horse battery"
LEARNT = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # what learn_later() adds was learnt then
CHILD = "P-KAYLEIGH"


def _prov(
    agency: str, table: str, rid: str, basis: str = "fact", system: str = "sys", learnt: datetime = LEARNT
) -> Provenance:
    run = "run-test" if learnt == LEARNT else f"run-{learnt:%Y%m%d}"
    return Provenance(agency, table, rid, system, date(2026, 1, 20), "worker", basis, learnt, run)


def learn_later(driver: neo4j.Driver, database: str) -> None:
    """A history for "as known at": on LATER (10 March 2026) the police sent a second DA incident Kayleigh was
    present at, children's social care corrected its referral and health corrected its A&E attendance (build_case
    learnt everything else on 1 February 2026)."""
    rows = GraphRows()
    rows.facts += [
        FactRow(_prov("police", "occurrences", "O3", "opinion", learnt=LATER), "da_incident", {"id": "O3"},
                date(2026, 3, 5), summary="Second DA incident at 12 High St, Kayleigh present",
                detail={"dash_grade": "high"}),
        FactRow(_prov("csc", "referrals", "R1", learnt=LATER), "referral", {"id": "R1", "version": 2},
                date(2026, 1, 10), summary="Police referral after DA incident; strategy discussion held"),
        FactRow(_prov("health", "attendances", "A1", learnt=LATER), "ae_attendance", {"id": "A1", "version": 2},
                date(2025, 12, 24), summary="A&E: wrist injury, account inconsistent; fracture confirmed"),
    ]  # fmt: skip
    rows.involvements += [
        InvolvementRow("police|persons|N1", "police|occurrences|O3", "suspect",
                       _prov("police", "occ_persons", "5", learnt=LATER)),
        InvolvementRow("police|persons|N2", "police|occurrences|O3", "present",
                       _prov("police", "occ_persons", "6", learnt=LATER)),
    ]  # fmt: skip
    GraphWriter(driver, database).write(rows)


def build_case(driver: neo4j.Driver, database: str) -> None:
    rows = GraphRows()
    rec = SourceRecordRow
    rows.source_records += [
        rec(_prov("police", "persons", "N2"), {"id": "N2"}, "Kayleigh", "Jones", date_of_birth=date(2015, 2, 1),
            postcode="B86 0LF"),
        rec(_prov("csc", "children", "C1"), {"id": "C1"}, "Kayleigh", "Jones", date_of_birth=date(2015, 2, 1),
            la_child_id="LA12345", postcode="B86 0LF"),
        rec(_prov("health", "patients", "H1"), {"id": "H1"}, "Kayleigh", "Jones", date_of_birth=date(2015, 2, 1),
            nhs_number="9434765919", postcode="B86 0LF"),
        rec(_prov("police", "persons", "N1"), {"id": "N1"}, "Dan", "Smyth", date_of_birth=date(1990, 4, 3),
            pnc_id="90/123456A"),
        rec(_prov("csc", "adults", "C2"), {"id": "C2"}, "Sarah", "Jones", date_of_birth=date(1988, 6, 5),
            postcode="B86 0LF"),
        rec(_prov("csc", "children", "C3"), {"id": "C3"}, "Tyler", "Jones", date_of_birth=date(2018, 9, 9),
            la_child_id="LA12346", postcode="B86 0LF"),
        rec(_prov("police", "persons", "N3"), {"id": "N3"}, "Mia", "Brown", date_of_birth=date(2016, 3, 3)),
        rec(_prov("police", "persons", "N4"), {"id": "N4"}, "Kyle", "Hart", date_of_birth=date(1985, 1, 1)),
    ]  # fmt: skip
    rows.facts += [
        FactRow(_prov("police", "occurrences", "O1", "opinion"), "da_incident", {"id": "O1"}, date(2026, 1, 8),
                summary="DA incident at 12 High St B86 0LF, Kayleigh present, Tyler Jones upstairs",
                detail={"dash_grade": "high"}),
        FactRow(_prov("police", "occurrences", "O2"), "crime", {"id": "O2"}, date(2025, 7, 1),
                summary="Assault on Mia Brown's mother; Mia present"),
        FactRow(_prov("csc", "referrals", "R1"), "referral", {"id": "R1"}, date(2026, 1, 10),
                summary="Police referral after DA incident"),
        FactRow(_prov("education", "exclusions", "E1"), "school_exclusion", {"id": "E1"}, date(2024, 3, 4),
                summary="Fixed-term exclusion, 2 days"),
        FactRow(_prov("health", "attendances", "A1"), "ae_attendance", {"id": "A1"}, date(2025, 12, 24),
                summary="A&E: wrist injury, account inconsistent"),
        FactRow(_prov("csc", "views", "V1", "opinion"), "voice_of_child", {"id": "V1"}, date(2026, 1, 15),
                summary="Kayleigh says Tyler Jones hides when Dan shouts; she wants to stay with mum"),
    ]  # fmt: skip
    inv = InvolvementRow
    rows.involvements += [
        inv("police|persons|N1", "police|occurrences|O1", "suspect", _prov("police", "occ_persons", "1")),
        inv("police|persons|N2", "police|occurrences|O1", "present", _prov("police", "occ_persons", "2")),
        inv("police|persons|N1", "police|occurrences|O2", "suspect", _prov("police", "occ_persons", "3")),
        inv("police|persons|N3", "police|occurrences|O2", "present", _prov("police", "occ_persons", "4")),
        inv("csc|children|C1", "csc|referrals|R1", "subject", _prov("csc", "ref_persons", "1")),
        inv("csc|children|C1", "education|exclusions|E1", "subject", _prov("education", "ex_persons", "1")),
        inv("health|patients|H1", "health|attendances|A1", "subject", _prov("health", "att_persons", "1")),
        inv("csc|children|C1", "csc|views|V1", "subject", _prov("csc", "view_persons", "1")),
    ]
    rows.person_links += [
        PersonLinkRow("police|persons|N1", "police|persons|N2", "step_parent", _prov("police", "links", "L1"),
                      from_date=date(2025, 6, 1)),
        PersonLinkRow("csc|adults|C2", "csc|children|C1", "parent", _prov("csc", "links", "L2")),
        PersonLinkRow("csc|children|C3", "csc|children|C1", "sibling", _prov("csc", "links", "L3")),
        PersonLinkRow("police|persons|N4", "police|persons|N1", "associate", _prov("police", "links", "L4")),
    ]  # fmt: skip
    home = normalise_address("12 High St", "B86 0LF")
    assert home is not None
    for key in ("csc|children|C1", "csc|adults|C2", "csc|children|C3"):
        rows.residences.append(ResidenceRow(key, home, _prov("csc", "addresses", key), date(2020, 1, 1)))
    GraphWriter(driver, database).write(rows)
    people = {
        CHILD: (["police|persons|N2", "csc|children|C1", "health|patients|H1"], date(2015, 2, 1)),
        "P-DAN": (["police|persons|N1"], date(1990, 4, 3)),
        "P-SARAH": (["csc|adults|C2"], date(1988, 6, 5)),
        "P-TYLER": (["csc|children|C3"], date(2018, 9, 9)),
        "P-MIA": (["police|persons|N3"], date(2016, 3, 3)),
        "P-KYLE": (["police|persons|N4"], date(1985, 1, 1)),
    }
    for pid, (keys, dob) in people.items():
        driver.execute_query(
            "MERGE (p:Person {person_id: $pid}) SET p.date_of_birth = $dob "
            "WITH p UNWIND $keys AS k MATCH (r:SourceRecord {record_key: k}) "
            "MERGE (r)-[:RECORD_OF {method: 'deterministic'}]->(p)",
            pid=pid,
            dob=dob,
            keys=keys,
            database_=database,
        )


@dataclass
class AppEnv:
    home: Path
    governance: Governance
    env: dict[str, str]


def app_environment(settings: Settings, home: Path) -> dict[str, str]:
    """The environment that points the app at the test server and a throwaway governance home."""
    uri, (user, password) = connection_details(settings)
    config = home / "jigsaw.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("")
    return {
        "NEO4J_URI": uri,
        "NEO4J_USER": user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": settings.database,
        "JIGSAW_HOME": str(home),
        "JIGSAW_CONFIG": str(config),
    }


def make_users(env: dict[str, str]) -> Governance:
    """Users for each role the tests use, all with PASSWORD (cheap argon2 parameters: tests only)."""
    gov = Governance(
        load_governance_settings(env={**os.environ, **env}),
        hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
    for name, role in (("ana", "analyst"), ("sam", "supervisor"), ("aud", "auditor")):
        gov.add_user(operator_actor(), name, role, PASSWORD)
    return gov
