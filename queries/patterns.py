"""Scheduled pattern detection: information not shared or not acted on, hidden adults, linked risk.

Each pattern reads the whole graph and yields ``Finding``s (one child, one anchor, the facts behind it with
their sources). ``run_patterns`` runs them all (or some), writes the findings as ``Alert`` nodes idempotently
and returns a report. Parameters come from ``queries/config/patterns.yaml`` (versioned).

| pattern | what it finds |
|---|---|
| incident_without_referral | police incident with a child involved, no contact/referral within N days |
| referral_feedback_overdue | referral with no feedback to the referrer after N working days |
| early_help_closed_without_consent | early help closed for lack of consent while risk was present |
| malicious_without_assessment | referral deemed malicious without a multi-agency assessment |
| re_referral | referral within 12 months of the child's previous referral |
| repeat_domestic_abuse | 3+ police DA incidents around a child in 12 months (MARAC criterion) |
| low_level_concerns | lower-level concerns from 3+ agencies building up with no referral or assessment |
| hidden_adult | adult around the child known to police/probation, absent from CSC's or health's records |
| risky_adult_linked_children | adult with a violent/sexual/DA/MAPPA history around children in 2+ households |
| adult_around_households | any adult around children in 3+ households other than as family |
| co_occurring_missing | children missing at the same time as another child on 2+ separate occasions |
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import neo4j

from graph.config import ConfigError
from ingest.memory import cyclic_gc_paused
from queries import adults as adults_q
from queries import alerts as alerts_q
from queries import catalog
from queries import known_at as known_at_q
from queries import linked as linked_q
from queries import risk as risk_q
from queries.alerts import Finding
from queries.model import Fact, Window, fact_from_row
from queries.settings import PatternConfig, RiskConfig, load_pattern_config, load_risk_config

log = logging.getLogger(__name__)


@dataclass
class Sweep:
    """What every pattern needs: the graph, the date it is run as at, and both configs. Patterns of one sweep may
    run at once on several threads: what it keeps (facts, adults) is kept for all of them."""

    driver: catalog.Reader
    database: str
    reference_date: date
    config: PatternConfig
    risk_config: RiskConfig
    _facts: dict[str, Fact] = field(default_factory=dict)
    _adults: adults_q.AdultReader | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def adults(self) -> adults_q.AdultReader:
        """Adults' histories and the children around them, read once for every adult pattern of the sweep."""
        with self._lock:
            if self._adults is None:
                self._adults = adults_q.AdultReader(
                    self.driver, self.database, self.reference_date, self.risk_config
                )
            return self._adults

    def p(self, pattern: str, key: str) -> Any:
        return self.config.get(pattern, key)

    def since(self, pattern: str) -> date | None:
        days = self.config.params.get(pattern, {}).get("lookback_days")
        return None if days is None else self.reference_date - timedelta(days=int(days))

    def read(self, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return catalog.read(self.driver, self.database, name, params)

    def coverage(self, fact_types: Sequence[str], prop: str | None = None) -> list[dict[str, Any]]:
        """Per agency, source system and fact type: facts, facts with ``prop``, first and last date."""
        return self.read("find_fact_coverage", {"fact_types": list(fact_types), "property": prop})

    def facts(self, keys: Sequence[str]) -> dict[str, Fact]:
        """Facts by key with provenance and everyone involved (cached for the sweep)."""
        missing = sorted({k for k in keys if k and k not in self._facts})
        for start in range(0, len(missing), 5000):
            for row in self.read("find_facts_by_key", {"fact_keys": missing[start : start + 5000]}):
                inv = [{**x, "relation": "named"} for x in row["everyone"]]
                fact = fact_from_row(row["fact"], row["labels"], inv)
                self._facts[fact.fact_key] = fact
        return {k: self._facts[k] for k in keys if k in self._facts}

    def prefetch(self, rows: Any) -> None:
        """Read in one go every fact named in query rows (values of *_key fields other than record keys, nested
        lists and maps included), so that building the findings' evidence costs no query per finding."""
        keys: list[str] = []

        def walk(value: Any) -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    if isinstance(v, str) and k.endswith("key") and k != "record_key" and "|" in v:
                        keys.append(v)
                    else:
                        walk(v)
            elif isinstance(value, list | tuple):
                for v in value:
                    walk(v)

        walk(rows)
        self.facts(keys)

    def evidence(self, keys: Sequence[str]) -> tuple[dict[str, Any], ...]:
        found = self.facts(keys)
        return tuple(found[k].evidence() for k in dict.fromkeys(keys) if k in found)


def _person(person_id: str, relation: str, record_keys: Sequence[str | None]) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "relation": relation,
        "record_keys": sorted({r for r in record_keys if r}),
    }


def _child_records(evidence: Sequence[dict[str, Any]], person_id: str) -> list[str]:
    return [p["record_key"] for e in evidence for p in e["people"] if p.get("person_id") == person_id]


# -- information not shared or not acted on ------------------------------------------------------------------


