"""INTERIM adapters: the child's picture read straight from the graph model (docs/graph-model.md).

The query layer (``queries/``: picture, chronology, cumulative risk, linked children, hidden adults, alerts)
and the entity-resolution review queue (``ingest/resolution/``) are being built in parallel. Until each
function lands, the app reads the graph through the small functions here, which return the shapes
``app/web/data.py`` hands to the pages. They are deliberately simple (no weighting config, no recency decay,
no pattern logic): ``app/web/data.py`` switches each one to the real function as it lands, and this module
then shrinks to nothing. Every value is a Cypher parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import neo4j

CHILD_AGE = 18
RISK_ROLES = ("suspect", "offender")
RISK_FACT_TYPES = ("mappa", "offending_marker")
# agencies whose records of the child an adult "should" appear in (the invisible-men reviews)
SEEING_AGENCIES = ("csc", "health")

# INTERIM weights per indicator, until queries' versioned risk config lands (no recency decay here).
INTERIM_RISK_WEIGHTS: dict[str, float] = {
    "da_incident": 3.0,
    "missing_episode": 2.0,
    "cpnci": 2.0,
    "crime": 2.0,
    "school_exclusion": 1.5,
    "absence": 1.0,
    "children_missing_education": 2.0,
    "was_not_brought": 1.5,
    "assessment_factor": 2.0,
    "cp_plan": 3.0,
    "s47_enquiry": 2.5,
    "mappa": 4.0,
    "offending_marker": 2.0,
    "ae_attendance": 1.0,
    "third_sector_concern": 1.0,
}

_FACT_FIELDS = (
    "fact_key", "fact_type", "agency", "basis", "occurred_on", "ended_on", "summary", "recorded_on",
    "recorded_by_role", "source_system", "source_table", "source_record_id", "dash_grade", "code",
    "attaches_to", "threshold_decision", "outcome", "deemed_malicious",
)  # fmt: skip


def native(value: Any) -> Any:
    """Neo4j temporal values to Python (then to ISO strings for caching and display)."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def _age(dob: str | None, today: date) -> int | None:
    if not dob:
        return None
    born = date.fromisoformat(dob[:10])
    if born > today:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _most_common(values: list[Any]) -> Any:
    counts: dict[Any, int] = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _read(driver: neo4j.Driver, database: str, query: str, **params: Any) -> list[neo4j.Record]:
    records, _, _ = driver.execute_query(
        query, params, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return list(records)


# -- people ---------------------------------------------------------------------------------------------
_PEOPLE = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})
OPTIONAL MATCH (r:SourceRecord)-[:RECORD_OF]->(p)
OPTIONAL MATCH (r)-[l:LIVED_AT]->(a:Address)
WITH p, r, a, l ORDER BY coalesce(l.`from`, date('1900-01-01')) DESC
WITH p, collect(DISTINCT r) AS records, collect(a)[0] AS address
RETURN p.person_id AS person_id, p.date_of_birth AS dob, p.expected_date_of_birth AS edd, p:Unborn AS unborn,
       [r IN records | r.agency] AS agencies, [r IN records | r.record_key] AS record_keys,
       [r IN records | r.given_name] AS givens, [r IN records | r.family_name] AS families,
       [r IN records | r.date_of_birth] AS dobs, [r IN records | r.sex] AS sexes,
       [r IN records | r.nhs_number] AS nhs, [r IN records | r.upn] AS upns,
       [r IN records | r.la_child_id] AS la_ids, [r IN records | r.pnc_id] AS pncs,
       [r IN records | r.postcode] AS postcodes,
       address.line AS address_line, address.postcode AS address_postcode, address.area AS area
