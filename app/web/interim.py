"""INTERIM adapters: the child's picture read straight from the graph model (docs/graph-model.md).

The picture, the chronology, cumulative risk and alerts come from the query layer (``queries/``). The
review queue is entity resolution's (``ingest/resolution/review.py``). Hidden adults and linked children are
being built in parallel; until each lands, the app uses the small functions here, which return the shapes
``app/web/data.py`` hands to the pages. ``app/web/data.py`` switches each one to the real function as it
lands, and this module then shrinks to nothing. Every value is a Cypher parameter.
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


# -- adults' risk history (INTERIM until queries' hidden-adults query, which ranks by it, lands) ------------
_RISK_HISTORY = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})<-[:RECORD_OF]-(r:SourceRecord)-[i:INVOLVED_IN]->(f:Fact)
WHERE i.role IN $roles OR f.fact_type IN $types
RETURN id, collect(DISTINCT CASE WHEN f.fact_type IN $types THEN f.fact_type
                                 ELSE f.fact_type + ' (' + i.role + ')' END) AS history
"""


def risk_history(driver: neo4j.Driver, database: str, ids: list[str]) -> dict[str, list[str]]:
    """For each adult: the kinds of record that make a risk history (suspect or offender, MAPPA, offending
    markers), whatever the window: history is history."""
    rows = _read(
        driver, database, _RISK_HISTORY, ids=ids, roles=list(RISK_ROLES), types=list(RISK_FACT_TYPES)
    )
    return {rec["id"]: sorted(rec["history"]) for rec in rows}


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


def linked_children(driver: neo4j.Driver, database: str, pic: Mapping[str, Any]) -> dict[str, list[str]]:
    """INTERIM linked children: child id -> how linked. Other children around the child, and children linked
    through an adult around the child (a relationship, a shared record, the same address).

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
    return {cid: sorted(set(ways)) for cid, ways in found.items()}


def child_views(pic: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The child's recorded views (ChildView facts about the child), newest first."""
    views = [f for f in pic["facts"] if f.get("fact_type") == "voice_of_child" and f.get("about_child")]
    return sorted(views, key=lambda f: f.get("occurred_on") or "", reverse=True)