def incident_without_referral(s: Sweep) -> list[Finding]:
    name = "incident_without_referral"
    days = int(s.p(name, "referral_days"))
    receiving_types, receiving_agencies = s.p(name, "receiving_types"), s.p(name, "receiving_agencies")
    # no referral can be seen before the receiving agencies' extracts begin
    covered = [
        r["first"] for r in s.coverage(receiving_types) if r["agency"] in receiving_agencies and r["first"]
    ]
    if not covered:
        log.warning("%s: no %s facts from %s in the graph: nothing to compare with", name, receiving_types,
                    receiving_agencies)  # fmt: skip
        return []
    since = max(d for d in (min(covered), s.since(name)) if d is not None)
    rows = s.read(
        "find_incidents_without_referral",
        {
            "incident_types": s.p(name, "incident_types"),
            "referral_days": days,
            "receiving_types": receiving_types,
            "receiving_agencies": receiving_agencies,
            "child_roles": s.p(name, "child_roles"),
            "young_person_age": int(s.p(name, "young_person_age")),
            "include_residents": bool(s.p(name, "include_residents")),
            "reference_date": s.reference_date,
            "since": since,
        },
    )
    s.prefetch(rows)
    findings = []
    for r in rows:
        evidence = s.evidence([r["fact_key"]])
        roles = ", ".join(sorted({h["role"] for h in r["how"]}))
        police_says = (
            f"; the police record says referred on {r['referral_date']}"
            if r["referred_to_csc"]
            else "; the police record says not referred"
            if r["referred_to_csc"] is False
            else ""
        )
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=r["fact_key"],
                summary=f"Police {evidence[0]['fact_type'].replace('_', ' ')} on {r['occurred_on']} with the child "
                f"({roles}); no contact or referral about the child reached "
                f"{' or '.join(s.p(name, 'receiving_agencies'))} within {days} days{police_says}",
                evidence=evidence,
                people=(_person(r["person_id"], "child", [h["record_key"] for h in r["how"]]),),
                detail={
                    "referral_days": days,
                    "referred_to_csc": r["referred_to_csc"],
                    "referral_date": r["referral_date"],
                },
            )
        )
    return findings


def referral_feedback_overdue(s: Sweep) -> list[Finding]:
    name = "referral_feedback_overdue"
    working_days = int(s.p(name, "working_days"))
    if working_days < 1:
        raise ConfigError(f"{s.config.source}: {name}.working_days must be at least 1")
    systems = s.p(name, "source_systems")
    if systems is None:  # the systems that record feedback at all: a missing date elsewhere means nothing
        systems = [
            r["source_system"]
            for r in s.coverage(s.p(name, "fact_types"), "feedback_on")
            if r["with_property"]
        ]
    rows = s.read(
        "find_overdue_referral_feedback",
        {
            "fact_types": s.p(name, "fact_types"),
            "source_systems": list(systems),
            "working_days": working_days,
            "holidays": list(s.config.bank_holidays),
            "no_feedback_source_codes": [str(c) for c in s.p(name, "no_feedback_source_codes")],
            "include_late": bool(s.p(name, "include_late")),
            "reference_date": s.reference_date,
            "since": s.since(name),
        },
    )
    s.prefetch(rows)
    findings = []
    for r in rows:
        given = (
            f"feedback recorded late, on {r['feedback_on']}"
            if r["feedback_on"] and r["feedback_on"] <= s.reference_date
            else f"no feedback recorded by {s.reference_date}"
        )
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=r["fact_key"],
                summary=f"Referral of {r['occurred_on']} (source {r['referral_source']}): feedback to the referrer "
                f"was due by {r['due_on']} ({working_days} working day{'s' if working_days > 1 else ''}); {given}",
                evidence=s.evidence([r["fact_key"]]),
                people=(_person(r["person_id"], "child", [r["record_key"]]),),
                detail={"due_on": r["due_on"], "feedback_on": r["feedback_on"], "working_days": working_days},
            )
        )
    return findings


