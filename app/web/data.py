"""The app's one door to the data: each function here is what a page calls, and it delegates to the query
layer (``queries/``) and entity resolution (``ingest/resolution/``) where those functions exist, and to the
INTERIM adapters in ``app/web/interim.py`` where they do not yet. Pages never run Cypher themselves.

Shapes are plain dicts and lists (cacheable, and what the governance redaction and meeting-mode helpers take).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from app.web import interim


def case_picture(
    driver: neo4j.Driver, database: str, person_id: str, start: date | None, end: date | None, today: date
) -> dict[str, Any] | None:
    """The child, the people around the child, the links between them and the facts, in the window."""
    return interim.picture(driver, database, person_id, start, end, today)


def case_panels(driver: neo4j.Driver, database: str, pic: dict[str, Any], today: date) -> dict[str, Any]:
    """The panels beside the picture: cumulative risk, hidden adults, linked children, the child's views."""
    return {
        "risk": interim.cumulative_risk(pic),
        "hidden_adults": interim.hidden_adults(pic),
        "linked_children": interim.linked_children(driver, database, pic, today),
        "child_views": interim.child_views(pic),
    }


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
    return (first.to_native() if first else None, last.to_native() if last else None)


# -- alerts and the review queue --------------------------------------------------------------------------
ALERT_STATUSES = interim.ALERT_STATUSES


def alerts(driver: neo4j.Driver, database: str, status: str | None = None) -> list[dict[str, Any]]:
    return interim.alerts(driver, database, status)


def decide_alert(
    driver: neo4j.Driver, database: str, alert_id: str, status: str, user: str, reason: str
) -> bool:
    return interim.decide_alert(driver, database, alert_id, status, user, reason)


def review_queue(driver: neo4j.Driver, database: str) -> list[dict[str, Any]]:
    return interim.review_queue(driver, database)


def decide_match(
    driver: neo4j.Driver, database: str, review_id: str, confirm: bool, user: str, reason: str
) -> bool:
    return interim.decide_match(driver, database, review_id, confirm, user, reason)
