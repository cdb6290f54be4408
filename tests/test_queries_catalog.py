"""Every query file: named verb_noun, a header saying what it serves, and a plan without warnings."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pytest

from graph.config import Settings
from queries import catalog
from tests.test_writer import planner_problem

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"


def test_the_catalog_lists_every_file_and_refuses_unknown_names() -> None:
    assert catalog.names() == sorted(p.stem for p in QUERIES_DIR.glob("*.cypher"))
    with pytest.raises(KeyError):
        catalog.load("find_nothing_at_all")


@pytest.mark.parametrize("name", catalog.names())
def test_query_file_is_named_and_documented(name: str) -> None:
    assert re.fullmatch(r"(find|merge|set|mark|rewind)_[a-z]+(_[a-z]+)*", name), name
    head = catalog.header(name)
    for part in ("Purpose:", "Serves:", "Parameters:", "Returns:"):
        assert part in head, (name, part)
    assert head.startswith("Purpose:")
    body = "\n".join(line for line in catalog.load(name).splitlines() if not line.startswith("//"))
    for param in set(re.findall(r"\$([A-Za-z_]\w*)", body)):
        assert f"${param}" in head, (name, param)  # every parameter is documented


def _explain(name: str, driver: neo4j.Driver, settings: Settings) -> neo4j.ResultSummary:
    text = catalog.load(name)
    params = {p: None for p in re.findall(r"\$([A-Za-z_]\w*)", text)}
    with driver.session(database=settings.database) as session:
        return session.run("EXPLAIN " + text, params).consume()


@pytest.mark.parametrize("name", catalog.names())
def test_query_plans_without_warnings(name: str, driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    summary = _explain(name, driver, neo4j_settings)
    warnings = [n for n in summary.gql_status_objects if planner_problem(n)]
    assert not warnings, [(w.gql_status, w.status_description) for w in warnings]


def _operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    found = [(str(plan["operatorType"]).split("@")[0], str(plan.get("args", {}).get("Details", "")))]
    return found + [op for child in plan.get("children", []) for op in _operators(child)]


@pytest.mark.parametrize("name", [n for n in catalog.names() if n.startswith("find_")])
def test_no_read_query_scans_every_fact(name: str, driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    """Two million facts at 200,000 children: a question starts from an index (a type, a date, a key), never from
    every fact (find_fact_coverage once did: 4 s a call; migration 0008)."""
    summary = _explain(name, driver, neo4j_settings)
    assert summary.plan is not None
    scans = [op for op in _operators(summary.plan) if op[0] == "NodeByLabelScan" and op[1].endswith(":Fact")]
    assert scans == [], scans


def test_every_query_the_python_layer_names_exists() -> None:
    used: set[str] = set()
    for path in QUERIES_DIR.glob("*.py"):
        used.update(re.findall(r'"((?:find|merge|set|mark)_[a-z_]+)"', path.read_text()))
    assert used, "no query names found in the Python layer"
    assert sorted(used - set(catalog.names())) == []


def test_docs_name_every_query_and_every_pattern() -> None:
    from queries.patterns import PATTERNS

    doc = (QUERIES_DIR.parent / "docs" / "queries.md").read_text()
    missing = [n for n in catalog.names() if f"`{n}`" not in doc]
    missing += [p for p in PATTERNS if f"`{p}`" not in doc]
    assert missing == []


def test_native_turns_neo4j_dates_into_python_ones_at_any_depth_and_leaves_the_rest() -> None:
    import neo4j.time

    value = {
        "on": neo4j.time.Date(2025, 7, 1),
        "at": neo4j.time.DateTime(2025, 7, 1, 9, 30, 0, tzinfo=UTC),
        "links": [{"from": neo4j.time.Date(2020, 1, 2), "to": None, "n": 3, "ok": True, "w": 0.5}],
        "names": ["a", "b"],
        "duration": neo4j.time.Duration(days=2),
    }
    got = catalog.native(value)
    assert got == {
        "on": date(2025, 7, 1),
        "at": datetime(2025, 7, 1, 9, 30, tzinfo=UTC),
        "links": [{"from": date(2020, 1, 2), "to": None, "n": 3, "ok": True, "w": 0.5}],
        "names": ["a", "b"],
        "duration": neo4j.time.Duration(days=2),  # not a date: left as the driver gave it
    }
    assert type(got["on"]) is date and type(got["links"][0]["from"]) is date
