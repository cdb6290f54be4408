"""The review queue and analysts' decisions: list, show, confirm, reject, split; and the links export.

A decision takes effect at once (a confirm joins the two persons, a split takes a record out of its
person) and is kept on the pair's MatchReview (who, when, why; earlier decisions in ``history``), so
every later ``resolve`` run respects it. Nothing is lost: facts stay on their records, a moved link
keeps its earlier links in ``history``, and a person left without records leaves a PersonRedirect.
The CLI and the app call these functions; ``audit`` receives one event per decision.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd

from ingest.resolution.clustering import METHOD_ANALYST, Clusters, Edge, Guards, pair_key
from ingest.resolution.engine import record_facts, review_id
from ingest.resolution.features import prepare_features
from ingest.resolution.persons import link_evidence, link_props, person_properties
from ingest.resolution.store import ResolutionStore, Transaction

AuditHook = Callable[[dict[str, Any]], None]

EXPORT_COLUMNS = (
    "agency", "source_record_id", "record_key", "person_id", "match_probability", "method", "decided_by",
    "linked_at",
)  # fmt: skip


class DecisionRefused(Exception):
    """The decision cannot be made (unknown review, or a guard forbids it); the message says why."""


@dataclass(frozen=True)
class ReviewItem:
    review_id: str
    pair_key: str
    status: str
    probability: float | None
    matched_fields: list[str]
    left: str
    right: str
    left_name: str
    right_name: str
    left_dob: date | None
    right_dob: date | None
    left_agency: str | None
    right_agency: str | None
    reason: str | None
    created_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None


@dataclass(frozen=True)
class ReviewDetail:
    review: dict[str, Any]
    records: list[dict[str, Any]]  # the two records, with person_id
    comparison: dict[str, Any]  # comparison -> {level, agrees, match_weight}
    history: list[dict[str, Any]]  # earlier decisions


@dataclass(frozen=True)
class DecisionResult:
    review_ids: list[str]
    status: str
    person_ids: list[str]  # the person(s) the records belong to afterwards
    message: str
    moved_records: list[str] = field(default_factory=list)


def review_queue(
    driver: neo4j.Driver, database: str, status: str = "pending", limit: int = 50
) -> list[ReviewItem]:
    """Reviews with this status (pending, conflict, confirmed, rejected, withdrawn), most probable first."""
    rows = ResolutionStore(driver, database).list_reviews(status, limit)
    return [ReviewItem(**{**row, "matched_fields": list(row.get("matched_fields") or [])}) for row in rows]


def review_detail(driver: neo4j.Driver, database: str, review: str) -> ReviewDetail:
    """One review (by review id or pair key) with both records and the comparison that scored them."""
    store = ResolutionStore(driver, database)
    found = store.get_review(review)
    if found is None:
        raise DecisionRefused(f"no review {review!r} (see `jigsaw review list`)")
    records = store.read_records_by_key([found["left"], found["right"]])
    return ReviewDetail(
        review=found,
        records=[_record_view(r) for r in records.to_dict("records")],
        comparison=json.loads(found.get("comparison") or "{}"),
        history=[json.loads(h) for h in found.get("history") or []],
    )


def _record_view(row: dict[Any, Any]) -> dict[str, Any]:
    out = {str(k): v for k, v in row.items() if k != "link"}
    out["link"] = dict(row.get("link") or {})
    return out


def _previous_decision(review: dict[str, Any] | None) -> str | None:
    if not review or review.get("status") not in ("confirmed", "rejected"):
        return None
    keep = ("status", "decided_by", "decided_at", "decision_reason", "origin")
    return json.dumps({k: review.get(k) for k in keep}, default=str, sort_keys=True)


def _decision_row(
    left: str,
    right: str,
    status: str,
    by: str,
    at: datetime,
    reason: str,
    origin: str,
    existing: dict[str, Any] | None,
) -> dict[str, Any]:
    a, b = sorted((left, right))
    key = pair_key(a, b)
    return {"pair_key": key, "review_id": review_id(key), "left": a, "right": b, "status": status,
            "decided_by": by, "decided_at": at, "reason": reason, "origin": origin,
            "previous": _previous_decision(existing)}  # fmt: skip


def decide(
    driver: neo4j.Driver,
    database: str,
    review: str,
    decision: str,
    by: str,
    reason: str,
    *,
    guards: Guards | None = None,
    audit: AuditHook | None = None,
) -> DecisionResult:
    """Confirm (the two records are one person) or reject (they are not) a reviewed pair.

    A confirm joins the two persons now, unless a guard forbids it (a child and an adult, different
    valid identifiers, an earlier rejection in either person), which raises ``DecisionRefused``.
    A reject keeps the pair apart in every later run; if the two records are one person already,
    the next run separates them (``split_record`` does it at once).
    """
    if decision not in ("confirm", "reject"):
        raise DecisionRefused(f"decision must be confirm or reject, not {decision!r}")
    if not reason.strip():
        raise DecisionRefused("say why: a decision needs a reason")
    store = ResolutionStore(driver, database)
    found = store.get_review(review)
    if found is None:
        raise DecisionRefused(f"no review {review!r} (see `jigsaw review list`)")
    now = datetime.now(UTC)
    left, right = found["left"], found["right"]
    status = "confirmed" if decision == "confirm" else "rejected"
    row = _decision_row(left, right, status, by, now, reason, "review", found)
    pair = store.read_records_by_key([left, right]).set_index("record_key")
    if len(pair) != 2:
        raise DecisionRefused(f"review {review}: one of its records is no longer in the graph")
    left_pid, right_pid = pair.loc[left, "person_id"], pair.loc[right, "person_id"]

    if decision == "reject" or left_pid == right_pid or left_pid is None or right_pid is None:
        store.in_transaction(lambda tx: tx.run("review_decide", [row]))
        if decision == "reject" and left_pid == right_pid and left_pid is not None:
            message = (f"rejected; the two records are one person ({left_pid}) now: the next `jigsaw resolve` "
                       f"separates them, or take one out now with `jigsaw review split`")  # fmt: skip
        else:
            message = f"{status}; the records' persons are unchanged"
        result = DecisionResult([row["review_id"]], status, sorted({str(left_pid), str(right_pid)}), message)
    else:
        result = _confirm(store, found, row, str(left_pid), str(right_pid), by, now, guards)
    if audit:
        audit({"action": f"review.{decision}", "review_id": row["review_id"], "pair_key": row["pair_key"],
               "by": by, "at": now, "reason": reason, "person_ids": result.person_ids,
               "moved_records": result.moved_records})  # fmt: skip
    return result


def _person_records(
    store: ResolutionStore, person_ids: Sequence[str]
) -> tuple[dict[str, list[str]], pd.DataFrame]:
    members = store.read_person_members(person_ids)
    keys = [k for pid in person_ids for k in members.get(pid, [])]
    return members, store.read_records_by_key(keys)


def _confirm(
    store: ResolutionStore,
    review: dict[str, Any],
    row: dict[str, Any],
    left_pid: str,
    right_pid: str,
    by: str,
    now: datetime,
    guards: Guards | None,
) -> DecisionResult:
    guards = guards or Guards(now.date())
    members, records = _person_records(store, [left_pid, right_pid])
    facts, _ = record_facts(prepare_features(records, guards.reference))
    keys = set(records["record_key"])
    rejected = [(r["left"], r["right"]) for r in store.read_reviews()
                if r["status"] == "rejected" and r["left"] in keys and r["right"] in keys
                and r["pair_key"] != row["pair_key"]]  # fmt: skip
    clusters = Clusters(facts, guards, rejected)
    for pid in (left_pid, right_pid):
        first, *rest = members[pid]
        for key in rest:
            clusters.union(first, key)
    refusal = clusters.union(review["left"], review["right"])
    if refusal:
        raise DecisionRefused(f"cannot confirm {row['review_id']}: {refusal}")

    # the larger person keeps its id (ties: the smaller id); the other's records move to it
    keep, gone = sorted((left_pid, right_pid), key=lambda p: (-len(members[p]), p))
    moved = sorted(members[gone])
    by_key = {str(r["record_key"]): r for r in records.to_dict("records")}
    edge = Edge(review["left"], review["right"], METHOD_ANALYST, review.get("probability"),
                ("analyst confirmed",), decided_by=by)  # fmt: skip
    link_rows = []
    for key in moved:
        old = by_key[key]
        link = dict(old.get("link") or {})
        if key in (review["left"], review["right"]):
            evidence = link_evidence(key, edge, by)
        else:
            evidence = {k: link.get(k) for k in ("method", "match_probability", "matched_fields", "matched_with",
                                                  "decided_by")}  # fmt: skip
        props = link_props(
            key, keep, evidence, (gone, link), now, f"analyst:{row['review_id']}", row["reason"]
        )
        link_rows.append({"record_key": key, "person_id": keep, "props": props})
    props, unborn = person_properties([by_key[k] for k in members[keep] + moved])
    person_row = {"person_id": keep, "props": {**props, "updated_at": now}, "unborn": unborn}
    retire = {"person_id": gone, "to_person_id": keep, "at": now,
              "reason": f"merged into {keep} by {by} ({row['review_id']})"}  # fmt: skip

    def work(tx: Transaction) -> None:
        tx.run("review_decide", [row])
        tx.run("resolve_merge_persons", [person_row])
        tx.run("resolve_link_records", link_rows)
        tx.run("resolve_retire_persons", [retire])

    store.in_transaction(work)
    return DecisionResult(
        [row["review_id"]], "confirmed", [keep], f"confirmed; person {gone} joined {keep}", moved
    )


def split_record(
    driver: neo4j.Driver,
    database: str,
    record_key: str,
    by: str,
    reason: str,
    *,
    audit: AuditHook | None = None,
) -> DecisionResult:
    """Undo a merge: take this record out of its person into a new one, now and in every later run
    (each pair of it with the person's other records is recorded as rejected by ``by``)."""
    if not reason.strip():
        raise DecisionRefused("say why: a split needs a reason")
    store = ResolutionStore(driver, database)
    record = store.read_records_by_key([record_key])
    if record.empty:
        raise DecisionRefused(f"no record {record_key!r}")
    pid = record.iloc[0]["person_id"]
    if pid is None:
        raise DecisionRefused(f"{record_key} is linked to no person yet: run `jigsaw resolve` first")
    members, records = _person_records(store, [str(pid)])
    others = sorted(k for k in members.get(str(pid), []) if k != record_key)
    if not others:
        raise DecisionRefused(f"{record_key} is the only record of person {pid}: nothing to split")
    now = datetime.now(UTC)
    existing = {r["pair_key"]: r for r in store.read_reviews()}
    rows = []
    for other in others:
        key = pair_key(record_key, other)
        rows.append(_decision_row(record_key, other, "rejected", by, now, reason, "split", existing.get(key)))
    by_key = {str(r["record_key"]): r for r in records.to_dict("records")}
    new_pid = f"P-{uuid.uuid4().hex}"
    evidence: dict[str, Any] = {"method": METHOD_ANALYST, "match_probability": None, "matched_fields": [], "matched_with": None,
                "decided_by": by}  # fmt: skip
    old_link = dict(by_key[record_key].get("link") or {})
    link = link_props(record_key, new_pid, evidence, (str(pid), old_link), now, "analyst:split", reason)
    new_props, new_unborn = person_properties([by_key[record_key]])
    rest_props, rest_unborn = person_properties([by_key[k] for k in others])
    persons = [
        {"person_id": new_pid, "props": {**new_props, "updated_at": now}, "unborn": new_unborn},
        {"person_id": str(pid), "props": {**rest_props, "updated_at": now}, "unborn": rest_unborn},
    ]

    def work(tx: Transaction) -> None:
        tx.run("review_decide", rows)
        tx.run("resolve_merge_persons", persons)
        tx.run("resolve_link_records", [{"record_key": record_key, "person_id": new_pid, "props": link}])

    store.in_transaction(work)
    result = DecisionResult([r["review_id"] for r in rows], "rejected", [str(pid), new_pid],
                            f"{record_key} taken out of {pid} into {new_pid}", [record_key])  # fmt: skip
    if audit:
        audit({"action": "review.split", "record_key": record_key, "by": by, "at": now, "reason": reason,
               "person_ids": result.person_ids, "review_ids": result.review_ids})  # fmt: skip
    return result


def export_links(driver: neo4j.Driver, database: str, out: Path) -> int:
    """Write one CSV row per source record (``EXPORT_COLUMNS``); returns the number of rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in ResolutionStore(driver, database).iter_links():
            writer.writerow({k: ("" if row.get(k) is None else row[k]) for k in EXPORT_COLUMNS})
            count += 1
    return count


def links_frame(driver: neo4j.Driver, database: str) -> pd.DataFrame:
    """The links export as a DataFrame (for benchmarks and tests)."""
    return pd.DataFrame(list(ResolutionStore(driver, database).iter_links()), columns=list(EXPORT_COLUMNS))