"""


def people(driver: neo4j.Driver, database: str, ids: list[str], today: date) -> dict[str, dict[str, Any]]:
    """One dict per person: best names, date of birth, kind (child, adult, unborn), identifiers, address."""
    out: dict[str, dict[str, Any]] = {}
    for rec in _read(driver, database, _PEOPLE, ids=ids):
        dob = native(rec["dob"]) or _most_common(native(rec["dobs"]))
        edd = native(rec["edd"])
        age = _age(dob, today)
        unborn = bool(rec["unborn"]) or (dob is None and edd is not None)
        kind = "unborn" if unborn else ("child" if age is not None and age < CHILD_AGE else "adult")
        if age is None and not unborn:
            kind = "adult" if dob else "unknown"
        postcode = rec["address_postcode"] or _most_common(rec["postcodes"])
        out[rec["person_id"]] = {
            "person_id": rec["person_id"],
            "given_name": _most_common(rec["givens"]),
            "family_name": _most_common(rec["families"]),
            "date_of_birth": dob,
            "expected_date_of_birth": edd,
            "age": age,
            "kind": kind,
            "sex": _most_common(rec["sexes"]),
            "agencies": sorted({a for a in rec["agencies"] if a}),
            "record_keys": sorted(rec["record_keys"]),
            "nhs_number": _most_common(rec["nhs"]),
            "upn": _most_common(rec["upns"]),
            "la_child_id": _most_common(rec["la_ids"]),
            "pnc_id": _most_common(rec["pncs"]),
            "address": rec["address_line"],
            "postcode": postcode,
            "area": rec["area"] or (postcode.split(" ")[0] if postcode else None),
        }
    return out


# -- who is around the child ----------------------------------------------------------------------------
_AROUND = """
MATCH (p:Person {person_id: $pid})<-[:RECORD_OF]-(r:SourceRecord)
CALL (r) {
  MATCH (r)-[rel:RELATED_TO]-(r2:SourceRecord)-[:RECORD_OF]->(p2:Person)
  WHERE ($end IS NULL OR rel.`from` IS NULL OR rel.`from` <= $end)
    AND ($start IS NULL OR rel.`to` IS NULL OR rel.`to` >= $start)
  RETURN p2.person_id AS other, 'relationship' AS via, rel.type AS detail, startNode(rel) = r2 AS other_is_from,
         rel.agency AS agency, null AS fact_key
  UNION
  MATCH (r)-[:MEMBER_OF]->(:Household)<-[m:MEMBER_OF]-(r2:SourceRecord)-[:RECORD_OF]->(p2:Person)
  WHERE ($end IS NULL OR m.`from` IS NULL OR m.`from` <= $end)
    AND ($start IS NULL OR m.`to` IS NULL OR m.`to` >= $start)
  RETURN p2.person_id AS other, 'household' AS via, coalesce(m.member_role, 'household member') AS detail,
         true AS other_is_from, m.agency AS agency, null AS fact_key
  UNION
  MATCH (r)-[l1:LIVED_AT]->(a:Address)<-[l2:LIVED_AT]-(r2:SourceRecord)-[:RECORD_OF]->(p2:Person)
  WHERE ($end IS NULL OR l2.`from` IS NULL OR l2.`from` <= $end)
    AND ($start IS NULL OR l2.`to` IS NULL OR l2.`to` >= $start)
    AND (l1.`to` IS NULL OR l2.`from` IS NULL OR l2.`from` <= l1.`to`)
    AND (l2.`to` IS NULL OR l1.`from` IS NULL OR l1.`from` <= l2.`to`)
  RETURN p2.person_id AS other, 'address' AS via, 'same address (' + coalesce(a.area, '?') + ')' AS detail,
         true AS other_is_from, l2.agency AS agency, null AS fact_key
  UNION
  MATCH (r)-[:INVOLVED_IN]->(f:Fact)<-[i2:INVOLVED_IN]-(r2:SourceRecord)-[:RECORD_OF]->(p2:Person)
  WHERE ($start IS NULL OR f.occurred_on IS NULL OR f.occurred_on >= $start)
    AND ($end IS NULL OR f.occurred_on IS NULL OR f.occurred_on <= $end)
  RETURN p2.person_id AS other, 'fact' AS via, i2.role AS detail, true AS other_is_from, f.agency AS agency,
         f.fact_key AS fact_key
}
WITH other, via, detail, other_is_from, agency, fact_key WHERE other <> $pid
RETURN DISTINCT other, via, detail, other_is_from, agency, fact_key
"""

_FACTS = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})<-[:RECORD_OF]-(r:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)
WHERE ($start IS NULL OR f.occurred_on IS NULL OR coalesce(f.ended_on, f.occurred_on) >= $start)
  AND ($end IS NULL OR f.occurred_on IS NULL OR f.occurred_on <= $end)
WITH f, collect(DISTINCT {person_id: id, role: i.role, record_key: r.record_key}) AS involved
OPTIONAL MATCH (f)-[:AT]->(a:Address)
RETURN f {.*, raw_json: null, row_hash: null} AS fact, [l IN labels(f) WHERE l <> 'Fact'] AS labels,
       involved, a.area AS place_area
"""

