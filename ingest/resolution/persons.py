"""A resolved person's own attributes and the properties of its RECORD_OF links (pure functions)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ingest.resolution.clustering import METHOD_SINGLETON, Edge
from ingest.resolution.features import as_date, normalise_sex

# RECORD_OF properties that say *why* a record is linked; a run rewrites a link only when one changes
EVIDENCE_KEYS = ("method", "match_probability", "matched_fields", "matched_with", "decided_by")


def _most_common(values: Iterable[Any]) -> Any:
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def person_properties(records: Sequence[Mapping[Any, Any]]) -> tuple[dict[str, Any], bool]:
    """(properties, unborn) of the person these records are: the most common date of birth (or, with
    none, expected date of birth), sex and name among the records; ties go to the earliest value."""
    dob = _most_common(as_date(r.get("date_of_birth")) for r in records)
    expected = None if dob else _most_common(as_date(r.get("expected_date_of_birth")) for r in records)
    sex = _most_common(normalise_sex(r.get("sex")) for r in records)
    names = [
        " ".join(p for p in (_text(r.get("given_name")), _text(r.get("family_name"))) if p) or None
        for r in records
    ]
    props = {
        "date_of_birth": dob,
        "expected_date_of_birth": expected,
        "sex": {"m": "M", "f": "F"}.get(sex or ""),
        "display_name": _most_common(names),
        "record_count": len(records),
        "agencies": sorted({str(r["agency"]) for r in records if _text(r.get("agency"))}),
    }
    return props, dob is None and expected is not None


def same_person_props(old: dict[str, Any] | None, new: dict[str, Any], unborn: bool) -> bool:
    if old is None:
        return False
    if bool(old.get("unborn")) != unborn:
        return False
    for key, value in new.items():
        current = old.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            current = as_date(current)
        if isinstance(value, list):
            current = list(current) if current is not None else None
        if current != value:
            return False
    return True


def link_evidence(record_key: str, edge: Edge | None, automatic_by: str) -> dict[str, Any]:
    """The evidence part of a RECORD_OF link: how the record came to be in its person."""
    if edge is None:
        return {"method": METHOD_SINGLETON, "match_probability": None, "matched_fields": [],
                "matched_with": None, "decided_by": automatic_by}  # fmt: skip
    return {
        "method": edge.method,
        "match_probability": None if edge.probability is None else round(float(edge.probability), 6),
        "matched_fields": list(edge.matched_fields),
        "matched_with": edge.right if edge.left == record_key else edge.left,
        "decided_by": edge.decided_by if edge.method == "analyst" else automatic_by,
    }


def link_unchanged(
    person_id: str, evidence: dict[str, Any], previous: tuple[str, dict[str, Any]] | None
) -> bool:
    """True when the existing link already says this: the same person, the same evidence (``EVIDENCE_KEYS``:
    all that ``previous`` needs to hold for this answer)."""
    if previous is None:
        return False
    old_person, old = previous
    return old_person == person_id and all(_same(old.get(k), evidence.get(k)) for k in EVIDENCE_KEYS)


def link_props(
    record_key: str,
    person_id: str,
    evidence: dict[str, Any],
    previous: tuple[str, dict[str, Any]] | None,
    at: datetime,
    run_id: str,
    reason: str | None = None,
    in_force: datetime | None = None,
) -> dict[str, Any] | None:
    """The RECORD_OF properties to write, or None when the existing link already says the same.

    A link moved to another person keeps its earlier links in ``history`` (JSON strings), so an undone
    merge loses nothing; a link that stays keeps its ``linked_at``. ``in_force`` (default ``at``) is the
    time of the knowledge the match rests on: for an automatic run, the latest time Jigsaw learnt any record
    it matched, so that "as known at" a date uses the matches a run on that date's data made
    (``in_force_from``; a moved link's history entry gets ``in_force_to``).
    """
    since = in_force or at
    if link_unchanged(person_id, evidence, previous):
        return None
    if previous is not None:
        old_person, old = previous
        history = list(old.get("history") or [])
        if old_person == person_id:
            return {**evidence, "linked_at": old.get("linked_at", at), "run_id": run_id, "history": history,
                    "in_force_from": old.get("in_force_from", since),
                    **({"reason": reason} if reason else {})}  # fmt: skip
        moved = {k: v for k, v in old.items() if k != "history"}
        moved["person_id"] = old_person
        moved["unlinked_at"] = at
        moved["in_force_to"] = since
        history.append(json.dumps(moved, default=str, sort_keys=True))
    else:
        history = []
    props = {**evidence, "linked_at": at, "run_id": run_id, "history": history, "in_force_from": since}
    if reason:
        props["reason"] = reason
    return props


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return list(a or []) == list(b or [])
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) < 1e-6
    return bool(a == b)