def early_help_closed_without_consent(s: Sweep) -> list[Finding]:
    name = "early_help_closed_without_consent"
    rows = s.read(
        "find_early_help_closed_without_consent",
        {
            "closure_reasons": s.p(name, "closure_reasons"),
            "consent_values": s.p(name, "consent_values"),
            "reference_date": s.reference_date,
            "since": s.since(name),
        },
    )
    s.prefetch(rows)
    lookback = timedelta(days=int(s.p(name, "risk_lookback_days")))
    min_points = float(s.p(name, "min_risk_points"))
    findings = []
    # risk is weighed in the year before each closure; a child closed twice is weighed once per closure, so the
    # closures go in rounds (each child at most once per round) of batched risk queries
    risks: dict[str, risk_q.RiskAssessment] = {}
    rounds: list[dict[str, dict[str, Any]]] = []
    for r in rows:
        free = next((x for x in rounds if r["person_id"] not in x), None)
        if free is None:
            free = {}
            rounds.append(free)
        free[r["person_id"]] = r
    for this_round in rounds:
        items = list(this_round.items())
        for start in range(0, len(items), 500):
            part = dict(items[start : start + 500])
            windows = {
                pid: Window(r["closed_on"] - lookback, r["closed_on"], r["closed_on"])
                for pid, r in part.items()
            }
            for pid, assessment in risk_q.cumulative_risks(
                s.driver, s.database, windows, s.risk_config
            ).items():
                risks[part[pid]["fact_key"]] = assessment
    for r in rows:
        assessment = risks[r["fact_key"]]
        others = [c for c in assessment.contributions if c.fact.fact_key != r["fact_key"]]
        points = sum(c.points for c in others)
        if not (r["risk_noted_at_closure"] or points >= min_points):
            continue
        keys = [r["fact_key"], *([r["stepped_down_from_key"]] if r["stepped_down_from_key"] else [])]
        keys += [c.fact.fact_key for c in others]
        why = []
        if r["risk_noted_at_closure"]:
            why.append("early help noted risk at closure")
        if others:
            why.append(
                f"{len(others)} risk indicator(s) in the year before closure, {points:.1f} points: "
                + "; ".join(sorted({c.label for c in others}))
            )
        stepped = " after a step-down from children's social care" if r["stepped_down_from_key"] else ""
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=r["fact_key"],
                summary=f"Early help closed on {r['closed_on']}{stepped} because the family did not agree to the "
                f"service ({r['closure_reason'] or 'consent ' + str(r['consent_to_service'])}), while risk was "
                f"present: {'; '.join(why)}. Consider escalation (guidance case studies 3 and 4).",
                evidence=s.evidence(keys),
                people=(_person(r["person_id"], "child", [r["record_key"]]),),
                detail={
                    "risk_points": round(points, 3),
                    "risk_config_version": assessment.config_version,
                    "indicators": [c.indicator for c in others],
                    "risk_noted_at_closure": r["risk_noted_at_closure"],
                },
            )
        )
    return findings


def malicious_without_assessment(s: Sweep) -> list[Finding]:
    name = "malicious_without_assessment"
    rows = s.read(
        "find_malicious_referrals_without_assessment",
        {
            "assessment_types": s.p(name, "assessment_types"),
            "assessment_days": int(s.p(name, "assessment_days")),
            "reference_date": s.reference_date,
            "since": s.since(name),
        },
    )
    s.prefetch(rows)
    return [
        Finding(
            pattern=name,
            person_id=r["person_id"],
            anchor=r["fact_key"],
            summary=f"Referral of {r['occurred_on']} deemed malicious"
            + (f" by {r['deemed_malicious_by_role']}" if r["deemed_malicious_by_role"] else "")
            + (f" (referrer: {r['referrer_relationship']})" if r["referrer_relationship"] else "")
            + " without a multi-agency assessment. No referral is deemed malicious without a full multi-agency "
            "assessment (national review of Arthur and Star).",
            evidence=s.evidence([r["fact_key"]]),
            people=(_person(r["person_id"], "child", [r["record_key"]]),),
            detail={
                "deemed_malicious_by_role": r["deemed_malicious_by_role"],
                "referral_source": r["referral_source"],
                "referrer_relationship": r["referrer_relationship"],
            },
        )
        for r in rows
    ]


def re_referral(s: Sweep) -> list[Finding]:
    name = "re_referral"
    same = int(s.p(name, "same_referral_days"))
    rows = s.read(
        "find_re_referrals",
        {
            "agencies": s.p(name, "agencies"),
            "within_days": int(s.p(name, "within_days")),
            "same_referral_days": same,
            "reference_date": s.reference_date,
            "since": s.since(name),
        },
    )
    s.prefetch(rows)
    findings = []
    last: dict[str, date] = {}
    for (
        r
    ) in rows:  # in child and date order: a copy of the same referral from another system is one re-referral
        seen = last.get(r["person_id"])
        if seen is not None and (r["occurred_on"] - seen).days < same:
            continue
        last[r["person_id"]] = r["occurred_on"]
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=r["fact_key"],
                summary=f"Re-referral on {r['occurred_on']}, {r['days_between']} days after the referral of "
                f"{r['previous_on']}",
                evidence=s.evidence([r["previous_key"], r["fact_key"]]),
                people=(_person(r["person_id"], "child", [r["record_key"]]),),
                detail={"days_between": r["days_between"], "previous_key": r["previous_key"]},
            )
        )
    return findings


def clusters(
    days: Sequence[date], within_days: int, qualifies: Callable[[int, int], bool]
) -> list[list[int]]:
    """Indexes (into sorted ``days``) grouped into runs of overlapping windows of ``within_days`` that qualify.

    For each start i, the window is i..j with days[j] - days[i] <= within_days; ``qualifies(i, j)`` says whether
    it counts. Qualifying windows that share an item join one cluster. The first item anchors a cluster, so an
    alert keeps its key when later items join.
    """
    marked: list[tuple[int, int]] = []
    j = 0
    for i in range(len(days)):
        j = max(j, i)
        while j + 1 < len(days) and (days[j + 1] - days[i]).days <= within_days:
            j += 1
        if qualifies(i, j):
            marked.append((i, j))
    out: list[list[int]] = []
    for i, j in marked:
        if out and i <= out[-1][-1]:
            out[-1].extend(k for k in range(out[-1][-1] + 1, j + 1))
        else:
            out.append(list(range(i, j + 1)))
    return out