_RISK_HISTORY = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})<-[:RECORD_OF]-(r:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)
WHERE i.role IN $roles OR f.fact_type IN $types
RETURN id, collect(DISTINCT {fact_type: f.fact_type, role: i.role, occurred_on: f.occurred_on,
       agency: f.agency, fact_key: f.fact_key}) AS history
"""


def _relationship_label(via: str, detail: str | None, other_is_from: bool) -> str:
    text = (detail or via).replace("_", " ")
    if via == "relationship" and not other_is_from:
        return f"child is their {text}"
    if via == "fact":
        return f"{text} in a shared record"
    return text


def picture(
    driver: neo4j.Driver, database: str, person_id: str, start: date | None, end: date | None, today: date
) -> dict[str, Any] | None:
    """The child's picture in the window: the child, the people around, the links, the facts.

    INTERIM until ``queries`` lands its picture function. Returns None when there is no such person.
    """
    base = people(driver, database, [person_id], today)
    if person_id not in base:
        return None
    child = base[person_id]
    around = _read(driver, database, _AROUND, pid=person_id, start=start, end=end)
    links: list[dict[str, Any]] = []
    connections: dict[str, list[str]] = {}
    for rec in around:
        label = _relationship_label(rec["via"], rec["detail"], rec["other_is_from"])
        connections.setdefault(rec["other"], [])
        if label not in connections[rec["other"]]:
            connections[rec["other"]].append(label)
        if rec["via"] != "fact":
            links.append(
                {
                    "source": rec["other"] if rec["other_is_from"] else person_id,
                    "target": person_id if rec["other_is_from"] else rec["other"],
                    "type": (rec["detail"] or rec["via"]).replace("_", " "),
                    "via": rec["via"],
                    "agency": rec["agency"],
                }  # fmt: skip
            )
    others = people(driver, database, list(connections), today)
    history = {
        rec["id"]: native(rec["history"])
        for rec in _read(
            driver,
            database,
            _RISK_HISTORY,
            ids=list(others),
            roles=list(RISK_ROLES),
            types=list(RISK_FACT_TYPES),
        )
    }
    ids = [person_id, *others]
    fact_rows = _read(driver, database, _FACTS, ids=ids, start=start, end=end)
    facts: list[dict[str, Any]] = []
    for rec in fact_rows:
        f = {k: native(v) for k, v in rec["fact"].items() if k in _FACT_FIELDS and v is not None}
        f["labels"] = list(rec["labels"])
        f["people"] = [dict(x) for x in rec["involved"]]
        f["place_area"] = rec["place_area"]
        f["source"] = f"{f.get('agency')}|{f.get('source_table')}|{f.get('source_record_id')}"
        f["about_child"] = any(x["person_id"] == person_id for x in rec["involved"])
        facts.append(f)
    facts.sort(key=lambda f: (f.get("occurred_on") or "9999", f.get("fact_key")))
    people_out: list[dict[str, Any]] = []
    for pid, person in others.items():
        past = history.get(pid, [])
        people_out.append(
            {
                **person,
                "relationship": "; ".join(connections.get(pid, [])),
                "risk_history": bool(past) and person["kind"] == "adult",
                "risk_reasons": sorted(
                    {
                        h["fact_type"]
                        if h["fact_type"] in RISK_FACT_TYPES
                        else f"{h['fact_type']} ({h['role']})"
                        for h in past
                    }
                ),  # fmt: skip
            }
        )
    return {
        "child": child,
        "people": people_out,
        "links": links,
        "facts": facts,
        "window": [start.isoformat() if start else None, end.isoformat() if end else None],
    }


def hidden_adults(pic: Mapping[str, Any]) -> list[dict[str, Any]]:
    """INTERIM "invisible men": adults around the child with no record at children's social care or health.

    The real query (queries/) also looks at the mother's and carers' links and unborn children; this one only
    looks at the adults already in the picture. Ranked by their risk history.
    """
    out = []
    for person in pic["people"]:
        if person["kind"] != "adult":
            continue
        if set(person["agencies"]) & set(SEEING_AGENCIES):
            continue
        out.append(
            {
                **person,
                "why_hidden": "linked to the child ("
                + (person["relationship"] or "connection")
                + ") but in no children's social care or health record",
            }
        )
    out.sort(key=lambda p: (-len(p["risk_reasons"]), p["family_name"] or ""))
    return out


_LINKED_THROUGH_ADULTS = """
UNWIND $adults AS aid
MATCH (:Person {person_id: aid})<-[:RECORD_OF]-(ar:SourceRecord)
CALL (ar) {
  MATCH (ar)-[rel:RELATED_TO]-(cr:SourceRecord) RETURN cr, 'relationship: ' + rel.type AS how
  UNION
  MATCH (ar)-[:INVOLVED_IN]->(f:Fact)<-[:INVOLVED_IN]-(cr:SourceRecord) RETURN cr, 'same record: ' + f.fact_type AS how
  UNION
  MATCH (ar)-[:LIVED_AT]->(:Address)<-[:LIVED_AT]-(cr:SourceRecord) RETURN cr, 'same address' AS how
}
MATCH (cr)-[:RECORD_OF]->(c:Person) WHERE c.person_id <> $pid AND NOT c.person_id IN $adults
RETURN DISTINCT c.person_id AS child, aid AS through, how
"""


def linked_children(
    driver: neo4j.Driver, database: str, pic: Mapping[str, Any], today: date
) -> list[dict[str, Any]]:
    """INTERIM linked children: other children around the child, and children linked through the same adult.

    The real query (queries/) adds overlapping missing episodes and ranks by the adult's history.
    """
    subject = pic["child"]["person_id"]
    adults = {p["person_id"]: p for p in pic["people"] if p["kind"] == "adult"}
    found: dict[str, list[str]] = {}
    for person in pic["people"]:
        if person["kind"] in {"child", "unborn"}:
            found.setdefault(person["person_id"], []).append(person["relationship"] or "around the child")
    for rec in _read(driver, database, _LINKED_THROUGH_ADULTS, adults=list(adults), pid=subject):
        adult = adults[rec["through"]]
        name = " ".join(x for x in (adult["given_name"], adult["family_name"]) if x) or "an adult"
        flag = " (adult with risk history)" if adult["risk_history"] else ""
        found.setdefault(rec["child"], []).append(f"through {name}{flag}: {rec['how'].replace('_', ' ')}")
    info = people(driver, database, list(found), today)
    out = []
    for cid, ways in found.items():
        person = info.get(cid)
        if person is None or person["kind"] not in {"child", "unborn"}:
            continue
        out.append({**person, "linked_by": sorted(set(ways))})
    out.sort(key=lambda c: (-len(c["linked_by"]), c["family_name"] or ""))
    return out


def cumulative_risk(pic: Mapping[str, Any]) -> dict[str, Any]:
    """INTERIM cumulative risk: a fixed weight per indicator fact, every contribution with its source.

    Not the real model (queries/ has the versioned weights, recency decay and CIN factor attachment);
    the panel labels it as interim and the suggested level as a suggestion.
    """
    contributions = []
    for fact in pic["facts"]:
        weight = INTERIM_RISK_WEIGHTS.get(fact.get("fact_type", ""))
        if weight is None:
            continue
        if fact.get("fact_type") == "da_incident" and fact.get("dash_grade") == "high":
            weight += 2.0
        contributions.append(
            {
                "indicator": fact.get("fact_type", "").replace("_", " "),
                "weight": weight,
                "fact_key": fact.get("fact_key"),
                "agency": fact.get("agency"),
                "occurred_on": fact.get("occurred_on"),
                "basis": fact.get("basis"),
                "source": fact.get("source"),
                "summary": fact.get("summary"),
                "about_child": fact.get("about_child"),
            }
        )
    score = round(sum(c["weight"] for c in contributions), 1)
    level = 1 if score < 3 else 2 if score < 8 else 3 if score < 15 else 4
    return {"score": score, "suggested_level": level, "contributions": contributions, "model": "interim"}


def child_views(pic: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The child's recorded views (ChildView facts about the child), newest first."""
    views = [f for f in pic["facts"] if f.get("fact_type") == "voice_of_child" and f.get("about_child")]
    return sorted(views, key=lambda f: f.get("occurred_on") or "", reverse=True)


