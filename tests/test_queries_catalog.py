"""Every query file: named verb_noun, a header saying what it serves, and a plan without warnings."""

from __future__ import annotations

import re
from pathlib import Path

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


@pytest.mark.parametrize("name", catalog.names())
def test_query_plans_without_warnings(name: str, driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    text = catalog.load(name)
    params = {p: None for p in re.findall(r"\$([A-Za-z_]\w*)", text)}
    with driver.session(database=neo4j_settings.database) as session:
        summary = session.run("EXPLAIN " + text, params).consume()
    warnings = [n for n in summary.gql_status_objects if planner_problem(n)]
    assert not warnings, [(w.gql_status, w.status_description) for w in warnings]


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