def repeat_domestic_abuse(s: Sweep) -> list[Finding]:
    name = "repeat_domestic_abuse"
    min_incidents = int(s.p(name, "min_incidents"))
    within = int(s.p(name, "within_days"))
    rows = s.read(
        "find_domestic_abuse_around_children",
        {"min_incidents": min_incidents, "reference_date": s.reference_date, "since": s.since(name)},
    )
    s.prefetch(rows)
    findings = []
    for r in rows:
        incidents = sorted(r["incidents"], key=lambda x: (x["occurred_on"], x["fact_key"]))
        days = [x["occurred_on"] for x in incidents]
        for group in clusters(days, within, lambda i, j: j - i + 1 >= min_incidents):
            chosen = [incidents[k] for k in group]
            keys = [x["fact_key"] for x in chosen]
            evidence = s.evidence(keys)
            grades = ", ".join(str(x["dash_grade"] or "not graded") for x in chosen)
            via = sorted({v for x in chosen for v in x["via"]})
            findings.append(
                Finding(
                    pattern=name,
                    person_id=r["person_id"],
                    anchor=keys[0],
                    summary=f"{len(chosen)} police domestic abuse incidents around the child between {days[group[0]]} "
                    f"and {days[group[-1]]} (DASH: {grades}): {min_incidents} or more in {within} days meets the "
                    "common MARAC referral criterion",
                    evidence=evidence,
                    people=(
                        _person(r["person_id"], "child", _child_records(evidence, r["person_id"])),
                        *(_person(v, "parent_or_carer", _child_records(evidence, v)) for v in via),
                    ),
                    detail={
                        "incidents": len(chosen),
                        "how": {x["fact_key"]: sorted(x["how"]) for x in chosen},
                    },
                )
            )
    return findings


def low_level_concerns(s: Sweep) -> list[Finding]:
    name = "low_level_concerns"
    min_concerns = int(s.p(name, "min_concerns"))
    min_agencies = int(s.p(name, "min_agencies"))
    min_kinds = int(s.p(name, "min_kinds"))
    within = int(s.p(name, "within_days"))
    grace = timedelta(days=int(s.p(name, "response_grace_days")))
    concerns_config: dict[str, str | None] = dict(s.p(name, "concerns"))
    rows = s.read(
        "find_low_level_concerns",
        {
            "fact_types": sorted(concerns_config),
            "require": {k: v for k, v in concerns_config.items() if v},
            "response_types": s.p(name, "response_types"),
            "min_concerns": min_concerns,
            "min_agencies": min_agencies,
            "reference_date": s.reference_date,
            "since": s.since(name),
        },
    )
    # most candidate children have no qualifying build-up: the groups are found first, and only their facts are
    # read as evidence (reading every candidate's concerns cost most of this pattern's time at 200,000 children)
    found: list[tuple[dict[str, Any], list[dict[str, Any]], list[date], list[int]]] = []
    for r in rows:
        concerns = sorted(r["concerns"], key=lambda x: (x["occurred_on"], x["fact_key"]))
        days = [x["occurred_on"] for x in concerns]
        responses = r["responses"]

        def qualifies(
            i: int, j: int, concerns: list[dict[str, Any]] = concerns, responses: list[Any] = responses
        ) -> bool:
            part = concerns[i : j + 1]
            if len(part) < min_concerns or len({x["agency"] for x in part}) < min_agencies:
                return False
            if len({(x["agency"], x["fact_type"]) for x in part}) < min_kinds:
                return False
            first, last = part[0]["occurred_on"], part[-1]["occurred_on"] + grace
            return not any(
                x["occurred_on"] is not None
                and x["occurred_on"] <= last
                and (x["ended_on"] or x["occurred_on"]) >= first
                for x in responses
            )

        found.extend((r, concerns, days, group) for group in clusters(days, within, qualifies))
    s.facts([concerns[k]["fact_key"] for _r, concerns, _days, group in found for k in group])
    findings = []
    for r, concerns, days, group in found:
        chosen = [concerns[k] for k in group]
        keys = [x["fact_key"] for x in chosen]
        agencies = sorted({x["agency"] for x in chosen})
        evidence = s.evidence(keys)
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=keys[0],
                summary=f"{len(chosen)} lower-level concerns of {len({(x['agency'], x['fact_type']) for x in chosen})} "
                f"kinds from {len(agencies)} agencies ({', '.join(agencies)}) "
                f"between {days[group[0]]} and {days[group[-1]]}, with no referral, assessment or episode: "
                "a build-up no single agency sees",
                evidence=evidence,
                people=(_person(r["person_id"], "child", _child_records(evidence, r["person_id"])),),
                detail={"concerns": len(chosen), "agencies": agencies},
            )
        )
    return findings


# -- people around the child -----------------------------------------------------------------------------------


