"""The shapes the query layer returns: a time window, people around a child, facts with their provenance.

Every fact carries where it came from (agency, system, table, record id), who recorded it (role), when, and
whether the agency recorded it as fact or opinion, so anything built on it can be traced to source records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

# the relations find_child_circles returns, grouped the way the picture shows them
CARER_RELATIONS = frozenset({"parent", "step_parent", "carer"})
ADULT_AROUND_RELATIONS = frozenset(
    {"parent", "step_parent", "carer", "partner_of_carer", "suspect_at_home", "household_member"}
)
CLOSE_RELATIONS = frozenset(
    {"parent", "step_parent", "carer", "partner_of_carer", "suspect_at_home", "household_member", "sibling"}
)


@dataclass(frozen=True)
class Window:
    """The time window of a question (``start``..``end``, inclusive) and the date ages are computed at."""

    start: date
    end: date
    reference_date: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"window starts ({self.start}) after it ends ({self.end})")

    @classmethod
    def years_to(cls, reference_date: date, years: int = 3) -> Window:
        """The ``years`` before ``reference_date`` (the default view of a child's recent history)."""
        return cls(reference_date - timedelta(days=round(365.25 * years)), reference_date, reference_date)

    def param(self, person_id: str) -> dict[str, Any]:
        return {"person_id": person_id, "from": self.start, "to": self.end}

    def contains(self, day: date | None) -> bool:
        return day is None or self.start <= day <= self.end


def age_on(dob: date | None, day: date) -> int | None:
    """Whole years of age on ``day`` (None when the date of birth is unknown)."""
    if dob is None:
        return None
    years = day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))
    return years


@dataclass(frozen=True)
class Link:
    """Why a person is in the child's circle: the record that puts them there. The fields are in the order of
    find_child_circles's lists (a test holds the two together)."""

    kind: str  # related_to, fact_role, carer_related_to, carer_fact_role, shared_parent, lived_at, member_of
    type: str | None
    agency: str | None
    source_table: str | None
    source_record_id: str | None
    record_key: str | None
    start: date | None = None
    end: date | None = None
    via_person_id: str | None = None
    fact_key: str | None = None
    address_key: str | None = None
    household_key: str | None = None
    recorded_by_role: str | None = None
    basis: str | None = None

    @property
    def link_key(self) -> str | None:
        """The agency's key of the record behind the link (``agency|table|id``)."""
        if self.agency and self.source_table and self.source_record_id:
            return f"{self.agency}|{self.source_table}|{self.source_record_id}"
        return None


@dataclass
class CirclePerson:
    """A person around the child, with every relation and the links behind each."""

    person_id: str
    display_name: str | None
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: str | None
    unborn: bool
    age: int | None
    relations: dict[str, list[Link]] = field(default_factory=dict)

    @property
    def is_child(self) -> bool:
        return self.unborn or (self.age is not None and self.age < 18)

    @property
    def is_adult(self) -> bool:
        """Adult, or of unknown age (a man around a baby with no date of birth on file is still a man)."""
        return not self.unborn and (self.age is None or self.age >= 18)

    def has(self, *relations: str) -> bool:
        return any(r in self.relations for r in relations)


@dataclass(frozen=True)
class Involvement:
    """A person's part in a fact: who (person and record), in which role, and how they relate to the child."""

    person_id: str | None
    relation: str
    role: str | None
    record_key: str | None
    agency: str | None
    address_key: str | None = None


@dataclass(frozen=True)
class Fact:
    """Something an agency recorded, with its provenance (the source record it came from)."""

    fact_key: str
    fact_type: str
    labels: tuple[str, ...]
    occurred_on: date | None
    ended_on: date | None
    summary: str | None
    agency: str
    source_system: str | None
    source_table: str | None
    source_record_id: str | None
    recorded_on: date | None
    recorded_by_role: str | None
    basis: str | None
    properties: dict[str, Any]
    involvements: tuple[Involvement, ...] = ()

    @property
    def source(self) -> str:
        """The agency's own reference for the record: ``agency system table id``."""
        return f"{self.agency} {self.source_system or ''} {self.source_table or ''} {self.source_record_id or ''}".strip()

    @property
    def open_ended(self) -> bool:
        """An episode, plan or flag with no end date is still going."""
        return self.ended_on is None and bool({"Episode", "Plan", "Flag"} & set(self.labels))

    def about(self, relation: str) -> bool:
        return any(i.relation == relation for i in self.involvements)

    def people(self, *relations: str) -> list[Involvement]:
        return [i for i in self.involvements if not relations or i.relation in relations]

    def evidence(self) -> dict[str, Any]:
        """The fact as evidence: what, when, and where it came from."""
        return {
            "fact_key": self.fact_key,
            "fact_type": self.fact_type,
            "occurred_on": self.occurred_on,
            "ended_on": self.ended_on,
            "summary": self.summary,
            "agency": self.agency,
            "source_system": self.source_system,
            "source_table": self.source_table,
            "source_record_id": self.source_record_id,
            "recorded_on": self.recorded_on,
            "recorded_by_role": self.recorded_by_role,
            "basis": self.basis,
            "people": [
                {"person_id": i.person_id, "relation": i.relation, "role": i.role, "record_key": i.record_key}
                for i in self.involvements
            ],
        }


_FACT_COLUMNS = (
    "fact_key",
    "fact_type",
    "occurred_on",
    "ended_on",
    "summary",
    "agency",
    "source_system",
    "source_table",
    "source_record_id",
    "recorded_on",
    "recorded_by_role",
    "basis",
)
_HIDDEN_PROPERTIES = frozenset({"raw_json", "row_hash", "ingest_run_id", "valid_from", "first_learnt_at"})


def instant(text: str | None) -> datetime | None:
    """A zoned datetime Cypher's toString() wrote (``2026-12-07T09:09:29.481474Z``, or with an offset and a zone
    name, ``...+01:00[Europe/London]``) as an aware datetime at the same instant. Read as text because the
    driver's own conversion of a datetime costs about 0.1 ms in Python, the slowest part of a picture."""
    if text is None:
        return None
    return datetime.fromisoformat(text.split("[", 1)[0])


def fact_from_row(props: dict[str, Any], labels: list[str], involvements: list[dict[str, Any]]) -> Fact:
    extra = {
        k: v
        for k, v in props.items()
        if k not in _FACT_COLUMNS and k not in _HIDDEN_PROPERTIES and v is not None
    }
    people = tuple(
        sorted(
            {
                Involvement(
                    i.get("person_id"),
                    i["relation"],
                    i.get("role"),
                    i.get("record_key"),
                    i.get("agency"),
                    i.get("address_key"),
                )
                for i in involvements
            },
            # by the agencies' record keys, not by person ids (generated, so another graph of the same knowledge
            # orders them otherwise): the first involvement that fits is the one a risk contribution names
            key=lambda i: (
                i.relation != "child",
                i.relation,
                i.record_key or "",
                i.role or "",
                i.person_id or "",
            ),
        )
    )
    return Fact(
        fact_key=props["fact_key"],
        fact_type=props["fact_type"],
        labels=tuple(sorted(x for x in labels if x != "Fact")),
        occurred_on=props.get("occurred_on"),
        ended_on=props.get("ended_on"),
        summary=props.get("summary"),
        agency=props["agency"],
        source_system=props.get("source_system"),
        source_table=props.get("source_table"),
        source_record_id=props.get("source_record_id"),
        recorded_on=props.get("recorded_on"),
        recorded_by_role=props.get("recorded_by_role"),
        basis=props.get("basis"),
        properties=extra,
        involvements=people,
    )
