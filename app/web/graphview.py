"""The child's picture as an interactive graph (neo4j-viz, whose JavaScript ships inside the package).

Colour and size carry the type (neo4j-viz 1.11 nodes have no shape property): the child is the largest
node; children blue, unborn children purple, adults grey; adults with a risk history red and hidden adults
orange (both also tagged in the caption, so the difference does not rest on colour alone); facts smaller and
coloured by kind; facts a role may not see in detail grey. The legend on the canvas explains the colours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from neo4j_viz import Node, Relationship, VisualizationGraph

COLOURS: dict[str, str] = {
    "subject": "#0b3d91",
    "child": "#4a90d9",
    "unborn": "#9b59b6",
    "adult": "#7f8c8d",
    "risk_adult": "#c0392b",
    "hidden_adult": "#e67e22",
    "Event": "#f1c40f",
    "Referral": "#16a085",
    "Assessment": "#27ae60",
    "AssessmentFactor": "#2ecc71",
    "Episode": "#5dade2",
    "Plan": "#8e44ad",
    "ChildView": "#e84393",
    "Flag": "#34495e",
    "restricted": "#bdc3c7",
}
LEGEND: dict[str, str] = {
    "the child": COLOURS["subject"],
    "other child": COLOURS["child"],
    "unborn child": COLOURS["unborn"],
    "adult": COLOURS["adult"],
    "adult with risk history": COLOURS["risk_adult"],
    "hidden adult": COLOURS["hidden_adult"],
    "incident / event": COLOURS["Event"],
    "referral": COLOURS["Referral"],
    "assessment": COLOURS["Assessment"],
    "episode": COLOURS["Episode"],
    "plan": COLOURS["Plan"],
    "child's views": COLOURS["ChildView"],
    "flag": COLOURS["Flag"],
    "restricted detail": COLOURS["restricted"],
}
MAX_FACT_NODES = 60


def person_caption(person: Mapping[str, Any]) -> str:
    name = person.get("display_name") or " ".join(
        str(x) for x in (person.get("given_name"), person.get("family_name")) if x
    )
    age = person.get("age")
    if person.get("kind") == "unborn":
        return f"{name or 'unborn child'} (unborn)"
    return f"{name or 'unnamed'}" + (f" ({age})" if age is not None else "")


def person_style(person: Mapping[str, Any], subject_id: str, hidden_ids: set[str]) -> tuple[str, int, str]:
    """(colour, size, tag) for a person node."""
    pid = person.get("person_id")
    if pid == subject_id:
        return COLOURS["subject"], 32, ""
    kind = person.get("kind")
    if kind == "unborn":
        return COLOURS["unborn"], 20, ""
    if kind == "child":
        return COLOURS["child"], 20, ""
    risk = bool(person.get("risk_history"))
    hidden = pid in hidden_ids
    tags = [t for t, on in (("RISK", risk), ("HIDDEN", hidden)) if on]
    colour = COLOURS["risk_adult"] if risk else COLOURS["hidden_adult"] if hidden else COLOURS["adult"]
    return colour, 24 if tags else 20, " ".join(f"[{t}]" for t in tags)


def fact_kind(fact: Mapping[str, Any]) -> str:
    if fact.get("restricted"):
        return "restricted"
    for label in fact.get("labels") or ():
        if label in COLOURS:
            return str(label)
    return "Event"


def graph_elements(
    child: Mapping[str, Any],
    people: Sequence[Mapping[str, Any]],
    links: Iterable[Mapping[str, Any]],
    facts: Sequence[Mapping[str, Any]],
    involvement: Mapping[str, list[dict[str, Any]]],
    hidden_ids: set[str],
    max_facts: int = MAX_FACT_NODES,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes and relationships (plain dicts) for the picture; the newest ``max_facts`` facts are drawn.

    ``involvement`` maps fact_key to the people involved (person_id, role): it is kept apart from the facts
    because a fact a role may only see in summary still shows who it concerns.
    """
    subject_id = str(child["person_id"])
    nodes: list[dict[str, Any]] = []
    rels: list[dict[str, Any]] = []
    shown: set[str] = set()
    for person in [child, *people]:
        pid = str(person["person_id"])
        if pid in shown:
            continue
        colour, size, tag = person_style(person, subject_id, hidden_ids)
        caption = person_caption(person) + (f" {tag}" if tag else "")
        nodes.append({"id": pid, "caption": caption, "color": colour, "size": size,
                      "properties": {"type": "person", "kind": person.get("kind"), "tag": tag,
                                     "relationship": person.get("relationship")}})  # fmt: skip
        shown.add(pid)
    seen_links: set[tuple[str, str, str]] = set()
    for link in links:
        key = (str(link["source"]), str(link["target"]), str(link["type"]))
        if key in seen_links or key[0] not in shown or key[1] not in shown:
            continue
        seen_links.add(key)
        rels.append({"id": f"l{len(rels)}", "source": key[0], "target": key[1], "caption": key[2]})
    dated = sorted(facts, key=lambda f: f.get("occurred_on") or "", reverse=True)[:max_facts]
    for fact in dated:
        fid = str(fact["fact_key"])
        kind = fact_kind(fact)
        when = fact.get("occurred_on") or "undated"
        caption = f"{str(fact.get('fact_type', 'fact')).replace('_', ' ')} {when}"
        nodes.append({"id": fid, "caption": caption, "color": COLOURS[kind], "size": 10,
                      "properties": {"type": "fact", "agency": fact.get("agency"),
                                     "marker": fact.get("marker") or fact.get("basis")}})  # fmt: skip
        for who in involvement.get(fid, []):
            pid = str(who["person_id"])
            if pid in shown:
                rels.append({"id": f"l{len(rels)}", "source": pid, "target": fid,
                             "caption": str(who.get("role") or "")})  # fmt: skip
    return nodes, rels


def visualization(nodes: list[dict[str, Any]], rels: list[dict[str, Any]]) -> VisualizationGraph:
    vg = VisualizationGraph(
        nodes=[Node(**n) for n in nodes],
        relationships=[Relationship(**r) for r in rels],
    )
    present = {n["color"] for n in nodes}
    legend: dict[Any, Any] = {label: colour for label, colour in LEGEND.items() if colour in present}
    vg.set_legend(nodes=legend)
    return vg
