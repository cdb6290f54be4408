"""Everything about one child in one structure of plain data: the picture, cumulative risk, the chronology,
hidden adults, linked children and alerts. What ``jigsaw case`` prints (or writes as JSON).

Every fact appears as ``Fact.evidence()``: a dict with ``fact_key``, ``fact_type``, ``agency`` and its source,
so a caller can redact facts by agency (``app.governance``) wherever they appear.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queries import adults as adults_q
from queries import catalog
from queries import known_at as known_at_q
from queries import linked as linked_q
from queries import picture as picture_q
from queries import risk as risk_q
from queries.alerts import alert_dict, jsonable
from queries.model import Window
from queries.settings import PatternConfig, RiskConfig, load_pattern_config, load_risk_config


def hidden_adult_dict(h: adults_q.HiddenAdult) -> dict[str, Any]:
    return {
        "person_id": h.person_id,
        "display_name": h.display_name,
        "age": h.age,
        "relations": sorted(h.relations),
        "hidden": h.hidden,
        "known_to": list(h.known_to),
        "seen_by": list(h.seen_by),
        "absent_from": list(h.absent_from),
        "history_points": h.history.points,
        "history": [
            {
                "indicator": i.indicator,
                "label": i.label,
                "points": round(i.points, 3),
                "fact": i.fact.evidence(),
            }
            for i in h.history.items
        ],
        "links": [
            {"relation": rel, **{k: v for k, v in vars(x).items() if v is not None}}
            for rel, links in sorted(h.relations.items())
            for x in links
        ],
    }


def linked_child_dict(c: linked_q.LinkedChild) -> dict[str, Any]:
    return {
        "person_id": c.person_id,
        "display_name": c.display_name,
        "date_of_birth": c.date_of_birth,
        "unborn": c.unborn,
        "strength": c.strength,
        "links": [
            {
                "kind": x.kind,
                "via_adult": x.via_adult,
                "adult_history_points": x.adult_history_points,
                "detail": x.detail,
            }
            for x in c.links
        ],
    }


def case_report(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    risk_config: RiskConfig | None = None,
    pattern_config: PatternConfig | None = None,
    as_known_at: datetime | None = None,
) -> dict[str, Any]:
    """The whole case as JSON-ready data (dates as ISO text). Raises picture.NotFound for an unknown id.

    With ``as_known_at``, the case as Jigsaw knew it then (queries.known_at): only what it had learnt by then, in
    the versions current then, with the matches in force then; the report says so (``as_known_at``)."""
    risk_config = risk_config or load_risk_config()
    pattern_config = pattern_config or load_pattern_config()
    with known_at_q.known_at(driver, database, as_known_at) as (reader, rewind):
        try:
            pic = picture_q.child_picture(reader, database, person_id, window)
        except picture_q.NotFound:
            if as_known_at is None:
                raise
            raise picture_q.NotFound(
                f"no person {person_id!r} in the graph as known at {as_known_at:%Y-%m-%d %H:%M} UTC"
            ) from None
        risk = risk_q.score(person_id, window, pic.facts, pic.people, risk_config)
        chronology = [
            {**e.fact.evidence(), "about": list(e.about), "others": list(e.others)}
            for e in picture_q.chronology_of(pic)
        ]
        hidden = adults_q.hidden_adults_for(
            reader, database, {person_id: window}, risk_config, pattern_config, {person_id: pic.people}
        )[person_id]
        linked = linked_q.linked_children(reader, database, person_id, window, risk_config)
    out = picture_q.picture_dict(pic)
    out.update(
        {
            "risk": risk_q.as_dict(risk),
            "chronology": chronology,
            "hidden_adults": [hidden_adult_dict(h) for h in hidden],
            "linked_children": [linked_child_dict(c) for c in linked],
            "alerts": [alert_dict(a) for a in pic.alerts],
            "as_known_at": as_known_at,
            "rewound": dict(sorted(rewind.counts.items())) if rewind else None,
        }
    )
    result: dict[str, Any] = jsonable(out)
    return result
