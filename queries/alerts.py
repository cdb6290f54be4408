"""Alerts: what the pattern sweep found, stored as ``(:Alert)`` nodes with a lifecycle.

A pattern yields ``Finding``s; ``save_findings`` writes them idempotently (key = pattern | child | anchor).
Status is the analyst's: ``open`` (new or reopened), ``acknowledged``, ``closed``, each change with who, when
and why in the alert's history. A closed alert is reopened only by evidence it was not closed on.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import neo4j

from queries import catalog

STATUSES = ("open", "acknowledged", "closed")


class AlertError(ValueError):
    """A lifecycle change that cannot be made (unknown alert or status, no reason given)."""


@dataclass(frozen=True)
class Finding:
    """One instance of a pattern about one child, with the evidence behind it."""

    pattern: str
    person_id: str  # the child the alert is about
    anchor: str  # what makes this finding distinct for the child (e.g. the incident's fact key)
    summary: str
    evidence: tuple[dict[str, Any], ...]  # facts as Fact.evidence(): provenance included
    people: tuple[dict[str, Any], ...] = ()  # {person_id, relation, record_keys}
    links: tuple[dict[str, Any], ...] = ()  # person-to-person or residence links behind the finding
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def alert_key(self) -> str:
        return f"{self.pattern}|{self.person_id}|{self.anchor}"

    @property
    def evidence_keys(self) -> list[str]:
        return sorted({e["fact_key"] for e in self.evidence})

    def record_keys(self) -> list[str]:
        keys: set[str] = set()
        for p in self.people:
            keys.update(p.get("record_keys") or [])
        for e in self.evidence:
            keys.update(x["record_key"] for x in e.get("people", []) if x.get("record_key"))
        return sorted(keys)

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_key": self.alert_key,
            "pattern": self.pattern,
            "person_id": self.person_id,
            "anchor": self.anchor,
            "summary": self.summary,
            "people": list(self.people),
            "evidence": list(self.evidence),
            "links": list(self.links),
            "detail": self.detail,
        }

    def to_param(self) -> dict[str, Any]:
        people = sorted({self.person_id, *(p["person_id"] for p in self.people if p.get("person_id"))})
        return {
            "alert_key": self.alert_key,
            "pattern": self.pattern,
            "person_id": self.person_id,
            "anchor": self.anchor,
            "summary": self.summary,
            "evidence_keys": self.evidence_keys,
            "people": people,
            "record_keys": self.record_keys(),
            "link_keys": sorted({lk["link_key"] for lk in self.links if lk.get("link_key")}),
            "evidence_json": json.dumps(self.as_dict(), default=str, sort_keys=True),
        }


@dataclass(frozen=True)
class Alert:
    alert_key: str
    pattern: str
    person_id: str
    anchor: str
    summary: str
    status: str
    active: bool
    first_seen: datetime
    last_seen: datetime
    status_by: str | None
    status_at: datetime | None
    status_reason: str | None
    history: tuple[str, ...]
    evidence_keys: tuple[str, ...]
    evidence_at_close: tuple[str, ...]
    people: tuple[str, ...]
    record_keys: tuple[str, ...]
    reopen_count: int
    finding: dict[str, Any]  # the finding as last seen: evidence with provenance, people, links, detail

    @classmethod
    def from_props(cls, p: dict[str, Any]) -> Alert:
        return cls(
            alert_key=p["alert_key"],
            pattern=p["pattern"],
            person_id=p["person_id"],
            anchor=p.get("anchor", ""),
            summary=p.get("summary", ""),
            status=p["status"],
            active=bool(p.get("active", False)),
            first_seen=p["first_seen"],
            last_seen=p["last_seen"],
            status_by=p.get("status_by"),
            status_at=p.get("status_at"),
            status_reason=p.get("status_reason"),
            history=tuple(p.get("history") or ()),
            evidence_keys=tuple(p.get("evidence_keys") or ()),
            evidence_at_close=tuple(p.get("evidence_at_close") or ()),
            people=tuple(p.get("people") or ()),
            record_keys=tuple(p.get("record_keys") or ()),
            reopen_count=int(p.get("reopen_count") or 0),
            finding=json.loads(p.get("evidence_json") or "{}"),
        )


@dataclass(frozen=True)
class SaveResult:
    created: int
    updated: int
    reopened: int
    deactivated: int


def save_findings(
    driver: neo4j.Driver,
    database: str,
    findings: Sequence[Finding],
    patterns_run: Sequence[str],
    run_id: str,
    now: datetime | None = None,
    batch_size: int = 2000,
) -> SaveResult:
    """Write the findings of a sweep of ``patterns_run``; alerts of those patterns not found again become
    inactive (their status is left to the analyst)."""
    now = now or datetime.now(UTC)
    created = updated = reopened = 0
    unique = {f.alert_key: f for f in findings}
    params = [f.to_param() for f in unique.values()]
    for start in range(0, len(params), batch_size):
        row = catalog.write(
            driver,
            database,
            "merge_alerts",
            {"alerts": params[start : start + batch_size], "now": now, "run_id": run_id},
        )[0]
        created += int(row["created"])
        updated += int(row["updated"])
        reopened += int(row["reopened"])
    row = catalog.write(
        driver, database, "mark_unseen_alerts", {"patterns": list(patterns_run), "run_id": run_id, "now": now}
    )[0]
    return SaveResult(created, updated, reopened, int(row["deactivated"]))


def set_status(
    driver: neo4j.Driver,
    database: str,
    alert_key: str,
    status: str,
    by: str,
    reason: str,
    now: datetime | None = None,
) -> Alert:
    """Acknowledge, close or reopen an alert; who and why are required and kept in its history."""
    if status not in STATUSES:
        raise AlertError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if not by.strip() or not reason.strip():
        raise AlertError("say who is making the change and why")
    rows = catalog.write(
        driver,
        database,
        "set_alert_status",
        {
            "alert_key": alert_key,
            "status": status,
            "by": by,
            "reason": reason,
            "now": now or datetime.now(UTC),
        },
    )
    if not rows:
        raise AlertError(f"no alert {alert_key!r}")
    return Alert.from_props(rows[0]["alert"])


def alerts_for(driver: catalog.Reader, database: str, person_ids: Sequence[str]) -> list[Alert]:
    rows = catalog.read(driver, database, "find_alerts_for_people", {"person_ids": list(person_ids)})
    return [Alert.from_props(r["alert"]) for r in rows]


def list_alerts(
    driver: neo4j.Driver,
    database: str,
    patterns: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    active_only: bool = False,
) -> list[Alert]:
    params = {
        "patterns": list(patterns) if patterns else None,
        "statuses": list(statuses) if statuses else None,
        "active_only": active_only,
    }
    return [Alert.from_props(r["alert"]) for r in catalog.read(driver, database, "find_alerts", params)]


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {
        "alert_key": alert.alert_key,
        "pattern": alert.pattern,
        "person_id": alert.person_id,
        "summary": alert.summary,
        "status": alert.status,
        "active": alert.active,
        "first_seen": alert.first_seen,
        "last_seen": alert.last_seen,
        "status_by": alert.status_by,
        "status_at": alert.status_at,
        "status_reason": alert.status_reason,
        "history": list(alert.history),
        "evidence_keys": list(alert.evidence_keys),
        "people": list(alert.people),
        "record_keys": list(alert.record_keys),
        "finding": alert.finding,
    }


def jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO text, recursively (for JSON reports)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value
