"""What changed in a child's picture between two times: facts added, corrected or withdrawn, by agency, with when
Jigsaw learnt each (e.g. police knew of the partner's violence six weeks before children's social care's
assessment).

The two pictures are the picture as known at each time (``queries.known_at``), so "what changed" is exactly the
difference between what an analyst would have seen on the two days: a fact an agency corrected shows the fields
that changed, with both versions; a fact in the first picture but not the second was withdrawn by its agency or
is no longer linked to the child (a match undone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from queries import catalog
from queries import known_at as known_at_q
from queries import picture as picture_q
from queries import risk as risk_q
from queries.model import Fact, Window
from queries.settings import RiskConfig, load_risk_config

KINDS = ("added", "corrected", "withdrawn")
# what says when Jigsaw learnt a version, not what the agency recorded: never a "change" in itself
_BOOKKEEPING = frozenset({"learnt_at"})


@dataclass(frozen=True)
class FactChange:
    kind: str  # added, corrected or withdrawn
    fact_key: str
    fact_type: str
    agency: str
    occurred_on: date | None
    learnt_at: datetime | None  # when Jigsaw learnt the version now shown (None for a withdrawn fact)
    fields: tuple[str, ...]  # for a correction: what changed
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class PictureChanges:
    person_id: str
    since: datetime
    until: datetime | None  # None: now
    changes: list[FactChange] = field(default_factory=list)
    risk_before: float | None = None  # None: the child was not in the graph yet
    risk_after: float | None = None
    level_before: int | None = None
    level_after: int | None = None


def _content(fact: Fact) -> dict[str, Any]:
    return {
        **{k: v for k, v in fact.evidence().items() if k != "people"},
        **{k: v for k, v in fact.properties.items() if k not in _BOOKKEEPING},
        "people": sorted((i.record_key or "", i.role or "") for i in fact.involvements),
    }


def _learnt(fact: Fact) -> datetime | None:
    value = fact.properties.get("learnt_at")
    return value if isinstance(value, datetime) else None


def compare(before: list[Fact], after: list[Fact]) -> list[FactChange]:
    """Facts added, corrected and withdrawn between two pictures' facts (pure)."""
    old = {f.fact_key: f for f in before}
    new = {f.fact_key: f for f in after}
    out = []
    for key, fact in new.items():
        if key not in old:
            out.append(FactChange("added", key, fact.fact_type, fact.agency, fact.occurred_on, _learnt(fact), (),
                                  None, _content(fact)))  # fmt: skip
            continue
        a, b = _content(old[key]), _content(fact)
        fields = tuple(sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k)))
        if fields:
            out.append(FactChange("corrected", key, fact.fact_type, fact.agency, fact.occurred_on, _learnt(fact),
                                  fields, a, b))  # fmt: skip
    for key, fact in old.items():
        if key not in new:
            out.append(FactChange("withdrawn", key, fact.fact_type, fact.agency, fact.occurred_on, None, (),
                                  _content(fact), None))  # fmt: skip
    never = datetime.max.replace(tzinfo=None)
    out.sort(
        key=lambda c: ((c.learnt_at.replace(tzinfo=None) if c.learnt_at else never), c.agency, c.fact_key)
    )
    return out


def _picture(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    at: datetime | None,
    config: RiskConfig,
) -> tuple[list[Fact], risk_q.RiskAssessment | None]:
    with known_at_q.known_at(driver, database, at) as (reader, _):
        try:
            pic = picture_q.child_picture(reader, database, person_id, window)
        except picture_q.NotFound:
            return [], None
    return pic.facts, risk_q.score(person_id, window, pic.facts, pic.people, config)


def changes_between(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    since: datetime,
    until: datetime | None = None,
    risk_config: RiskConfig | None = None,
) -> PictureChanges:
    """The changes to the child's picture (in ``window``) between the picture as known at ``since`` and as known
    at ``until`` (default: now). Raises picture.NotFound when the child is in neither."""
    if until is not None and until <= since:
        raise ValueError(
            f"the second time ({until:%Y-%m-%d %H:%M}) must be after the first ({since:%Y-%m-%d %H:%M})"
        )
    config = risk_config or load_risk_config()
    before, risk_before = _picture(driver, database, person_id, window, since, config)
    after, risk_after = _picture(driver, database, person_id, window, until, config)
    if risk_before is None and risk_after is None:
        raise picture_q.NotFound(f"no person {person_id!r} in the graph at either time")
    return PictureChanges(
        person_id=person_id,
        since=since,
        until=until,
        changes=compare(before, after),
        risk_before=risk_before.score if risk_before else None,
        risk_after=risk_after.score if risk_after else None,
        level_before=risk_before.suggested_level if risk_before else None,
        level_after=risk_after.suggested_level if risk_after else None,
    )


def changes_dict(changes: PictureChanges) -> dict[str, Any]:
    """As plain data (for JSON and the app): every change with both versions of the fact. The fact's identity
    (fact_key, fact_type, agency) sits inside ``before``/``after`` only, so that governance redacts each version
    as the fact it is (app.commands.case.redact)."""
    return {
        "person_id": changes.person_id,
        "since": changes.since,
        "until": changes.until,
        "risk": {
            "before": changes.risk_before,
            "after": changes.risk_after,
            "level_before": changes.level_before,
            "level_after": changes.level_after,
        },  # fmt: skip
        "changes": [
            {
                "kind": c.kind,
                "occurred_on": c.occurred_on,
                "learnt_at": c.learnt_at,
                "fields": list(c.fields),
                "before": c.before,
                "after": c.after,
            }
            for c in changes.changes
        ],
    }


def by_agency(changes: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Counts of each kind of change by agency, from ``changes_dict(...)["changes"]`` (after any redaction)."""
    out: dict[str, dict[str, int]] = {}
    for c in changes:
        side = c.get("after") or c.get("before")
        if side:
            out.setdefault(str(side.get("agency")), dict.fromkeys(KINDS, 0))[c["kind"]] += 1
    return dict(sorted(out.items()))
