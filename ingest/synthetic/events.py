"""What happened in the county, in true terms (true person ids), before each agency writes it its own way.

The simulation (base rates) and the planted patterns both fill an `Events`; the agency writers turn it into
files, give every record its id, and write back the record key (`key`) so the truth can name records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True, eq=False)
class Occurrence:
    kind: str  # police_incident, crime, cpnci, da_incident, missing_episode
    day: int
    persons: list[tuple[int, str]]  # (true person id, role)
    addr: int | None = None  # dwelling address, or None for a public place
    place: str | None = None  # public place description
    end: int | None = None
    dash: str | None = None
    crime: str | None = None
    children_present: bool = False
    referred: bool = False
    referral_day: int | None = None
    summary: str = ""
    basis: str = "fact"
    recorder: str = "PC"
    key: str = ""


@dataclass(slots=True, eq=False)
class Assessment:
    start: int
    auth: int | None
    factors: list[str]
    nfa: bool
    child_seen: bool = True
    key: str = ""
    factors_key: str = ""


@dataclass(slots=True, eq=False)
class S47:
    start: int
    end: int | None
    nfa: bool
    icpc_day: int | None
    key: str = ""


@dataclass(slots=True, eq=False)
class CPPlan:
    start: int
    end: int | None
    initial: str
    latest: str
    key: str = ""


@dataclass(slots=True, eq=False)
class CLAEpisode:
    start: int
    end: int | None
    reason_new: str
    legal_status: str
    placement: str
    provider: str
    reason_end: str | None
    reason_place_change: str | None
    placement_addr: int | None
    key: str = ""
    key903: str = ""


@dataclass(slots=True, eq=False)
class EHEpisode:
    child: int
    referral_day: int
    source: str
    reason: str
    consent: str  # Y / N / W
    start: int | None
    end: int | None
    closure: str | None
    risk_noted: bool
    summary: str
    referrer_ref: object | None = None  # an Occurrence, Referral or Contact this came from
    in_csc: bool = False  # also recorded on the social care system (ssd_early_help_episodes)
    key: str = ""
    csc_key: str = ""


@dataclass(slots=True, eq=False)
class Referral:
    child: int
    day: int
    source: str
    need_code: str
    threshold: str
    nfa: bool
    feedback_day: int | None
    assessment: Assessment | None = None
    s47: S47 | None = None
    cin_plan: tuple[int, int | None] | None = None
    cp_plan: CPPlan | None = None
    cla: list[CLAEpisode] = field(default_factory=list)
    close_day: int | None = None
    close_reason: str | None = None
    stepdown: EHEpisode | None = None
    malicious: bool = False
    malicious_by: str | None = None
    malicious_day: int | None = None
    multi_agency: bool | None = None
    referrer_relationship: str | None = None
    contact: Contact | None = None
    key: str = ""
    cin_plan_key: str = ""
    involvement_key: str = ""


@dataclass(slots=True, eq=False)
class Contact:
    child: int
    day: int
    source: str
    summary: str
    referrer_ref: object | None = None  # e.g. the police Occurrence
    outcome: str = "nfa"  # referral, existing, nfa, advice, early_help, missing
    referral: Referral | None = None
    key: str = ""


@dataclass(slots=True, eq=False)
class MissingEpisode:
    child: int
    start: int
    end: int | None
    kind: str  # M / A
    rhi_offered: str | None
    rhi_accepted: str | None
    occurrence: Occurrence | None = None
    looked_after: bool = False
    key: str = ""
    key903: str = ""


@dataclass(slots=True, eq=False)
class Encounter:
    pid: int
    kind: str  # ae-attendance, was-not-brought, did-not-attend, antenatal-booking, gp-consultation, ...
    day: int
    reason: str
    participant: int | None = None  # adult who brought the child (must be a RelatedPerson of the child)
    basis: str = "fact"
    recorder: str = "nurse"
    key: str = ""


@dataclass(slots=True, eq=False)
class HealthFlag:
    pid: int
    kind: str  # cp-plan, looked-after, unborn-cp-plan
    start: int
    end: int | None
    key: str = ""


@dataclass(slots=True, eq=False)
class Maternity:
    mother: int
    booking_day: int
    edd: int
    outcome: str
    outcome_day: int | None
    baby: int | None
    partner: int | None
    partner_is_father: bool
    unborn: int | None = None  # the unborn child, while the pregnancy is ongoing
    key: str = ""


@dataclass(slots=True, eq=False)
class Exclusion:
    child: int
    day: int
    kind: str
    sessions: int | None
    reason: str
    summary: str
    key: str = ""


@dataclass(slots=True, eq=False)
class CME:
    child: int
    reported: int
    reason: str
    resolved: int | None
    key: str = ""


@dataclass(slots=True, eq=False)
class Supervision:
    pid: int
    order: str
    start: int
    end: int | None
    offence: str
    rosh: str
    risk_to_children: bool
    mappa_category: str | None
    mappa_level: str | None
    key: str = ""


@dataclass(slots=True, eq=False)
class TenancyEvent:
    kind: str
    day: int
    occupant: int | None
    summary: str
    basis: str = "fact"
    key: str = ""


@dataclass(slots=True, eq=False)
class Tenancy:
    addr: int
    tenure: str
    start: int
    end: int | None
    end_reason: str | None
    arrears: bool
    occupants: list[tuple[int, str, int | None, int | None]]  # (pid, role, from, to)
    events: list[TenancyEvent] = field(default_factory=list)
    key: str = ""


@dataclass(slots=True, eq=False)
class Concern:
    organisation: str
    org_type: str
    day: int
    category: str
    summary: str
    legal_basis: str
    consent_by: str | None
    shared_day: int
    persons: list[tuple[int, str, bool]]  # (pid, role, date of birth known)
    key: str = ""


@dataclass
class Events:
    occurrences: list[Occurrence] = field(default_factory=list)
    police_links: list[tuple[int, int, str, int | None, int | None]] = field(default_factory=list)
    police_flags: list[tuple[int, str, str | None, int, int | None]] = field(default_factory=list)
    police_known: dict[int, int] = field(default_factory=dict)  # people the police hold without events
    contacts: list[Contact] = field(default_factory=list)
    missing: list[MissingEpisode] = field(default_factory=list)
    eh: list[EHEpisode] = field(default_factory=list)
    csc_adults: dict[int, list[int]] = field(default_factory=dict)  # child -> adults the LA records
    encounters: list[Encounter] = field(default_factory=list)
    health_flags: list[HealthFlag] = field(default_factory=list)
    maternity: list[Maternity] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    cme: list[CME] = field(default_factory=list)
    absence: dict[int, float] = field(default_factory=dict)  # child -> absence multiplier
    absence_trend: dict[int, float] = field(default_factory=dict)  # child -> rising absence per term
    supervisions: list[Supervision] = field(default_factory=list)
    tenancies: list[Tenancy] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    # people an agency must not hold a person record for (planted hidden adults)
    hidden: dict[str, set[int]] = field(default_factory=dict)
    # people an agency must hold even without events (e.g. a father registered with a GP)
    extra_people: dict[str, dict[int, int]] = field(default_factory=dict)
    # RelatedPerson links health must record: (patient pid, related pid, v3 role code)
    related: list[tuple[int, int, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def is_hidden(self, agency: str, pid: int) -> bool:
        return pid in self.hidden.get(agency, ())

    def hide(self, agency: str, pid: int) -> None:
        self.hidden.setdefault(agency, set()).add(pid)
