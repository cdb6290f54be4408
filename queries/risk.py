"""Cumulative risk: transparent indicators, weighted with recency decay from a versioned config file.

No prediction: the score is the sum of the points of facts that match the configured indicators, and every
point can be traced to one fact and its source record. The continuum level that comes with it is a
*suggestion* for the analyst, labelled as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from queries import catalog
from queries import people as people_q
from queries.model import CirclePerson, Fact, Involvement, Window
from queries.settings import Indicator, RiskConfig, load_risk_config


@dataclass(frozen=True)
class Contribution:
    """One fact's part in the score, with everything needed to check it."""

    indicator: str
    label: str
    weight: float
    age_days: int | None
    decay: float
    points: float
    person_id: str | None
    relation: str
    role: str | None
    fact: Fact

    @property
    def attaches_to(self) -> str | None:
        """For assessment factors: child, parent_carer or household_member (the CIN census suffix)."""
        value = self.fact.properties.get("attaches_to")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class LevelFloor:
    level: int
    fact: Fact


@dataclass(frozen=True)
class RiskAssessment:
    person_id: str
    window: Window
    config_version: str
    config_source: str
    score: float
    contributions: tuple[Contribution, ...]
    level_by_score: int
    floors: tuple[LevelFloor, ...]
    suggested_level: int
    suggestion_label: str

    def to_frame(self) -> pd.DataFrame:
        """The contributions as a table, biggest first: indicator, points, fact and its source."""
        return pd.DataFrame(
            [
                {
                    "indicator": c.indicator,
                    "label": c.label,
                    "points": round(c.points, 3),
                    "weight": c.weight,
                    "decay": round(c.decay, 3),
                    "age_days": c.age_days,
                    "date": c.fact.occurred_on,
                    "fact_type": c.fact.fact_type,
                    "summary": c.fact.summary,
                    "about": c.person_id,
                    "relation": c.relation,
                    "role": c.role,
                    "attaches_to": c.attaches_to,
                    "agency": c.fact.agency,
                    "source": c.fact.source,
                    "fact_key": c.fact.fact_key,
                    "recorded_by": c.fact.recorded_by_role,
                    "basis": c.fact.basis,
                }
                for c in self.contributions
            ],
            columns=[
                "indicator",
                "label",
                "points",
                "weight",
                "decay",
                "age_days",
                "date",
                "fact_type",
                "summary",
                "about",
                "relation",
                "role",
                "attaches_to",
                "agency",
                "source",
                "fact_key",
                "recorded_by",
                "basis",
            ],
        )


def _matches_properties(indicator: Indicator, fact: Fact) -> bool:
    if not indicator.properties:
        return True
    for prop, values in indicator.properties.items():
        value = fact.properties.get(prop)
        if value is not None and str(value).casefold() in values:
            return True
    return False


def _who_matches(indicator: Indicator, fact: Fact, circle: dict[str, CirclePerson]) -> Involvement | None:
    for inv in fact.involvements:
        if indicator.relations and inv.relation not in indicator.relations:
            continue
        if indicator.roles and inv.relation != "at_address" and inv.role not in indicator.roles:
            continue
        if indicator.adult:
            person = circle.get(inv.person_id or "")
            if person is None or not person.is_adult:
                continue
        return inv
    return None


def match(
    fact: Fact, circle: dict[str, CirclePerson], config: RiskConfig
) -> tuple[Indicator, Involvement] | None:
    """The first indicator (in config order) the fact matches, and the involvement that made it match."""
    for indicator in config.indicators:
        if fact.fact_type not in indicator.fact_types or not _matches_properties(indicator, fact):
            continue
        who = _who_matches(indicator, fact, circle)
        if who is not None:
            return indicator, who
    return None


def decay(fact: Fact, reference_date: date, half_life_days: float) -> tuple[int | None, float]:
    """(age in days, factor): 1 for a fact still open or undated, halving every ``half_life_days``."""
    if fact.open_ended or (fact.ended_on is not None and fact.ended_on >= reference_date):
        return 0, 1.0
    last = fact.ended_on or fact.occurred_on
    if last is None:
        return None, 1.0
    age = max((reference_date - last).days, 0)
    return age, 0.5 ** (age / half_life_days)


