"""The child's-picture graph model as code: vocabularies, keys, and the rows that ingest hands to the writer.

See docs/graph-model.md for the picture. In short:
- ``SourceRecord``: one agency's record of a person, kept whole (``raw_json``), keyed ``agency|table|id``.
- ``Person``: one resolved individual; ``(SourceRecord)-[:RECORD_OF]->(Person)`` made by entity resolution.
- ``Fact`` (with a type label: Event, Referral, Assessment, AssessmentFactor, Episode, Plan, ChildView, Flag):
  something an agency recorded, keyed ``agency|table|id``; people are linked by
  ``(SourceRecord)-[:INVOLVED_IN {role}]->(Fact)``.
- ``Address``, ``Household``; ``LIVED_AT``, ``MEMBER_OF``, ``RELATED_TO`` (person to person), ``AT``, ``PART_OF``.
Every fact-bearing node and relationship carries provenance (``PROVENANCE_FIELDS``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Agency = Literal[
    "police", "csc", "health", "education", "early_help", "probation", "housing", "third_sector"
]  # fmt: skip
AGENCIES: tuple[str, ...] = (
    "police", "csc", "health", "education", "early_help", "probation", "housing", "third_sector",
)  # fmt: skip

Basis = Literal["fact", "opinion"]
BASES: tuple[str, ...] = ("fact", "opinion")

# Provenance every fact-bearing node and relationship carries (the guidance asks that fact and opinion
# be distinguishable, and that a share records who, what, when).
PROVENANCE_FIELDS: tuple[str, ...] = (
    "agency", "source_system", "source_table", "source_record_id", "recorded_on", "recorded_by_role",
    "basis", "ingest_run_id", "learnt_at",
)  # fmt: skip

# fact_type -> the type label(s) the Fact node carries besides :Fact
FACT_LABELS: dict[str, tuple[str, ...]] = {
    # things that happened
    "police_incident": ("Event",),
    "crime": ("Event",),
    "cpnci": ("Event",),
    "da_incident": ("Event",),
    "missing_episode": ("Event",),
    "ae_attendance": ("Event",),
    "was_not_brought": ("Event",),
    "school_exclusion": ("Event",),
    "absence": ("Event",),
    "children_missing_education": ("Event",),
    "tenancy_event": ("Event",),
    "third_sector_concern": ("Event",),
    "gp_maternity_event": ("Event",),
    # children's social care process
    "contact": ("Referral",),
    "referral": ("Referral",),
    "assessment": ("Assessment",),
    "assessment_factor": ("AssessmentFactor",),
    "s47_enquiry": ("Episode",),
    "cp_plan": ("Plan",),
    "cin_plan": ("Plan",),
    "cin_episode": ("Episode",),
    "looked_after_episode": ("Episode",),
    "early_help_episode": ("Episode",),
    "probation_supervision": ("Episode",),
    "tenancy": ("Episode",),
    "voice_of_child": ("ChildView",),
    # standing markers about a person
    "cp_is_flag": ("Flag",),
    "mappa": ("Flag",),
    "offending_marker": ("Flag",),
}

ROLES: tuple[str, ...] = (
    "subject", "victim", "suspect", "offender", "witness", "present", "reporter", "parent_carer",
    "household_member", "tenant", "occupant", "father", "mother", "partner", "referrer",
)  # fmt: skip

RELATIONSHIP_TYPES: tuple[str, ...] = (
    "parent", "step_parent", "partner", "ex_partner", "sibling", "half_sibling", "carer", "grandparent",
    "aunt_uncle", "cousin", "other_relative", "child", "lives_with", "associate", "friend", "neighbour",
    "professional", "other",
)  # fmt: skip

# CIN census factor suffix -> where the factor attaches in the graph
FACTOR_ATTACHMENT: dict[str, str] = {"A": "child", "B": "parent_carer", "C": "household_member"}


def record_key(agency: str, table: str, source_record_id: str) -> str:
    """The key of an agency's record: unique per agency and table, stable across re-ingests."""
    return f"{agency}|{table}|{source_record_id}"


def canonical_json(raw: dict[str, Any]) -> str:
    """What the agency sent, as compact JSON with sorted keys: kept whole as ``raw_json`` and hashed."""
    return json.dumps(raw, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))


def row_hash(raw: dict[str, Any], canonical: str | None = None) -> str:
    """A stable digest of what the agency sent: the same row twice hashes the same."""
    text = canonical_json(raw) if canonical is None else canonical
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def normalise_postcode(value: str | None) -> str | None:
    """``'b86 0lf'`` -> ``'B86 0LF'``; None when it is not a UK postcode shape."""
    if not value:
        return None
    compact = re.sub(r"\s+", "", value.upper())
    match = _POSTCODE.match(f"{compact[:-3]} {compact[-3:]}")
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_district(postcode: str | None) -> str | None:
    """The outward code (``'B86'``): the area shown where a full address would not be proportionate."""
    return postcode.split(" ")[0] if postcode else None


