"""The app's one door to the data: each function here is what a page calls, and it delegates to the query
layer (``queries/``: picture, chronology, cumulative risk, hidden adults, linked children, alerts) and to
entity resolution (``ingest/resolution/review.py``: the review queue). Pages never run Cypher themselves; the
one query of its own here (the date span of the time-window control) takes its values as parameters.

Shapes are plain dicts and lists (cacheable, and what the governance redaction and meeting-mode helpers take).

"As known at": every case function takes ``at`` (a tz-aware datetime, or None for now). With a time, its reads
run inside ``queries.known_at.known_at``: one rolled-back transaction that puts the graph back to what Jigsaw
had learnt by then (nothing is ever committed). It raises ``TooMuchToRewind`` (a message for the user) when
too much was learnt since.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any

import neo4j

from graph.config import load_settings
from ingest.resolution import review as review_q
from ingest.resolution.engine import ResolutionSettings
from queries import adults as adults_q
from queries import alerts as alerts_q
from queries import catalog
from queries import changes as changes_q
from queries import linked as linked_q
from queries import people as people_q
from queries import picture as picture_q
from queries import risk as risk_q
from queries.known_at import known_at
from queries.model import Fact, Window, age_on
from queries.people import PersonInfo
from queries.settings import RiskConfig, load_risk_config


def _most_common(values: list[Any]) -> Any:
    counts: dict[Any, int] = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _iso(value: Any) -> Any:
    """Neo4j and Python dates as ISO text (cacheable, and what the tables and the PDF show)."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    return value


def _person(info: PersonInfo | None, pid: str, dob: date | None, unborn: bool, today: date) -> dict[str, Any]:
    """A person as the pages use it: names (from the resolved person or the records), age, kind, agencies."""
    records = info.records if info else ()
    given = _most_common([r.given_name for r in records])
    family = _most_common([r.family_name for r in records])
    display = info.display_name if info and info.display_name else None
    if display and not (given or family):
        parts = display.split()
        given, family = parts[0], " ".join(parts[1:]) or None
    dob = dob or (info.date_of_birth if info else None) or _most_common([r.date_of_birth for r in records])
    age = None if unborn else age_on(dob, today)
    kind = "unborn" if unborn else "unknown" if age is None else "child" if age < 18 else "adult"
    ids: dict[str, str] = {}
    for r in records:
        for k, v in r.identifiers.items():
            ids.setdefault(k, v)
    return {
        "person_id": pid,
        "given_name": given,
        "family_name": family,
        "display_name": None,
        "date_of_birth": _iso(dob),
        "expected_date_of_birth": _iso(info.expected_date_of_birth) if info else None,
        "age": age,
        "kind": kind,
        "sex": info.sex if info else None,
        "agencies": sorted({r.agency for r in records}),
        "record_keys": sorted(r.record_key for r in records),
        **ids,
    }


def _fact(fact: Fact, subject_id: str) -> dict[str, Any]:
    out = {k: _iso(v) for k, v in fact.evidence().items() if k != "people" and v is not None}
    out.update({k: _iso(v) for k, v in fact.properties.items() if isinstance(v, str | int | float | bool)})
    out["labels"] = list(fact.labels)
    out["people"] = [
        {
            "person_id": subject_id if i.relation == "child" else i.person_id,
            "role": i.role,
            "relation": i.relation,
        }
        for i in fact.involvements
        if i.person_id or i.relation == "child"
    ]
    out["source"] = fact.source
    out["about_child"] = fact.about("child")
    return out


