"""Linked children, and the networks networkx is better at than Cypher.

``linked_children``: the other children linked to one child: through the same adult (above all one with a
violent, sexual, domestic abuse or MAPPA history), the same address, the same incident, or missing episodes that
overlap in time and place. ``linked_groups``: connected groups of linked children across the county.
``central_adults``: adults with a history around children in several households.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import networkx as nx

from queries import adults as adults_q
from queries import catalog
from queries import people as people_q
from queries.adults import AROUND_RELATIONS, AdultHistory, ChildLink
from queries.model import Window
from queries.settings import RiskConfig, load_risk_config

MAX_MISSING_DAYS = 60


@dataclass(frozen=True)
class Linkage:
    """One reason two children are linked, with the record behind it."""

    kind: str  # same_adult, same_incident, missing_overlap, same_address
    detail: dict[str, Any]
    via_adult: str | None = None
    adult_history_points: float = 0.0
    adult_history: tuple[str, ...] = ()

    @property
    def strength(self) -> float:
        """How strongly this link ties the children to a shared risk (for ordering; not a score of risk)."""
        if self.kind == "same_adult":
            return 100 + self.adult_history_points if self.adult_history_points > 0 else 20
        if self.kind == "same_incident":
            return 50
        if self.kind == "missing_overlap":
            return 45 if self.detail.get("place") == "same address" else 40
        if self.kind == "same_address":
            return 30 if self.detail.get("overlapping") else 10
        return 0


@dataclass
class LinkedChild:
    person_id: str
    display_name: str | None
    date_of_birth: date | None
    unborn: bool
    links: list[Linkage] = field(default_factory=list)

    @property
    def strength(self) -> float:
        return max((x.strength for x in self.links), default=0.0)

    @property
    def kinds(self) -> list[str]:
        return sorted({x.kind for x in self.links})


def linked_children(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    risk_config: RiskConfig | None = None,
) -> list[LinkedChild]:
    """Other children linked to the child in the window, strongest link first; every link names its record."""
    risk_config = risk_config or load_risk_config()
    circle = people_q.circle(driver, database, person_id, window)
    adult_ids = sorted(
        p.person_id for p in circle.values() if p.is_adult and set(p.relations) & AROUND_RELATIONS
    )
    history = adults_q.histories(driver, database, adult_ids, window.reference_date, risk_config)
    around = adults_q.children_around(driver, database, {a: window for a in adult_ids}, window.reference_date)
    found: dict[str, list[Linkage]] = defaultdict(list)
    for adult_id, children in around.items():
        h = history[adult_id]
        for child_id, how in children.items():
            if child_id == person_id:
                continue
            for link in how:
                found[child_id].append(
                    Linkage(
                        "same_adult",
                        {**vars(link), "adult_relations": sorted(circle[adult_id].relations)},
                        adult_id,
                        h.points,
                        tuple(h.labels),
                    )  # fmt: skip
                )
    params = {
        "person_id": person_id,
        "from": window.start,
        "to": window.end,
        "reference_date": window.reference_date,
        "max_missing_days": MAX_MISSING_DAYS,
    }
    for row in catalog.read(driver, database, "find_linked_children", params):
        for link in row["links"]:
            found[row["person_id"]].append(
                Linkage(link["kind"], {k: v for k, v in link.items() if v is not None})
            )
    info = people_q.persons(driver, database, sorted(found))
    out = []
    for child_id, links in found.items():
        p = info.get(child_id)
        links.sort(key=lambda x: (-x.strength, x.kind, str(sorted(x.detail.items()))))
        out.append(
            LinkedChild(
                child_id,
                p.display_name if p else None,
                p.date_of_birth if p else None,
                p.unborn if p else False,
                links,
            )
        )
    out.sort(key=lambda c: (-c.strength, c.person_id))
    return out


def household_of(homes: list[people_q.Residence], child_id: str) -> str:
    """The child's household for grouping: the address lived at most recently in the window (else the child)."""
    if not homes:
        return f"child:{child_id}"
    latest = max(homes, key=lambda h: (h.start or date.min, h.address_key))
    return latest.address_key


