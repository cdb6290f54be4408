"""docs/graph-model.md stays true to the code: every vocabulary word and key the code has, the doc names."""

from __future__ import annotations

import re
from pathlib import Path

from graph import schema
from graph.model import FACT_LABELS, PROVENANCE_FIELDS, RELATIONSHIP_TYPES, ROLES

DOC = (Path(__file__).resolve().parents[1] / "docs" / "graph-model.md").read_text()


def test_doc_names_every_fact_type_role_relationship_type_and_provenance_field() -> None:
    words = set(re.findall(r"[a-z_0-9]+", DOC))
    for vocabulary in (FACT_LABELS, ROLES, RELATIONSHIP_TYPES, PROVENANCE_FIELDS):
        missing = [w for w in vocabulary if w not in words]
        assert not missing, missing


def test_doc_names_every_type_label_and_its_fact_types_in_the_same_row() -> None:
    for fact_type, labels in FACT_LABELS.items():
        for label in labels:
            row = next((line for line in DOC.splitlines() if line.startswith(f"| `{label}` |")), None)
            assert row is not None, label
            assert fact_type in row, (fact_type, label)


def test_doc_lists_every_constrained_key() -> None:
    for migration in schema.migrations():
        for statement in migration.statements():
            match = re.search(r"FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE", statement)
            if match:
                label, key = match.groups()
                assert f"| `{label}` | `{key}`" in DOC, (label, key)