def hidden_adult(s: Sweep) -> list[Finding]:
    name = "hidden_adult"
    min_points = float(s.p(name, "min_history_points"))
    alert_on = set(s.p(name, "alert_relations"))
    window = Window.years_to(s.reference_date, int(s.p(name, "window_years")))
    candidates = s.adults.candidates()
    history = s.adults.histories(candidates)
    risky = [a for a in candidates if history[a].points >= min_points]
    around = s.adults.children_around(risky, window)
    # a child's whole circle is read only when one of these adults may be hidden from the child
    ordered = sorted(adults_q.children_who_may_hide(s.driver, s.database, around, s.config))
    # only adults with enough history can raise the alert: the others are not asked about
    only = set(risky)
    findings = []
    for start in range(0, len(ordered), 300):
        windows = {c: window for c in ordered[start : start + 300]}
        found = adults_q.hidden_adults_for(
            s.driver, s.database, windows, s.risk_config, s.config, only=only, reader=s.adults
        )
        alerted = [
            (child_id, adult)
            for child_id, adults in found.items()
            for adult in adults
            if adult.hidden and adult.history.points >= min_points and set(adult.relations) & alert_on
        ]
        s.facts([k for _c, a in alerted for k in [i.fact.fact_key for i in a.history.items] + a.link_facts()])
        for child_id, adult in alerted:
            keys = [i.fact.fact_key for i in adult.history.items] + adult.link_facts()
            evidence = s.evidence(keys)
            relations = ", ".join(sorted(adult.relations))
            record_keys = [x.record_key for links in adult.relations.values() for x in links]
            record_keys += _child_records(evidence, adult.person_id)
            findings.append(
                Finding(
                    pattern=name,
                    person_id=child_id,
                    anchor=adult.person_id,
                    summary=f"{adult.display_name or adult.person_id} ({relations}) is known to "
                    f"{', '.join(adult.known_to)} with a history ({', '.join(adult.history.labels)}; "
                    f"{adult.history.points:.1f} points) but is absent from {' and '.join(adult.absent_from)} "
                    "records of the child and the child's carers",
                    evidence=evidence,
                    people=(
                        _person(child_id, "child", _child_records(evidence, child_id)),
                        _person(adult.person_id, relations, record_keys),
                    ),
                    links=tuple(
                        {
                            "relation": rel,
                            "link_key": x.link_key,
                            **{k: v for k, v in vars(x).items() if v is not None},
                        }
                        for rel, links in sorted(adult.relations.items())
                        for x in links
                    ),
                    detail={
                        "known_to": list(adult.known_to),
                        "seen_by": list(adult.seen_by),
                        "absent_from": list(adult.absent_from),
                        "history_points": adult.history.points,
                    },
                )
            )
    return findings


def risky_adult_linked_children(s: Sweep) -> list[Finding]:
    name = "risky_adult_linked_children"
    adults = linked_q.central_adults(
        s.driver,
        s.database,
        s.reference_date,
        int(s.p(name, "window_years")),
        float(s.p(name, "min_history_points")),
        int(s.p(name, "min_households")),
        s.risk_config,
        reader=s.adults,
    )
    s.facts(
        [i.fact.fact_key for a in adults for i in a.history.items]
        + [x.fact_key for a in adults for links in a.children.values() for x in links if x.fact_key]
    )
    findings = []
    for adult in adults:
        history_keys = [i.fact.fact_key for i in adult.history.items]
        for child_id, links in sorted(adult.children.items()):
            keys = history_keys + sorted({x.fact_key for x in links if x.fact_key})
            evidence = s.evidence(keys)
            others = sorted(c for c in adult.children if c != child_id)
            findings.append(
                Finding(
                    pattern=name,
                    person_id=child_id,
                    anchor=adult.person_id,
                    summary=f"An adult with a history ({', '.join(adult.history.labels)}; {adult.history.points:.1f} "
                    f"points) is around this child and {len(others)} other child(ren) in {adult.household_count} "
                    "households",
                    evidence=evidence,
                    people=(
                        _person(child_id, "child", [x.record_key for x in links]),
                        _person(adult.person_id, "adult", _child_records(evidence, adult.person_id)),
                    ),
                    links=tuple(
                        {"link_key": x.link_key, **{k: v for k, v in vars(x).items() if v is not None}}
                        for x in links
                    ),
                    detail={
                        "households": adult.households,
                        "other_children": others,
                        "history_points": adult.history.points,
                    },
                )
            )
    return findings