@dataclass(frozen=True)
class CentralAdult:
    person_id: str
    history: AdultHistory
    children: dict[str, list[ChildLink]]  # child id -> links
    households: dict[str, list[str]]  # household (address key) -> child ids

    @property
    def household_count(self) -> int:
        return len(self.households)


def central_adults(
    driver: catalog.Reader,
    database: str,
    reference_date: date,
    window_years: int = 3,
    min_history_points: float = 3.0,
    min_households: int = 2,
    risk_config: RiskConfig | None = None,
    batch_size: int = 500,
    reader: adults_q.AdultReader | None = None,
) -> list[CentralAdult]:
    """Adults with a history of at least ``min_history_points`` around children in ``min_households`` or more
    households, most households first. ``reader`` shares what other adult questions of a sweep already read."""
    if reader is None:
        reader = adults_q.AdultReader(driver, database, reference_date, risk_config, batch_size)
    elif reader.reference_date != reference_date:
        raise ValueError(f"the reader is as at {reader.reference_date}, not {reference_date}")
    window = Window.years_to(reference_date, window_years)
    candidates = reader.candidates()
    out: list[CentralAdult] = []
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start : start + batch_size]
        history = reader.histories(batch)
        risky = [a for a in batch if history[a].points >= min_history_points]
        if not risky:
            continue
        around = reader.children_around(risky, window)
        child_ids = sorted({c for children in around.values() for c in children})
        homes = reader.residences(child_ids, window)
        for adult_id in risky:
            children = around[adult_id]
            households: dict[str, list[str]] = defaultdict(list)
            for child_id in sorted(children):
                households[household_of(homes.get(child_id, []), child_id)].append(child_id)
            if len(households) >= min_households:
                out.append(CentralAdult(adult_id, history[adult_id], children, dict(households)))
    out.sort(key=lambda a: (-a.household_count, -a.history.points, a.person_id))
    return out


@dataclass(frozen=True)
class LinkedGroup:
    children: tuple[str, ...]
    adults: tuple[str, ...]
    edges: tuple[tuple[str, str, str, str], ...]  # (node, node, kind, evidence key)


def linked_groups(
    driver: catalog.Reader,
    database: str,
    reference_date: date,
    window_years: int = 3,
    min_children: int = 3,
    min_history_points: float = 3.0,
    risk_config: RiskConfig | None = None,
) -> list[LinkedGroup]:
    """Connected groups of children linked through risky adults, shared incidents or overlapping missing
    episodes (networkx connected components), largest first. A group is kept when it has ``min_children``."""
    risk_config = risk_config or load_risk_config()
    window = Window(
        reference_date - timedelta(days=round(365.25 * window_years)), reference_date, reference_date
    )
    graph = nx.Graph()
    for adult in central_adults(
        driver, database, reference_date, window_years, min_history_points, 1, risk_config
    ):
        for child_id, links in adult.children.items():
            key = next((x.link_key or x.fact_key or x.address_key or "" for x in links), "")
            graph.add_edge(f"adult:{adult.person_id}", f"child:{child_id}", kind="same_adult", key=key)
    params = {"from": window.start, "to": window.end, "reference_date": reference_date,
              "max_missing_days": MAX_MISSING_DAYS}  # fmt: skip
    for row in catalog.read(driver, database, "find_child_link_edges", params):
        graph.add_edge(
            f"child:{row['child_a']}", f"child:{row['child_b']}", kind=row["kind"], key=row["fact_key"]
        )
    groups = []
    for component in nx.connected_components(graph):
        children = sorted(n.removeprefix("child:") for n in component if n.startswith("child:"))
        if len(children) < min_children:
            continue
        sub = graph.subgraph(component)
        edges = tuple(sorted((a, b, d["kind"], d["key"]) for a, b, d in sub.edges(data=True)))
        adults = tuple(sorted(n.removeprefix("adult:") for n in component if n.startswith("adult:")))
        groups.append(LinkedGroup(tuple(children), adults, edges))
    groups.sort(key=lambda g: (-len(g.children), g.children))
    return groups