def level_for(score: float, config: RiskConfig) -> int:
    level = 1
    for lvl in (2, 3, 4):
        if score >= config.thresholds[lvl]:
            level = lvl
    return level


def score(
    person_id: str, window: Window, facts: Iterable[Fact], circle: dict[str, CirclePerson], config: RiskConfig
) -> RiskAssessment:
    """Score the facts about a child and the people around them (pure: no database)."""
    contributions: list[Contribution] = []
    floors: list[LevelFloor] = []
    seen: set[str] = set()
    for fact in facts:
        if fact.fact_key in seen:
            continue
        seen.add(fact.fact_key)
        if fact.occurred_on is not None and fact.occurred_on > window.reference_date:
            continue  # not yet happened at the reference date
        for floor in config.floors:
            still_open = fact.open_ended or (
                fact.ended_on is not None and fact.ended_on >= window.reference_date
            )
            if fact.fact_type in floor.fact_types and fact.about("child") and still_open:
                floors.append(LevelFloor(floor.level, fact))
        found = match(fact, circle, config)
        if found is None:
            continue
        indicator, who = found
        age, factor = decay(fact, window.reference_date, config.half_life_days)
        if indicator.weight == 0:
            continue
        contributions.append(
            Contribution(
                indicator=indicator.id,
                label=indicator.label,
                weight=indicator.weight,
                age_days=age,
                decay=factor,
                points=indicator.weight * factor,
                person_id=who.person_id,
                relation=who.relation,
                role=who.role,
                fact=fact,
            )
        )
    contributions.sort(key=lambda c: (-c.points, c.fact.occurred_on or date.min, c.fact.fact_key))
    total = round(sum(c.points for c in contributions), 6)
    by_score = level_for(total, config)
    suggested = max([by_score, *(f.level for f in floors)])
    return RiskAssessment(
        person_id=person_id,
        window=window,
        config_version=config.version,
        config_source=config.source,
        score=total,
        contributions=tuple(contributions),
        level_by_score=by_score,
        floors=tuple(sorted(floors, key=lambda f: (-f.level, f.fact.fact_key))),
        suggested_level=suggested,
        suggestion_label=config.level_label,
    )


def cumulative_risks(
    driver: catalog.Reader, database: str, windows: dict[str, Window], config: RiskConfig | None = None
) -> dict[str, RiskAssessment]:
    """Cumulative risk for several children at once (each in its own window), keyed by person id."""
    config = config or load_risk_config()
    circles = people_q.circles(driver, database, windows)
    homes = people_q.residences(driver, database, windows)
    facts = people_q.facts_about(driver, database, windows, circles, homes)
    return {pid: score(pid, windows[pid], facts[pid], circles[pid], config) for pid in windows}


def cumulative_risk(
    driver: catalog.Reader, database: str, person_id: str, window: Window, config: RiskConfig | None = None
) -> RiskAssessment:
    """The child's cumulative risk in the window: the score, every contributing fact with its source, and a
    suggested continuum level (1-4) labelled as a suggestion."""
    return cumulative_risks(driver, database, {person_id: window}, config)[person_id]


def as_dict(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "person_id": assessment.person_id,
        "window": {
            "from": assessment.window.start,
            "to": assessment.window.end,
            "reference_date": assessment.window.reference_date,
        },
        "config_version": assessment.config_version,
        "score": assessment.score,
        "suggested_level": assessment.suggested_level,
        "suggestion_label": assessment.suggestion_label,
        "level_by_score": assessment.level_by_score,
        "floors": [{"level": f.level, "fact": f.fact.evidence()} for f in assessment.floors],
        "contributions": [
            {
                "indicator": c.indicator,
                "label": c.label,
                "weight": c.weight,
                "age_days": c.age_days,
                "decay": round(c.decay, 4),
                "points": round(c.points, 4),
                "person_id": c.person_id,
                "relation": c.relation,
                "role": c.role,
                "attaches_to": c.attaches_to,
                "fact": c.fact.evidence(),
            }
            for c in assessment.contributions
        ],
    }