def missing_together(
    episodes: Sequence[dict[str, Any]],
    slack: int,
    max_missing_days: int,
    since: date | None,
    min_overlaps: int,
) -> list[dict[str, Any]]:
    """Pairs of children missing at overlapping times (``find_missing_children`` rows: one per episode and
    child). An episode of one child overlaps another child's when the other's begins no more than
    ``max_missing_days`` + ``slack`` days before it, and the two, each widened by ``slack`` days at its end,
    meet; episodes of the first child before ``since`` are left out. Returns, for each ordered pair with at least
    ``min_overlaps`` overlaps, {person_id, other_id, overlaps: [{fact_key, occurred_on, other_key, other_on,
    address_key, other_address_key}]}, one overlap per pair of episodes and places, sorted by the two ids."""
    ordered = sorted(episodes, key=lambda e: (e["occurred_on"], e["fact_key"], e["person_id"]))
    starts = [e["occurred_on"] for e in ordered]
    reach = timedelta(days=max_missing_days + slack)
    widen = timedelta(days=slack)
    pairs: dict[tuple[str, str], dict[tuple[Any, ...], dict[str, Any]]] = {}
    for m1 in ordered:
        if since is not None and m1["occurred_on"] < since:
            continue
        end1 = m1["ended_on"] or m1["occurred_on"]
        lo = bisect.bisect_left(starts, m1["occurred_on"] - reach)
        hi = bisect.bisect_right(starts, end1 + widen)
        for m2 in ordered[lo:hi]:
            if m2["person_id"] == m1["person_id"]:
                continue
            if (m2["ended_on"] or m2["occurred_on"]) + widen < m1["occurred_on"]:
                continue
            found = pairs.setdefault((m1["person_id"], m2["person_id"]), {})
            for place in m1["address_keys"] or [None]:
                for other_place in m2["address_keys"] or [None]:
                    overlap = {
                        "fact_key": m1["fact_key"], "occurred_on": m1["occurred_on"], "other_key": m2["fact_key"],
                        "other_on": m2["occurred_on"], "address_key": place, "other_address_key": other_place,
                    }  # fmt: skip
                    found[tuple(overlap.values())] = overlap
    return [
        {"person_id": a, "other_id": b, "overlaps": list(overlaps.values())}
        for (a, b), overlaps in sorted(pairs.items())
        if len(overlaps) >= min_overlaps
    ]