# -- alerts (INTERIM until queries' `jigsaw patterns` alerts land) --------------------------------------
# Assumed shape, from issue 6: (:Alert {alert_id, pattern, status: new|acknowledged|closed, raised_at,
# summary}) linked to the people it concerns (:Person) and its evidence (:Fact), by any relationship type.
ALERT_STATUSES = ("new", "acknowledged", "closed")

_ALERTS = """
MATCH (a:Alert)
WHERE $status IS NULL OR coalesce(a.status, 'new') = $status
WITH a ORDER BY coalesce(a.raised_at, a.created_at) DESC LIMIT $limit
OPTIONAL MATCH (a)--(p:Person)
WITH a, collect(DISTINCT p.person_id) AS people
OPTIONAL MATCH (a)--(f:Fact)
RETURN a {.*} AS alert, people,
       collect(DISTINCT f {.fact_key, .fact_type, .occurred_on, .agency, .basis, .summary, .source_table,
                           .source_record_id, .recorded_by_role}) AS evidence
"""

_DECIDE_ALERT = """
MATCH (a:Alert {alert_id: $alert_id})
SET a.status = $status, a.status_changed_by = $user, a.status_changed_at = datetime(),
    a.status_reason = $reason
RETURN a.alert_id AS alert_id
"""


def alerts(driver: neo4j.Driver, database: str, status: str | None, limit: int = 500) -> list[dict[str, Any]]:
    out = []
    for rec in _read(driver, database, _ALERTS, status=status, limit=limit):
        alert = {k: native(v) for k, v in dict(rec["alert"]).items()}
        alert.setdefault("status", "new")
        alert["people"] = list(rec["people"])
        alert["evidence"] = [
            {k: native(v) for k, v in dict(e).items()} for e in rec["evidence"] if e.get("fact_key")
        ]
        out.append(alert)
    return out


