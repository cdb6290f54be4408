"""The people around a child, where the child lived, and the facts about them: the building blocks every
other question (picture, chronology, risk, hidden adults, linked children) is made of.

All functions take lists of children so that the scheduled sweep can ask in batches what the case view
asks for one child; the answer is always keyed by the child's person id.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from queries import catalog
from queries.model import (
    CLOSE_RELATIONS,
    CirclePerson,
    Fact,
    Link,
    Window,
    age_on,
    fact_from_row,
    instant,
)


@dataclass(frozen=True)
class PersonRecord:
    """One agency's record of a person and how entity resolution matched it."""

    record_key: str
    agency: str
    source_system: str | None
    given_name: str | None
    family_name: str | None
    date_of_birth: date | None
    identifiers: dict[str, str]
    method: str | None
    match_probability: float | None
    matched_fields: list[str]


@dataclass(frozen=True)
class PersonInfo:
    person_id: str
    display_name: str | None
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: str | None
    unborn: bool
    records: tuple[PersonRecord, ...]

    def age(self, on: date) -> int | None:
        return None if self.unborn else age_on(self.date_of_birth, on)


@dataclass(frozen=True)
class Residence:
    """An address a child lived at, per one agency's record, with its dates."""

    address_key: str
    line: str | None
    postcode: str | None
    area: str | None
    uprn: str | None
    start: date | None
    end: date | None
    agency: str
    record_key: str
    source_table: str | None
    source_record_id: str | None
    recorded_by_role: str | None
    basis: str | None


def unborn(driver: catalog.Reader, database: str, person_ids: Sequence[str]) -> set[str]:
    """The unborn children among these persons."""
    rows = catalog.read(driver, database, "find_unborn_persons", {"person_ids": sorted(set(person_ids))})
    return {r["person_id"] for r in rows}


def persons(driver: catalog.Reader, database: str, person_ids: Sequence[str]) -> dict[str, PersonInfo]:
    rows = catalog.read(driver, database, "find_persons", {"person_ids": list(person_ids)})
    found: dict[str, PersonInfo] = {}
    for row in rows:
        records = tuple(
            PersonRecord(
                record_key=r["record_key"],
                agency=r["agency"],
                source_system=r.get("source_system"),
                given_name=r.get("given_name"),
                family_name=r.get("family_name"),
                date_of_birth=r.get("date_of_birth"),
                identifiers={k: r[k] for k in ("nhs_number", "upn", "la_child_id", "pnc_id") if r.get(k)},
                method=r.get("method"),
                match_probability=r.get("match_probability"),
                matched_fields=list(r.get("matched_fields") or []),
            )
            for r in row["records"]
        )
        found[row["person_id"]] = PersonInfo(
            row["person_id"],
            row["display_name"],
            row["date_of_birth"],
            row["expected_date_of_birth"],
            row["sex"],
            bool(row["unborn"]),
            records,
        )
    return found


def circles(
    driver: catalog.Reader, database: str, windows: dict[str, Window]
) -> dict[str, dict[str, CirclePerson]]:
    """For each child id, the people around the child in its window, by person id."""
    params = {"children": [w.param(pid) for pid, w in windows.items()]}
    out: dict[str, dict[str, CirclePerson]] = {pid: {} for pid in windows}
    # each link comes as a list in Link's field order (see the query's header)
    for row in catalog.read(driver, database, "find_child_circles", params, plain=True):
        child_id, pid = row["child_id"], row["person_id"]
        window = windows[child_id]
        person = out[child_id].get(pid)
        if person is None:
            person = CirclePerson(
                person_id=pid,
                display_name=row["display_name"],
                date_of_birth=row["date_of_birth"],
                expected_date_of_birth=row["expected_date_of_birth"],
                sex=row["sex"],
                unborn=bool(row["unborn"]),
                age=None if row["unborn"] else age_on(row["date_of_birth"], window.reference_date),
            )
            out[child_id][pid] = person
        links = [Link(*x) for x in row["links"]]
        person.relations.setdefault(row["relation"], []).extend(
            sorted(
                links, key=lambda x: (x.kind, x.agency or "", x.record_key or "", x.source_record_id or "")
            )
        )
    return out


def circle(driver: catalog.Reader, database: str, person_id: str, window: Window) -> dict[str, CirclePerson]:
    return circles(driver, database, {person_id: window})[person_id]