def normalise_address(
    line: str | None, postcode: str | None, uprn: str | None = None
) -> dict[str, Any] | None:
    """An Address node's properties: keyed by UPRN when given, else by normalised first line + postcode."""
    pc = normalise_postcode(postcode)
    text = re.sub(r"[^A-Z0-9 ]", " ", (line or "").upper())
    text = re.sub(r"\s+", " ", text).strip()
    if uprn:
        key = f"uprn:{uprn.strip()}"
    elif text or pc:
        key = f"addr:{text}|{pc or ''}"
    else:
        return None
    return {
        "address_key": key,
        "uprn": uprn.strip() if uprn else None,
        "line": text or None,
        "postcode": pc,
        "area": postcode_district(pc),
    }


def _primitive(value: Any) -> Any:
    """Neo4j property values: primitives, dates, or lists of primitives; everything else as text."""
    if value is None or isinstance(value, bool | int | float | str | date | datetime):
        return value
    if isinstance(value, list | tuple):
        return [_primitive(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class Provenance:
    agency: str
    source_table: str
    source_record_id: str
    source_system: str
    recorded_on: date | None
    recorded_by_role: str | None
    basis: str
    learnt_at: datetime
    ingest_run_id: str

    def __post_init__(self) -> None:
        if self.agency not in AGENCIES:
            raise ValueError(f"unknown agency {self.agency!r}")
        if self.basis not in BASES:
            raise ValueError(f"basis must be fact or opinion, got {self.basis!r}")

    @property
    def stamp(self) -> tuple[str, datetime]:
        """(ingest run, when Jigsaw learnt it): the same for every row of a run, so the writer sends it once
        per statement (``$run``) instead of on every row."""
        return self.ingest_run_id, self.learnt_at

    def props(self) -> dict[str, Any]:
        """The provenance that varies from row to row; ``stamp`` (run id, learnt at) is written beside it."""
        return {
            "agency": self.agency,
            "source_system": self.source_system,
            "source_table": self.source_table,
            "source_record_id": self.source_record_id,
            "recorded_on": self.recorded_on,
            "recorded_by_role": self.recorded_by_role,
            "basis": self.basis,
        }


@dataclass(frozen=True)
class SourceRecordRow:
    """One agency's record of a person, with the fields entity resolution compares."""

    provenance: Provenance
    raw: dict[str, Any]
    given_name: str | None = None
    family_name: str | None = None
    other_names: str | None = None
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None  # unborn
    sex: str | None = None
    nhs_number: str | None = None
    upn: str | None = None
    la_child_id: str | None = None
    pnc_id: str | None = None
    postcode: str | None = None
    address_line: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        p = self.provenance
        return record_key(p.agency, p.source_table, p.source_record_id)

    def to_param(self) -> dict[str, Any]:
        raw_json = canonical_json(self.raw)  # encoded once: stored whole and hashed
        props = {
            **self.provenance.props(),
            "given_name": self.given_name,
            "family_name": self.family_name,
            "other_names": self.other_names,
            "date_of_birth": self.date_of_birth,
            "expected_date_of_birth": self.expected_date_of_birth,
            "sex": self.sex,
            "nhs_number": self.nhs_number,
            "upn": self.upn,
            "la_child_id": self.la_child_id,
            "pnc_id": self.pnc_id,
            "postcode": normalise_postcode(self.postcode),
            "address_line": self.address_line,
            "raw_json": raw_json,
            **{k: _primitive(v) for k, v in self.extra.items()},
        }
        return {
            "record_key": self.key,
            "row_hash": row_hash(self.raw, raw_json),
            "props": {k: v for k, v in props.items() if v is not None},
        }


@dataclass(frozen=True)
class FactRow:
    """Something an agency recorded: an event, a referral, an assessment, an episode, a flag."""

    provenance: Provenance
    fact_type: str
    raw: dict[str, Any]
    occurred_on: date | None
    ended_on: date | None = None
    summary: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fact_type not in FACT_LABELS:
            raise ValueError(f"unknown fact type {self.fact_type!r}")

    @property
    def key(self) -> str:
        p = self.provenance
        return record_key(p.agency, p.source_table, p.source_record_id)

    def to_param(self) -> dict[str, Any]:
        raw_json = canonical_json(self.raw)  # encoded once: stored whole and hashed
        props = {
            **self.provenance.props(),
            "fact_type": self.fact_type,
            "occurred_on": self.occurred_on,
            "ended_on": self.ended_on,
            "summary": self.summary,
            "raw_json": raw_json,
            **{k: _primitive(v) for k, v in self.detail.items()},
        }
        return {
            "fact_key": self.key,
            "labels": list(FACT_LABELS[self.fact_type]),
            "row_hash": row_hash(self.raw, raw_json),
            "props": {k: v for k, v in props.items() if v is not None},
        }


@dataclass(frozen=True)
class InvolvementRow:
    """A record's role in a fact. The links' ``props`` keep None values: a value an agency has since cleared
    (an end date withdrawn, a field emptied) must be removed from the link, not kept from the earlier extract."""

    record_key: str
    fact_key: str
    role: str
    provenance: Provenance

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")

    def to_param(self, idx: int) -> dict[str, Any]:
        return {"idx": idx, "record_key": self.record_key, "fact_key": self.fact_key, "role": self.role,
                "props": self.provenance.props()}  # fmt: skip


@dataclass(frozen=True)
class PersonLinkRow:
    from_key: str
    to_key: str
    type: str
    provenance: Provenance
    from_date: date | None = None
    to_date: date | None = None

    def __post_init__(self) -> None:
        if self.type not in RELATIONSHIP_TYPES:
            raise ValueError(f"unknown relationship type {self.type!r}")

    def to_param(self, idx: int) -> dict[str, Any]:
        p = self.provenance
        props = {**p.props(), "from": self.from_date, "to": self.to_date}
        return {"idx": idx, "link_key": record_key(p.agency, p.source_table, p.source_record_id),
                "from_key": self.from_key, "to_key": self.to_key, "type": self.type,
                "props": props}  # fmt: skip


@dataclass(frozen=True)
class ResidenceRow:
    record_key: str
    address: dict[str, Any]
    provenance: Provenance
    from_date: date | None = None
    to_date: date | None = None

    def to_param(self, idx: int) -> dict[str, Any]:
        props = {**self.provenance.props(), "from": self.from_date, "to": self.to_date}
        link = f"{self.record_key}|{self.address['address_key']}|{self.from_date or ''}"
        return {"idx": idx, "link_key": link, "record_key": self.record_key,
                "address": {k: v for k, v in self.address.items() if v is not None},
                "props": props}  # fmt: skip


@dataclass(frozen=True)
class FactPlaceRow:
    fact_key: str
    address: dict[str, Any]

    def to_param(self, idx: int) -> dict[str, Any]:
        return {"idx": idx, "fact_key": self.fact_key,
                "address": {k: v for k, v in self.address.items() if v is not None}}  # fmt: skip


@dataclass(frozen=True)
class FactPartRow:
    fact_key: str
    parent_key: str

    def to_param(self, idx: int) -> dict[str, Any]:
        return {"idx": idx, "fact_key": self.fact_key, "parent_key": self.parent_key}


@dataclass(frozen=True)
class HouseholdMemberRow:
    record_key: str
    household_key: str
    provenance: Provenance
    member_role: str | None = None
    from_date: date | None = None
    to_date: date | None = None

    def to_param(self, idx: int) -> dict[str, Any]:
        props = {**self.provenance.props(), "member_role": self.member_role, "from": self.from_date,
                 "to": self.to_date}  # fmt: skip
        return {"idx": idx, "record_key": self.record_key,
                "household": {"household_key": self.household_key, "agency": self.provenance.agency},
                "props": props}  # fmt: skip


@dataclass(frozen=True)
class WithdrawalRow:
    """An agency's notice that a record (a fact or a person record, by its key) it sent is withdrawn."""

    key: str  # agency|table|source id of the record withdrawn
    provenance: Provenance  # of the notice
    withdrawn_on: date | None
    reason: str

    def to_param(self, idx: int) -> dict[str, Any]:
        p = self.provenance
        return {"idx": idx, "key": self.key,
                "props": {"withdrawn_on": self.withdrawn_on, "withdrawal_reason": self.reason,
                          "withdrawn_by_role": p.recorded_by_role,
                          "withdrawal_notice": record_key(p.agency, p.source_table, p.source_record_id)}}  # fmt: skip


@dataclass
class GraphRows:
    """What one transform produces from agency rows: everything the writer loads, by kind."""

    source_records: list[SourceRecordRow] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)
    involvements: list[InvolvementRow] = field(default_factory=list)
    person_links: list[PersonLinkRow] = field(default_factory=list)
    residences: list[ResidenceRow] = field(default_factory=list)
    fact_places: list[FactPlaceRow] = field(default_factory=list)
    fact_parts: list[FactPartRow] = field(default_factory=list)
    household_members: list[HouseholdMemberRow] = field(default_factory=list)
    withdrawals: list[WithdrawalRow] = field(default_factory=list)

    def extend(self, other: GraphRows) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))

    def __len__(self) -> int:
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)