def decide_alert(
    driver: neo4j.Driver, database: str, alert_id: str, status: str, user: str, reason: str
) -> bool:
    if status not in ALERT_STATUSES:
        raise ValueError(f"unknown alert status {status!r}")
    records, _, _ = driver.execute_query(
        _DECIDE_ALERT, alert_id=alert_id, status=status, user=user, reason=reason, database_=database
    )
    return bool(records)


# -- the review queue (INTERIM until ingest/resolution's review functions land) -------------------------
# Assumed shape, from issue 5: (:ReviewItem {review_id, status: pending|confirmed|rejected, match_probability,
# matched_fields}) -[:CANDIDATE]-> two SourceRecords.
_COMPARED = (
    "agency", "source_system", "given_name", "family_name", "other_names", "date_of_birth", "sex", "nhs_number",
    "upn", "la_child_id", "pnc_id", "postcode",
)  # fmt: skip

_REVIEW = """
MATCH (q:ReviewItem) WHERE coalesce(q.status, 'pending') = 'pending'
MATCH (q)-[:CANDIDATE]->(r:SourceRecord)
WITH q, r ORDER BY r.record_key
WITH q, collect(r) AS records WHERE size(records) = 2
RETURN q {.*} AS item, [r IN records | r {.*, raw_json: null, row_hash: null}] AS records
ORDER BY q.match_probability DESC
LIMIT $limit
"""

_DECIDE_REVIEW = """
MATCH (q:ReviewItem {review_id: $review_id})
SET q.status = $status, q.decided_by = $user, q.decided_at = datetime(), q.decision_reason = $reason
RETURN q.review_id AS review_id
"""


def review_queue(driver: neo4j.Driver, database: str, limit: int = 200) -> list[dict[str, Any]]:
    out = []
    for rec in _read(driver, database, _REVIEW, limit=limit):
        item = {k: native(v) for k, v in dict(rec["item"]).items()}
        left, right = ({k: native(r.get(k)) for k in ("record_key", *_COMPARED)} for r in rec["records"])
        item["left"], item["right"] = left, right
        item["comparison"] = [
            {"field": k, "left": left.get(k), "right": right.get(k),
             "agrees": left.get(k) is not None and left.get(k) == right.get(k)}
            for k in _COMPARED if left.get(k) is not None or right.get(k) is not None
        ]  # fmt: skip
        out.append(item)
    return out


def decide_match(
    driver: neo4j.Driver, database: str, review_id: str, confirm: bool, user: str, reason: str
) -> bool:
    records, _, _ = driver.execute_query(
        _DECIDE_REVIEW,
        review_id=review_id,
        status="confirmed" if confirm else "rejected",
        user=user,
        reason=reason,
        database_=database,
    )
    return bool(records)