def separate_occasions(overlaps: list[dict[str, Any]], slack: int) -> list[list[dict[str, Any]]]:
    """The overlaps of two children's missing episodes grouped into separate occasions, earliest first. Two
    overlaps are one occasion when they share an episode of either child (two short episodes of one child in
    one long absence of the other's are one time together, not two), or when either child's episodes are
    within a day or so of each other (the same episode recorded by police and by social care)."""
    parent = list(range(len(overlaps)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(overlaps):
        for j in range(i):
            b = overlaps[j]
            if (
                a["fact_key"] == b["fact_key"]
                or a["other_key"] == b["other_key"]
                or abs((a["occurred_on"] - b["occurred_on"]).days) <= slack + 1
                or abs((a["other_on"] - b["other_on"]).days) <= slack + 1
            ):
                parent[root(i)] = root(j)
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, o in enumerate(overlaps):
        groups.setdefault(root(i), []).append(o)
    return sorted(groups.values(), key=lambda g: min(o["occurred_on"] for o in g))


def could_make_occasions(overlaps: list[dict[str, Any]], occasions: int, slack: int) -> bool:
    """Whether two children's overlaps could make ``occasions`` separate occasions. Overlaps whose days (of
    either child's episodes) are within ``slack`` + 1 days of each other are one occasion, so each child's days
    must fall in that many runs apart. A cheap bound: of 42,338 pairs at 200,000 children 902 pass it and 886
    make the occasions (``separate_occasions`` costs twice as much as this for every pair)."""

    def runs(days: list[date]) -> int:
        ordered = sorted(set(days))
        return 1 + sum((b - a).days > slack + 1 for a, b in zip(ordered, ordered[1:], strict=False))

    return (
        runs([o["occurred_on"] for o in overlaps]) >= occasions
        and runs([o["other_on"] for o in overlaps]) >= occasions
    )


def co_occurring_missing(s: Sweep) -> list[Finding]:
    name = "co_occurring_missing"
    slack = int(s.p(name, "slack_days"))
    min_occasions = int(s.p(name, "min_occasions"))
    rows = missing_together(
        s.read("find_missing_children", {"reference_date": s.reference_date}),
        slack,
        int(s.p(name, "max_missing_days")),
        s.since(name),
        min_occasions,
    )
    found = []
    for r in rows:
        if not could_make_occasions(r["overlaps"], min_occasions, slack):
            continue
        overlaps = sorted(r["overlaps"], key=lambda x: (x["occurred_on"], x["fact_key"], x["other_key"]))
        occasions = separate_occasions(overlaps, slack)
        if len(occasions) >= min_occasions:
            found.append((r, overlaps, occasions))
    s.facts([k for _r, overlaps, _o in found for o in overlaps for k in (o["fact_key"], o["other_key"])])
    findings = []
    for r, overlaps, occasions in found:
        keys = list(dict.fromkeys(k for o in overlaps for k in (o["fact_key"], o["other_key"])))
        evidence = s.evidence(keys)
        same_place = any(o["address_key"] and o["address_key"] == o["other_address_key"] for o in overlaps)
        findings.append(
            Finding(
                pattern=name,
                person_id=r["person_id"],
                anchor=r["other_id"],
                summary=f"Missing at the same time as another child on {len(occasions)} occasions "
                f"({', '.join(str(o[0]['occurred_on']) for o in occasions)})"
                + ("; from the same address" if same_place else ""),
                evidence=evidence,
                people=(
                    _person(r["person_id"], "child", _child_records(evidence, r["person_id"])),
                    _person(
                        r["other_id"],
                        "child missing at the same time",
                        _child_records(evidence, r["other_id"]),
                    ),
                ),
                detail={"occasions": len(occasions), "same_place": same_place},
            )
        )
    return findings


FAMILY_TYPES = frozenset(
    {"parent", "step_parent", "child", "sibling", "half_sibling", "grandparent", "aunt_uncle", "cousin", "partner",
     "ex_partner", "mother", "father", "parent_carer"}
)  # fmt: skip


def adult_around_households(s: Sweep) -> list[Finding]:
    """One adult around children in several households, through links other than family (incidents with the
    children, associate or carer of their mothers, the same address): whatever his history."""
    name = "adult_around_households"
    window = Window.years_to(s.reference_date, int(s.p(name, "window_years")))
    min_households = int(s.p(name, "min_households"))
    rows = s.read(
        "find_adults_around_several_children",
        {"min_children": min_households, "reference_date": s.reference_date, "since": window.start},
    )
    s.prefetch(rows)
    candidates = [r["person_id"] for r in rows]
    around = s.adults.children_around(candidates, window)
    homes = s.adults.residences(sorted({c for children in around.values() for c in children}), window)
    qualified: list[tuple[str, dict[str, list[adults_q.ChildLink]], dict[str, list[str]]]] = []
    for adult_id in candidates:
        # the children he is around other than as family (a father of children in three homes is not this)
        outside = {
            c: links
            for c, links in around[adult_id].items()
            if not any(
                (x.kind in ("related_to", "fact_role") and x.type in FAMILY_TYPES)
                or x.kind in ("carer_related_to", "carer_fact_role")
                for x in links
            )
        }
        households: dict[str, list[str]] = {}
        for c in sorted(outside):
            households.setdefault(linked_q.household_of(homes.get(c, []), c), []).append(c)
        if len(households) >= min_households:
            qualified.append((adult_id, outside, households))
    history = s.adults.histories([a for a, _o, _h in qualified])
    s.facts(
        [i.fact.fact_key for h in history.values() for i in h.items]
        + [
            x.fact_key
            for _a, outside, _h in qualified
            for links in outside.values()
            for x in links
            if x.fact_key
        ]
    )
    findings = []
    for adult_id, outside, households in qualified:
        h = history[adult_id]
        for child_id, links in sorted(outside.items()):
            keys = sorted({x.fact_key for x in links if x.fact_key}) + [i.fact.fact_key for i in h.items]
            evidence = s.evidence(keys)
            findings.append(
                Finding(
                    pattern=name,
                    person_id=child_id,
                    anchor=adult_id,
                    summary=f"One adult is around this child and children in {len(households) - 1} other "
                    f"household(s), not as family ({', '.join(sorted({x.kind for x in links}))})"
                    + (f"; his history: {', '.join(h.labels)}" if h.items else "; no recorded history"),
                    evidence=evidence,
                    people=(
                        _person(child_id, "child", [x.record_key for x in links]),
                        _person(adult_id, "adult", _child_records(evidence, adult_id)),
                    ),
                    links=tuple(
                        {"link_key": x.link_key, **{k: v for k, v in vars(x).items() if v is not None}}
                        for x in links
                    ),  # fmt: skip
                    detail={"households": households, "history_points": h.points},
                )
            )
    return findings


PATTERNS: dict[str, Callable[[Sweep], list[Finding]]] = {
    "incident_without_referral": incident_without_referral,
    "referral_feedback_overdue": referral_feedback_overdue,
    "early_help_closed_without_consent": early_help_closed_without_consent,
    "malicious_without_assessment": malicious_without_assessment,
    "re_referral": re_referral,
    "repeat_domestic_abuse": repeat_domestic_abuse,
    "low_level_concerns": low_level_concerns,
    "hidden_adult": hidden_adult,
    "risky_adult_linked_children": risky_adult_linked_children,
    "adult_around_households": adult_around_households,
    "co_occurring_missing": co_occurring_missing,
}


# Patterns that ask about the same adults (Sweep.adults keeps their histories and the children around them): a
# sweep runs them one after another, so each finds what the one before read, while the other patterns run beside.
SHARING_ADULTS = ("hidden_adult", "risky_adult_linked_children", "adult_around_households")


def sweep_jobs(names: Sequence[str]) -> list[list[str]]:
    """The patterns grouped into jobs for the sweep's workers, in the order they are taken: the patterns sharing
    adults first, as one job (together they take the longest), then every other pattern as a job of its own."""
    shared = [n for n in names if n in SHARING_ADULTS]
    return ([shared] if shared else []) + [[n] for n in names if n not in SHARING_ADULTS]


@dataclass(frozen=True)
class PatternResult:
    pattern: str
    findings: tuple[Finding, ...]
    seconds: float


@dataclass(frozen=True)
class SweepReport:
    run_id: str
    started_at: datetime
    finished_at: datetime
    reference_date: date
    pattern_config_version: str
    risk_config_version: str
    results: tuple[PatternResult, ...]
    saved: alerts_q.SaveResult | None
    as_known_at: datetime | None = None  # the sweep ran on the graph as Jigsaw knew it then
    workers: int = 1  # patterns run at once: each pattern's seconds are shared with the ones beside it

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def as_dict(self, content: bool = True) -> dict[str, Any]:
        """The report as JSON-ready data. ``content=False`` leaves out free text (summaries): identifiers only
        (patterns, people with their record keys, evidence facts with their source record keys, dates)."""
        findings = [f.as_dict() for f in self.findings]
        if not content:
            findings = [
                {
                    **{k: v for k, v in f.items() if k != "summary"},
                    "evidence": [{k: v for k, v in e.items() if k != "summary"} for e in f["evidence"]],
                }
                for f in findings
            ]
        out: dict[str, Any] = alerts_q.jsonable(
            {
                "run_id": self.run_id,
                "started_at": self.started_at,
                "finished_at": self.finished_at,
                "reference_date": self.reference_date,
                "as_known_at": self.as_known_at,
                "pattern_config_version": self.pattern_config_version,
                "risk_config_version": self.risk_config_version,
                "saved": vars(self.saved) if self.saved else None,
                "workers": self.workers,
                "patterns": {
                    r.pattern: {"findings": len(r.findings), "seconds": round(r.seconds, 3)}
                    for r in self.results
                },
                "alerts": findings,
            }
        )
        return out


def run_patterns(
    driver: neo4j.Driver,
    database: str,
    patterns: Sequence[str] | None = None,
    reference_date: date | None = None,
    pattern_config: PatternConfig | None = None,
    risk_config: RiskConfig | None = None,
    save: bool = True,
    now: datetime | None = None,
    as_known_at: datetime | None = None,
    workers: int | None = None,
) -> SweepReport:
    """Run the patterns (all enabled ones by default) as at ``reference_date`` (default today) and, unless
    ``save`` is False, write their findings as Alert nodes (deduplicated; lifecycle kept).

    ``workers`` patterns run at once (default: patterns.yaml's ``sweep.workers``), each read in its own
    transaction; the findings and the report's order do not depend on it. Each pattern's seconds are its own wall
    time, shared with the patterns running beside it.

    With ``as_known_at``, on the graph as Jigsaw knew it then (queries.known_at); such a sweep shows what would
    have been flagged and never saves alerts (they would mix past knowledge into today's inbox)."""
    if as_known_at is not None and save:
        raise ValueError("a sweep as known at a past time is not saved; run it with save=False")
    config = pattern_config or load_pattern_config()
    rconfig = risk_config or load_risk_config()
    names = list(patterns) if patterns else list(config.enabled)
    unknown = [n for n in names if n not in PATTERNS]
    if unknown:
        raise ConfigError(f"unknown pattern(s) {', '.join(unknown)}; known: {', '.join(PATTERNS)}")
    started = now or datetime.now(UTC)
    run_id = f"sweep-{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    workers = config.workers if workers is None else workers
    if workers < 1:
        raise ValueError(f"a sweep needs at least 1 worker, not {workers}")
    timed: dict[str, PatternResult] = {}

    def run_job(sweep: Sweep, job: Sequence[str]) -> None:
        for name in job:
            t0 = time.perf_counter()
            found = PATTERNS[name](sweep)
            timed[name] = PatternResult(name, tuple(found), time.perf_counter() - t0)

    # the collector's passes walk every live object (the reads, the links, the findings): a quarter of a sweep's
    # Python time at 200,000 children; none of them makes a reference cycle
    with cyclic_gc_paused(), known_at_q.known_at(driver, database, as_known_at) as (reader, _):
        sweep = Sweep(reader, database, reference_date or started.date(), config, rconfig)
        jobs = sweep_jobs(names)
        if as_known_at is not None or len(jobs) == 1:
            # the graph as known at a past time is one transaction, which one thread at a time may use
            workers = 1
        if workers == 1:
            for job in jobs:
                run_job(sweep, job)
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sweep") as pool:
                futures = [pool.submit(run_job, sweep, job) for job in jobs]
                try:
                    for future in futures:
                        future.result()  # a pattern's error is raised here, as it would be without workers
                except BaseException:
                    for future in futures:
                        future.cancel()  # the jobs not yet started; a running one ends on its own
                    raise
    results = [timed[name] for name in names]
    saved = None
    if save:
        findings = [f for r in results for f in r.findings]
        saved = alerts_q.save_findings(driver, database, findings, names, run_id, started)
    return SweepReport(
        run_id=run_id,
        started_at=started,
        finished_at=datetime.now(UTC),
        reference_date=sweep.reference_date,
        pattern_config_version=config.version,
        risk_config_version=rconfig.version,
        results=tuple(results),
        saved=saved,
        as_known_at=as_known_at,
        workers=workers,
    )