def case_picture(
    driver: neo4j.Driver,
    database: str,
    person_id: str,
    start: date | None,
    end: date | None,
    today: date,
    at: datetime | None = None,
) -> dict[str, Any] | None:
    """The child, the people around the child, the links between them, the facts, the cumulative risk and the
    child's alerts, in the window (``queries.picture.child_picture`` and ``queries.risk``), as plain data; as
    known at ``at`` when given. None when there is no such child (then)."""
    window = Window(start or date(1900, 1, 1), end or today, today)

    def work(
        tx: catalog.Reader,
    ) -> tuple[picture_q.ChildPicture, list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
        pic = picture_q.child_picture(tx, database, person_id, window)
        infos = people_q.persons(tx, database, list(pic.people))
        people: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for pid, cp in pic.people.items():
            person = _person(infos.get(pid), pid, cp.date_of_birth, cp.unborn, today)
            person["relationship"] = ", ".join(r.replace("_", " ") for r in sorted(cp.relations))
            person["relations"] = sorted(cp.relations)
            people.append(person)
            for relation, rel_links in cp.relations.items():
                via = {lk.via_person_id for lk in rel_links if lk.via_person_id}
                for source in via or {person_id}:
                    links.append({"source": pid, "target": source, "type": relation.replace("_", " ")})
        adults = [p["person_id"] for p in people if p["kind"] in {"adult", "unknown"}]
        return pic, people, links, adults_q.histories(tx, database, adults, today, _risk_config())

    with known_at(driver, database, at) as (reader, _):
        try:
            # the whole picture in one read transaction: each commit is another round trip to the server
            pic, people, links, history = catalog.in_one_transaction(reader, database, work)
        except picture_q.NotFound:
            return None
    child = _person(pic.person, person_id, pic.person.date_of_birth, pic.person.unborn, today)
    homes = sorted(pic.addresses, key=lambda a: a.start or date.min, reverse=True)
    postcode = next((a.postcode for a in homes if a.postcode), None)
    child.update(
        area=next((a.area for a in homes if a.area), None), postcode=postcode,
        address=next((a.line for a in homes if a.line), None),
    )  # fmt: skip
    for person in people:
        past = history.get(person["person_id"])
        person["risk_history"] = bool(past and past.points > 0)
        person["risk_reasons"] = past.labels if past else []
        person["history_points"] = round(past.points, 2) if past else 0.0
    risk = risk_q.score(person_id, window, pic.facts, pic.people, _risk_config())
    return {
        "child": child,
        "people": people,
        "links": links,
        "facts": [_fact(f, person_id) for f in pic.facts],
        "risk": {
            "score": round(risk.score, 2),
            "suggested_level": risk.suggested_level,
            "suggestion_label": risk.suggestion_label,
            "model": f"risk weights {risk.config_version}",
            "contributions": [
                {
                    "indicator": c.label,
                    "weight": round(c.points, 3),
                    "fact_key": c.fact.fact_key,
                    "agency": c.fact.agency,
                    "occurred_on": _iso(c.fact.occurred_on),
                    "basis": c.fact.basis,
                    "source": c.fact.source,
                    "summary": c.fact.summary,
                    "relation": c.relation,
                }
                for c in risk.contributions
            ],  # fmt: skip
        },
        "alerts": [_alert(a) for a in pic.alerts],
        "window": [window.start.isoformat(), window.end.isoformat()],
        "as_known_at": _iso(at),
    }


def person_circle(
    driver: neo4j.Driver,
    database: str,
    person_id: str,
    start: date | None,
    end: date | None,
    today: date,
    at: datetime | None = None,
) -> list[dict[str, Any]]:
    """The people around any person in the window (``queries.people.circle``): what "expand" adds to the graph;
    as known at ``at`` when given."""
    window = Window(start or date(1900, 1, 1), end or today, today)
    with known_at(driver, database, at) as (reader, _):
        circle = people_q.circle(reader, database, person_id, window)
        infos = people_q.persons(reader, database, list(circle))
        history = adults_q.histories(reader, database, list(circle), today, _risk_config())
    out = []
    for pid, cp in circle.items():
        person = _person(infos.get(pid), pid, cp.date_of_birth, cp.unborn, today)
        past = history.get(pid)
        person.update(
            relationship=", ".join(r.replace("_", " ") for r in sorted(cp.relations)),
            risk_history=bool(past and past.points > 0 and person["kind"] != "child"),
            risk_reasons=past.labels if past else [],
        )
        out.append(person)
    return out


@functools.cache
def _risk_config() -> RiskConfig:
    return load_risk_config()


def case_panels(
    driver: neo4j.Driver, database: str, pic: dict[str, Any], today: date, at: datetime | None = None
) -> dict[str, Any]:
    """The panels beside the picture: cumulative risk, hidden adults (``queries.adults``), linked children
    (``queries.linked``), the child's views; in the picture's window, as known at ``at`` when given (the
    picture's own time)."""
    person_id = pic["child"]["person_id"]
    window = Window(date.fromisoformat(pic["window"][0]), date.fromisoformat(pic["window"][1]), today)
    names = {p["person_id"]: p for p in pic["people"]}
    with known_at(driver, database, at) as (reader, _):
        found_hidden = adults_q.hidden_adults(reader, database, person_id, window, _risk_config())
        found = linked_q.linked_children(reader, database, person_id, window, _risk_config())
        infos = people_q.persons(reader, database, [c.person_id for c in found])
    hidden = []
    for h in found_hidden:
        if not h.hidden:
            continue
        person = names.get(h.person_id, {"person_id": h.person_id, "kind": "adult", "age": h.age})
        why = (f"known to {', '.join(h.known_to) or 'no agency'}; not in {', '.join(h.absent_from)} records "
               f"of the child ({', '.join(r.replace('_', ' ') for r in sorted(h.relations))})")  # fmt: skip
        hidden.append({**person, "display_name": None, "why_hidden": why,
                       "risk_reasons": [i.label for i in h.history.items] or person.get("risk_reasons", []),
                       "risk_history": h.history.points > 0})  # fmt: skip
    linked = []
    for c in found:
        info = infos.get(c.person_id)
        person = _person(info, c.person_id, c.date_of_birth, c.unborn, today)
        if person["kind"] not in {"child", "unborn"}:
            continue
        ways = []
        for link in c.links:
            text = link.kind.replace("_", " ")
            if link.via_adult:
                adult = names.get(link.via_adult)
                name = " ".join(
                    str(x) for x in ((adult or {}).get("given_name"), (adult or {}).get("family_name")) if x
                )
                text += f" through {name or 'an adult'}"
                if link.adult_history:
                    text += f" (history: {', '.join(link.adult_history)})"
            ways.append(text)
        linked.append({**person, "linked_by": sorted(set(ways))})
    return {
        "risk": pic["risk"],
        "hidden_adults": hidden,
        "linked_children": linked,
        "child_views": [
            f for f in pic["facts"] if f.get("fact_type") == "voice_of_child" and f.get("about_child")
        ],
    }


def _plain(value: Any) -> Any:
    """Nested data with every date and time as ISO text (what the redaction and the tables take)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return _iso(value)


def case_changes(
    driver: neo4j.Driver,
    database: str,
    person_id: str,
    since: datetime,
    until: datetime | None,
    today: date,
) -> dict[str, Any] | None:
    """What changed in the child's picture between the picture as known at ``since`` and as known at ``until``
    (None: now), ``queries.changes``: facts added, corrected or withdrawn, in the order Jigsaw learnt them, and
    the cumulative risk before and after; in the risk weights' window up to ``until`` (or ``today``), as
    ``jigsaw changes`` does. As plain data (``changes_dict``, before any redaction); None when Jigsaw knew no
    such child at either time."""
    ref = until.date() if until else today
    window = Window(ref - timedelta(days=round(365.25 * _risk_config().window_years)), ref, ref)
    try:
        found = changes_q.changes_between(driver, database, person_id, window, since, until, _risk_config())
    except picture_q.NotFound:
        return None
    report: dict[str, Any] = _plain(changes_q.changes_dict(found))
    report["window"] = [window.start.isoformat(), window.end.isoformat()]
    return report


_SPAN = """
MATCH (p:Person {person_id: $pid})<-[:RECORD_OF]-(:SourceRecord)-[:INVOLVED_IN]->(f:Fact)
WHERE f.occurred_on IS NOT NULL
RETURN min(f.occurred_on) AS first, max(f.occurred_on) AS last
"""


def fact_span(driver: neo4j.Driver, database: str, person_id: str) -> tuple[date | None, date | None]:
    """The first and last dates of the child's own facts: the range of the time-window control."""
    records, _, _ = driver.execute_query(
        _SPAN, pid=person_id, database_=database, routing_=neo4j.RoutingControl.READ
    )
    if not records:
        return None, None
    first, last = records[0]["first"], records[0]["last"]
    return catalog.native(first), catalog.native(last)


# -- alerts (queries.alerts) and the review queue ---------------------------------------------------------
ALERT_STATUSES = alerts_q.STATUSES


def _alert(alert: alerts_q.Alert) -> dict[str, Any]:
    """An alert as the pages use it: with its evidence (facts with their source) and the people concerned."""
    evidence = (alert.finding or {}).get("evidence") or []
    return {
        "alert_id": alert.alert_key,
        "pattern": alert.pattern,
        "person_id": alert.person_id,
        "summary": alert.summary,
        "status": alert.status,
        "active": alert.active,
        "raised_at": _iso(alert.first_seen),
        "last_seen": _iso(alert.last_seen),
        "status_by": alert.status_by,
        "status_reason": alert.status_reason,
        "people": list(dict.fromkeys([alert.person_id, *alert.people])),
        "evidence": [
            {k: _iso(v) for k, v in e.items() if k != "people"} for e in evidence if isinstance(e, dict)
        ],
    }


def alerts(driver: neo4j.Driver, database: str, status: str | None = None) -> list[dict[str, Any]]:
    """Alerts, newest first, each with its evidence (facts with their source) and the people concerned."""
    found = alerts_q.list_alerts(driver, database, statuses=[status] if status else None)
    out = [_alert(alert) for alert in found]
    out.sort(key=lambda a: str(a["raised_at"] or ""), reverse=True)
    return out


def decide_alert(
    driver: neo4j.Driver, database: str, alert_id: str, status: str, user: str, reason: str
) -> bool:
    alerts_q.set_status(driver, database, alert_id, status, user, reason)
    return True


# the fields shown side by side for a pair of records
REVIEW_FIELDS = (
    "record_key", "agency", "person_id", "given_name", "family_name", "other_names", "date_of_birth",
    "expected_date_of_birth", "sex", "nhs_number", "upn", "la_child_id", "pnc_id", "postcode", "address_line",
)  # fmt: skip


def review_queue(driver: neo4j.Driver, database: str, limit: int = 200) -> list[dict[str, Any]]:
    """Pending pairs (``ingest.resolution.review.review_queue``), most probable first."""
    return [
        {"review_id": r.review_id, "probability": r.probability, "left_name": r.left_name, "right_name": r.right_name,
         "left_agency": r.left_agency, "right_agency": r.right_agency, "matched_fields": r.matched_fields}
        for r in review_q.review_queue(driver, database, "pending", limit)
    ]  # fmt: skip


def review_detail(driver: neo4j.Driver, database: str, review_id: str) -> dict[str, Any]:
    """One pair: both records field by field, and the comparison that scored it."""
    detail = review_q.review_detail(driver, database, review_id)
    left, right = (detail.records + [{}, {}])[:2]
    fields = [
        {"field": k, "left": _iso(left.get(k)), "right": _iso(right.get(k)),
         "agrees": left.get(k) is not None and left.get(k) == right.get(k)}
        for k in REVIEW_FIELDS
        if left.get(k) not in (None, "", []) or right.get(k) not in (None, "", [])
    ]  # fmt: skip
    comparison = [
        {"comparison": name, "level": c.get("level"), "agrees": bool(c.get("agrees")),
         "match_weight": c.get("match_weight")}
        for name, c in detail.comparison.items()
        if isinstance(c, dict)
    ]  # fmt: skip
    return {"review": {k: _iso(v) for k, v in detail.review.items() if k != "comparison"}, "fields": fields,
            "comparison": comparison, "history": detail.history}  # fmt: skip


DecisionRefused = review_q.DecisionRefused


def decide_match(
    driver: neo4j.Driver, database: str, review_id: str, confirm: bool, user: str, reason: str
) -> str:
    """Confirm or reject a pair (``ingest.resolution.review.decide``, with the configured guards); the
    message says what happened. Raises DecisionRefused when a guard forbids it."""
    guards = ResolutionSettings.from_settings(load_settings()).guards
    result = review_q.decide(
        driver, database, review_id, "confirm" if confirm else "reject", user, reason, guards=guards
    )
    return result.message