def residences(
    driver: catalog.Reader, database: str, windows: dict[str, Window]
) -> dict[str, list[Residence]]:
    params = {"children": [w.param(pid) for pid, w in windows.items()]}
    out: dict[str, list[Residence]] = {pid: [] for pid in windows}
    for r in catalog.read(driver, database, "find_child_addresses", params, plain=True):  # no datetimes
        out[r["child_id"]].append(
            Residence(
                address_key=r["address_key"],
                line=r["line"],
                postcode=r["postcode"],
                area=r["area"],
                uprn=r["uprn"],
                start=r["from"],
                end=r["to"],
                agency=r["agency"],
                record_key=r["record_key"],
                source_table=r["source_table"],
                source_record_id=r["source_record_id"],
                recorded_by_role=r["recorded_by_role"],
                basis=r["basis"],
            )
        )
    return out


def place_params(key: str, window: Window, homes: Iterable[Residence]) -> list[dict[str, Any]]:
    """The child's residence periods clipped to the window, as $places rows for find_facts_about_people."""
    places = []
    for home in homes:
        start = max(home.start or window.start, window.start)
        end = min(home.end or window.end, window.end)
        if start <= end:
            places.append({"key": key, "address_key": home.address_key, "from": start, "to": end})
    return places


def facts_about(
    driver: catalog.Reader,
    database: str,
    windows: dict[str, Window],
    circles_by_child: dict[str, dict[str, CirclePerson]],
    homes_by_child: dict[str, list[Residence]] | None = None,
    relations: frozenset[str] = CLOSE_RELATIONS,
) -> dict[str, list[Fact]]:
    """For each child: facts about the child and the people around them (those with one of ``relations``),
    plus facts at the child's addresses while the child lived there; in date order."""
    people: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    for child_id, window in windows.items():
        people.append(
            {
                "key": child_id,
                "person_id": child_id,
                "relation": "child",
                "from": window.start,
                "to": window.end,
            }
        )
        for person in circles_by_child.get(child_id, {}).values():
            for relation in sorted(set(person.relations) & relations):
                people.append(
                    {
                        "key": child_id,
                        "person_id": person.person_id,
                        "relation": relation,
                        "from": window.start,
                        "to": window.end,
                    }
                )
        if homes_by_child is not None:
            places.extend(place_params(child_id, window, homes_by_child.get(child_id, [])))
    out: dict[str, list[Fact]] = {pid: [] for pid in windows}
    rows = catalog.read(driver, database, "find_facts_about_people", {"people": people, "places": places})
    for row in rows:
        mine = list(row["involvements"])
        known = {(i.get("person_id"), i.get("record_key")) for i in mine}
        for other in row["everyone"]:
            if (other.get("person_id"), other.get("record_key")) not in known:
                mine.append({**other, "relation": "other"})
        props = row["fact"]
        props["learnt_at"] = instant(props.get("learnt_at"))
        out[row["key"]].append(fact_from_row(props, row["labels"], mine))
    for facts in out.values():
        facts.sort(key=lambda f: (f.occurred_on or date.min, f.fact_key))
    return out


def group_circle(people: dict[str, CirclePerson]) -> dict[str, list[CirclePerson]]:
    """The circle the way the picture shows it: the household (everyone recorded as living with the child),
    parents, other carers, partners of carers, siblings, other children and adults in the household, the
    child's own partners and dependants, wider family and associates. A person can be in several groups."""
    groups: dict[str, list[CirclePerson]] = defaultdict(list)
    for p in sorted(people.values(), key=lambda x: (x.person_id,)):
        if p.has("household_member"):
            groups["household"].append(p)
        if p.has("parent", "step_parent"):
            groups["parents"].append(p)
        if p.has("carer") and not p.has("parent", "step_parent"):
            groups["carers"].append(p)
        if p.has("partner_of_carer", "ex_partner_of_carer", "suspect_at_home") and not p.has(
            "parent", "step_parent", "carer"
        ):
            groups["partners_of_carers"].append(p)
        if p.has("sibling"):
            groups["siblings"].append(p)
        if p.has("household_member") and not p.has(
            "parent", "step_parent", "carer", "sibling", "partner_of_carer"
        ):
            groups["other_children_in_household" if p.is_child else "other_adults_in_household"].append(p)
        if p.has("partner", "ex_partner"):
            groups["child_partners"].append(p)
        if p.has("own_child", "step_child", "cared_for"):
            groups["child_dependants"].append(p)
        if p.has("wider_family"):
            groups["wider_family"].append(p)
        if p.has("associate", "professional", "other") and not p.has(*CLOSE_RELATIONS):
            groups["associates"].append(p)
    return dict(groups)
