"""The picture of a child and the multi-agency chronology.

``child_picture`` puts the pieces together for one child in a time window: who the child is (with every agency
record and how it was matched), the people around the child, where the child lived, the incidents, referrals,
assessments, episodes and plans, flags, the child's recorded views, and open alerts. ``chronology`` lists
every fact about the child and the people around the child in date order, with agency, source record, who
recorded it and whether it is fact or opinion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import neo4j
import pandas as pd

from queries import alerts as alerts_q
from queries import catalog
from queries import people as people_q
from queries.model import CLOSE_RELATIONS, CirclePerson, Fact, Window
from queries.people import PersonInfo, Residence

SECTIONS: dict[str, frozenset[str]] = {
    "incidents": frozenset({"Event"}),
    "referrals": frozenset({"Referral"}),
    "assessments": frozenset({"Assessment", "AssessmentFactor"}),
    "episodes": frozenset({"Episode", "Plan"}),
    "flags": frozenset({"Flag"}),
    "child_views": frozenset({"ChildView"}),
}


class NotFound(LookupError):
    """No person with that id in the graph."""


@dataclass
class ChildPicture:
    person: PersonInfo
    window: Window
    age: int | None
    people: dict[str, CirclePerson]
    groups: dict[str, list[CirclePerson]]
    addresses: list[Residence]
    facts: list[Fact]
    sections: dict[str, list[Fact]] = field(default_factory=dict)
    alerts: list[alerts_q.Alert] = field(default_factory=list)

    def section(self, name: str) -> list[Fact]:
        return self.sections.get(name, [])


@dataclass(frozen=True)
class ChronologyEntry:
    occurred_on: date | None
    ended_on: date | None
    fact_type: str
    summary: str | None
    agency: str
    source: str
    fact_key: str
    recorded_on: date | None
    recorded_by_role: str | None
    basis: str | None
    about: tuple[str, ...]  # "relation: person (role)" for each person from the child's circle
    others: tuple[str, ...]  # everyone else named on the record: "record_key (role)"
    fact: Fact


def _sections(facts: list[Fact]) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = {name: [] for name in SECTIONS}
    for fact in facts:
        for name, labels in SECTIONS.items():
            if labels & set(fact.labels):
                out[name].append(fact)
    return out


def child_picture(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    relations: frozenset[str] = CLOSE_RELATIONS,
) -> ChildPicture:
    """The picture of one child in ``window``; ages are computed at ``window.reference_date``.

    Facts are those about the child, about the people around the child with one of ``relations`` (by default
    parents, carers, partners of carers, household members and siblings), and those at the child's address
    while the child lived there. Raises ``NotFound`` when there is no such person.
    """

    def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> ChildPicture:
        info = people_q.persons(tx, database, [person_id]).get(person_id)
        if info is None:
            raise NotFound(f"no person {person_id!r} in the graph")
        windows = {person_id: window}
        circle = people_q.circles(tx, database, windows)[person_id]
        homes = people_q.residences(tx, database, windows)
        facts = people_q.facts_about(tx, database, windows, {person_id: circle}, homes, relations)[person_id]
        return ChildPicture(
            person=info,
            window=window,
            age=info.age(window.reference_date),
            people=circle,
            groups=people_q.group_circle(circle),
            addresses=homes[person_id],
            facts=facts,
            sections=_sections(facts),
            alerts=alerts_q.alerts_for(tx, database, [person_id]),
        )

    return catalog.in_one_transaction(driver, database, work)


def _label(person: CirclePerson | None, person_id: str | None) -> str:
    if person is None or person_id is None:
        return person_id or "?"
    return f"{person.display_name or person_id} [{person_id}]"


def entries(facts: list[Fact], circle: dict[str, CirclePerson], child_name: str) -> list[ChronologyEntry]:
    """Chronology entries from facts (date order; undated facts last)."""
    out = []
    for fact in facts:
        about, others = [], []
        for inv in fact.involvements:
            if inv.relation == "child":
                about.append(f"child: {child_name} ({inv.role})")
            elif inv.relation == "at_address":
                about.append(f"at the child's address {inv.address_key}")
            elif inv.relation == "other":
                others.append(f"{inv.record_key} ({inv.role})")
            else:
                about.append(
                    f"{inv.relation}: {_label(circle.get(inv.person_id or ''), inv.person_id)} ({inv.role})"
                )
        out.append(
            ChronologyEntry(
                occurred_on=fact.occurred_on,
                ended_on=fact.ended_on,
                fact_type=fact.fact_type,
                summary=fact.summary,
                agency=fact.agency,
                source=fact.source,
                fact_key=fact.fact_key,
                recorded_on=fact.recorded_on,
                recorded_by_role=fact.recorded_by_role,
                basis=fact.basis,
                about=tuple(dict.fromkeys(about)),
                others=tuple(dict.fromkeys(others)),
                fact=fact,
            )
        )
    out.sort(key=lambda e: (e.occurred_on is None, e.occurred_on or date.min, e.fact_key))
    return out


def chronology(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    relations: frozenset[str] = CLOSE_RELATIONS,
) -> list[ChronologyEntry]:
    """Every event about the child and the people around the child in the window, in date order, each with
    agency, source record, who recorded it (role) and fact/opinion."""
    picture = child_picture(driver, database, person_id, window, relations)
    return chronology_of(picture)


def chronology_of(picture: ChildPicture) -> list[ChronologyEntry]:
    return entries(picture.facts, picture.people, picture.person.display_name or picture.person.person_id)


def chronology_frame(items: list[ChronologyEntry]) -> pd.DataFrame:
    """The chronology as a table for the app: one row per fact."""
    columns = [
        "date",
        "end",
        "agency",
        "event",
        "summary",
        "about",
        "others",
        "recorded_by",
        "recorded_on",
        "basis",
        "source",
        "fact_key",
    ]
    return pd.DataFrame(
        [
            [
                e.occurred_on,
                e.ended_on,
                e.agency,
                e.fact_type,
                e.summary,
                "; ".join(e.about),
                "; ".join(e.others),
                e.recorded_by_role,
                e.recorded_on,
                e.basis,
                e.source,
                e.fact_key,
            ]
            for e in items
        ],
        columns=columns,
    )


def person_dict(p: CirclePerson) -> dict[str, Any]:
    return {
        "person_id": p.person_id,
        "display_name": p.display_name,
        "date_of_birth": p.date_of_birth,
        "expected_date_of_birth": p.expected_date_of_birth,
        "sex": p.sex,
        "unborn": p.unborn,
        "age": p.age,
        "relations": {
            rel: [{k: v for k, v in vars(link).items() if v is not None} for link in links]
            for rel, links in sorted(p.relations.items())
        },
    }


def picture_dict(picture: ChildPicture) -> dict[str, Any]:
    """The picture as plain data (for JSON): every fact with its source."""
    return {
        "person": {
            "person_id": picture.person.person_id,
            "display_name": picture.person.display_name,
            "date_of_birth": picture.person.date_of_birth,
            "expected_date_of_birth": picture.person.expected_date_of_birth,
            "sex": picture.person.sex,
            "unborn": picture.person.unborn,
            "age": picture.age,
            "records": [vars(r) for r in picture.person.records],
        },
        "window": {
            "from": picture.window.start,
            "to": picture.window.end,
            "reference_date": picture.window.reference_date,
        },
        "groups": {name: [p.person_id for p in members] for name, members in picture.groups.items()},
        "people": [person_dict(p) for p in sorted(picture.people.values(), key=lambda x: x.person_id)],
        "addresses": [vars(a) for a in picture.addresses],
        "sections": {name: [f.evidence() for f in facts] for name, facts in picture.sections.items()},
        "alerts": [alerts_q.alert_dict(a) for a in picture.alerts],
    }
