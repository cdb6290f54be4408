"""Measuring the patterns against a synthetic county's planted truth (``jigsaw synth``: ``DIR/truth/``).

``patterns.json`` lists every planted pattern instance with its people (true person ids) and records, and the
emergent ones: situations the county's world holds that nobody planted, labelled from the world itself
(``ingest/synthetic/emergent.py``: a crime's 15-year-old victim nobody referred). A planted instance is *found*
when a finding of the pattern it maps to points at it (its anchor fact is one of the instance's records, or its
child and anchor person are among the instance's people). A finding is *correct* when it points at an instance,
planted or emergent, of a type its pattern maps to: what it says is true of the county. Recall counts the
planted instances only (an emergent label may state more than a pattern's thresholds ask for); the emergent
ones found are reported beside it. Recall and precision are per pattern.

To measure the queries apart from entity resolution, ``link_persons_from_truth`` writes the true persons
(``persons.csv``, ``mentions.csv``, ``people.csv``) as Person nodes and RECORD_OF links. BENCH GRAPHS ONLY: in a
real deployment RECORD_OF is entity resolution's to write.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import neo4j

from queries.alerts import Finding

# truth type -> the pattern(s) that should raise it, and how a finding points at an instance
TYPE_TO_PATTERNS: dict[str, tuple[str, ...]] = {
    "children_present_no_referral": ("incident_without_referral",),
    "case_study_1": ("incident_without_referral",),
    "feedback_overdue": ("referral_feedback_overdue",),
    "eh_closed_no_consent_with_risk": ("early_help_closed_without_consent",),
    "case_study_3": ("early_help_closed_without_consent",),
    "case_study_4": ("early_help_closed_without_consent",),
    "malicious_without_assessment": ("malicious_without_assessment",),
    "hidden_adult": ("hidden_adult",),
    "unborn_father_on_probation": ("hidden_adult",),
    "case_study_5": ("hidden_adult",),
    "shared_address": ("hidden_adult",),
    "adult_around_households": ("adult_around_households",),
    "co_occurring_missing": ("co_occurring_missing",),
    "slow_build_up": ("low_level_concerns",),
    # emergent (labelled from the world, not planted: ingest/synthetic/emergent.py)
    "child_involved_no_referral": ("incident_without_referral",),
    "missing_together": ("co_occurring_missing",),
    "eh_closed_no_consent_risk_present": ("early_help_closed_without_consent",),
    "unseen_adult_with_history": ("hidden_adult",),
    "concerns_without_response": ("low_level_concerns",),
}
# truth types no sweep pattern raises, and why (reported, not scored)
NOT_A_SWEEP_PATTERN: dict[str, str] = {
    "case_study_2": "a third-sector request about an adult (Male C) with no child: his picture shows his history",
}


@dataclass(frozen=True)
class Instance:
    pattern_id: str
    type: str
    person_ids: frozenset[str]
    roles: dict[str, str]
    record_keys: frozenset[str]
    emergent: bool = False


@dataclass
class Truth:
    directory: Path
    record_person: dict[str, str]
    people: dict[str, dict[str, str]]
    instances: list[Instance]
    reference_date: date | None = None


def load_truth(directory: Path | str) -> Truth:
    root = Path(directory) / "truth"
    with (root / "persons.csv").open(newline="", encoding="utf-8") as fh:
        record_person = {r["record_key"]: r["person_id"] for r in csv.DictReader(fh)}
    with (root / "mentions.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            suffix = (
                "partner" if r["mention"] == "partner" else "baby"
            )  # the unborn baby is the booking's #baby
            record_person[f"{r['record_key']}#{suffix}"] = r["person_id"]
    with (root / "people.csv").open(newline="", encoding="utf-8") as fh:
        people = {r["person_id"]: r for r in csv.DictReader(fh)}
    instances = [
        Instance(
            p["pattern_id"],
            p["type"],
            frozenset(p["person_ids"]),
            dict(p["roles"]),
            frozenset(p["record_keys"]),
            bool(p.get("emergent", False)),
        )
        for p in json.loads((root / "patterns.json").read_text(encoding="utf-8"))
    ]
    summary = root / "summary.json"
    ref = None
    if summary.exists():
        value = json.loads(summary.read_text(encoding="utf-8")).get("reference_date")
        ref = date.fromisoformat(value) if value else None
    return Truth(Path(directory), record_person, people, instances, ref)


def link_persons_from_truth(driver: neo4j.Driver, database: str, truth: Truth, batch_size: int = 5000) -> int:
    """Write the true Person nodes and RECORD_OF links for the records in the graph (bench graphs only)."""
    persons = []
    for pid, p in truth.people.items():
        unborn = p["role"] == "unborn"
        day = date.fromisoformat(p["dob"]) if p.get("dob") else None
        persons.append(
            {
                "person_id": pid,
                "date_of_birth": None if unborn else day,
                "expected_date_of_birth": day if unborn else None,
                "sex": p.get("sex"),
                "display_name": " ".join(x for x in (p.get("forename"), p.get("surname")) if x) or pid,
                "labels": ["Person", "Unborn"] if unborn else ["Person"],
            }
        )
    for start in range(0, len(persons), batch_size):
        driver.execute_query(
            "UNWIND $rows AS p MERGE (n:Person {person_id: p.person_id}) "
            "SET n.date_of_birth = p.date_of_birth, n.expected_date_of_birth = p.expected_date_of_birth, "
            "n.sex = p.sex, n.display_name = p.display_name, n:$(p.labels)",
            rows=persons[start : start + batch_size],
            database_=database,
        )
    links = [{"record_key": k, "person_id": v} for k, v in truth.record_person.items()]
    linked = 0
    for start in range(0, len(links), batch_size):
        records, _, _ = driver.execute_query(
            "UNWIND $rows AS l MATCH (r:SourceRecord {record_key: l.record_key}) "
            "MATCH (p:Person {person_id: l.person_id}) MERGE (r)-[m:RECORD_OF]->(p) "
            "SET m.method = 'truth (bench)', m.match_probability = 1.0, m.matched_fields = ['truth'] "
            "RETURN count(*) AS n",
            rows=links[start : start + batch_size],
            database_=database,
        )
        linked += int(records[0]["n"])
    return linked


def true_persons(
    driver: neo4j.Driver, database: str, truth: Truth, person_ids: Sequence[str]
) -> dict[str, str]:
    """Graph person id -> the true person most of its records belong to (ties: the first by id), for scoring
    findings on a graph whose persons entity resolution made (its ids are not the truth's). A person whose
    records are in no truth file is left out."""
    records, _, _ = driver.execute_query(
        "UNWIND $ids AS id MATCH (p:Person {person_id: id})<-[:RECORD_OF]-(r:SourceRecord) "
        "RETURN p.person_id AS person_id, collect(r.record_key) AS records",
        ids=sorted(set(person_ids)),
        database_=database,
    )
    out: dict[str, str] = {}
    for row in records:
        votes = Counter(truth.record_person[k] for k in row["records"] if k in truth.record_person)
        if votes:
            out[row["person_id"]] = min(votes, key=lambda t: (-votes[t], t))
    return out


def as_true_persons(findings: Sequence[Finding], mapping: dict[str, str]) -> list[Finding]:
    """The findings with their child and person anchor as true person ids (true_persons); other anchors (a fact's
    key) and the evidence stay as they are."""
    return [
        replace(f, person_id=mapping.get(f.person_id, f.person_id), anchor=mapping.get(f.anchor, f.anchor))
        for f in findings
    ]


def points_at(finding: Finding, instance: Instance) -> bool:
    """Whether a finding is about this planted instance: its anchor is one of the instance's records, or it is
    about one of the instance's children and its anchor (an adult, another child) or one of its evidence facts
    belongs to the instance."""
    if finding.anchor in instance.record_keys:
        return finding.person_id in instance.person_ids or not instance.person_ids
    if finding.person_id not in instance.person_ids:
        return False
    if finding.anchor in instance.person_ids:
        return True
    return any(e["fact_key"] in instance.record_keys for e in finding.evidence)


@dataclass
class Score:
    pattern: str
    types: tuple[str, ...]
    instances: list[str] = field(default_factory=list)  # planted
    found: list[str] = field(default_factory=list)
    emergent: list[str] = field(default_factory=list)
    emergent_found: list[str] = field(default_factory=list)
    findings: int = 0
    correct: int = 0
    false_positives: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return len(self.found) / len(self.instances) if self.instances else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.findings if self.findings else None

    @property
    def missed(self) -> list[str]:
        return sorted(set(self.instances) - set(self.found))

    def as_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern, "truth_types": list(self.types), "instances": len(self.instances),
            "found": len(self.found), "missed": self.missed, "emergent": len(self.emergent),
            "emergent_found": len(self.emergent_found), "findings": self.findings, "correct": self.correct,
            "recall": self.recall, "precision": self.precision, "false_positives": self.false_positives[:20],
        }  # fmt: skip


def evaluate(findings: Sequence[Finding], truth: Truth, patterns: Sequence[str]) -> dict[str, Score]:
    """Recall (planted instances found) and precision (findings that point at an instance, planted or
    emergent), per pattern."""
    scores: dict[str, Score] = {}
    for pattern in patterns:
        types = tuple(t for t, ps in TYPE_TO_PATTERNS.items() if pattern in ps)
        score = Score(pattern, types)
        relevant = [i for i in truth.instances if i.type in types]
        score.instances = [i.pattern_id for i in relevant if not i.emergent]
        score.emergent = [i.pattern_id for i in relevant if i.emergent]
        mine = [f for f in findings if f.pattern == pattern]
        score.findings = len(mine)
        found: set[str] = set()
        for f in mine:
            hits = [i for i in relevant if points_at(f, i)]
            if hits:
                score.correct += 1
                found.update(i.pattern_id for i in hits)
            else:
                score.false_positives.append(f.alert_key)
        score.found = sorted(found & set(score.instances))
        score.emergent_found = sorted(found & set(score.emergent))
        scores[pattern] = score
    return scores
