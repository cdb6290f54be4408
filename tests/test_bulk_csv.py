"""The bulk load's CSV (graph/bulk_csv.py), without a database: which values a field carries exactly, the typed
headers, and the lines the importer reads (tests/test_bulk_load.py checks what Neo4j makes of them)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from graph import bulk_csv


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("text", "string"),
        ("", "string"),
        (True, "boolean"),
        (3, "long"),
        (2.5, "double"),
        (date(2020, 1, 2), "date"),
        (datetime(2026, 3, 31, 18, 0, tzinfo=UTC), "datetime"),
        (datetime(2026, 3, 31, 18, 0, tzinfo=timezone(timedelta(hours=1))), "datetime"),
        (pd.Timestamp("2026-03-31T18:00", tz="UTC"), "datetime"),
        (datetime(2026, 3, 31, 18, 0), "localdatetime"),
        (["a", "b"], "string[]"),
        ([1, 2], "long[]"),
        ([date(2020, 1, 2)], "date[]"),
    ],
)
def test_values_a_field_carries_and_their_type(value: object, kind: str) -> None:
    assert bulk_csv.csv_type(value) == kind


@pytest.mark.parametrize(
    "value",
    [
        [],  # an empty field is "no property" to the importer; Cypher stores []
        ["a\x1fb"],  # the array delimiter inside an element
        [1, "a"],  # a list of two types (Neo4j would refuse it anyway)
        float("nan"),
        float("inf"),
        2**63,  # beyond a long
        datetime(2026, 3, 31, 18, 0, tzinfo=ZoneInfo("Europe/London")),  # a named zone
        Colour.RED,  # a str subclass prints otherwise than the driver sends it
        {"a": 1},
    ],
)
def test_values_left_to_cypher(value: object) -> None:
    assert bulk_csv.csv_type(value) is None
    assert bulk_csv.row_types({"ok": "x", "bad": value}) is None


def test_row_types_skip_nulls() -> None:
    assert bulk_csv.row_types({"a": "x", "b": None, "c": 1}) == {"a": "string", "c": "long"}


def test_rows_grouped_so_that_each_column_has_one_type() -> None:
    rows = [{"a": "string"}, {"a": "string", "b": "long"}, {"a": "long"}, {"b": "long"}]
    groups = bulk_csv.group_by_header(rows)
    assert groups == [((("a", "string"), ("b", "long")), [0, 1, 3]), ((("a", "long"),), [2])]


def test_header_lines() -> None:
    header = (("given_name", "string"), ("tags", "string[]"))
    assert bulk_csv.header_line(("record_key", "SourceRecord"), header) == (
        "record_key:ID(SourceRecord),given_name:string,tags:string[]\n"
    )
    assert bulk_csv.header_line(None, (("role", "string"),), ("SourceRecord", "Fact")) == (
        ":START_ID(SourceRecord),:END_ID(Fact),role:string\n"
    )


def test_lines_keep_empty_strings_apart_from_missing_values() -> None:
    header = (("b", "boolean"), ("d", "date"), ("f", "double"), ("n", "long"), ("s", "string"),
              ("t", "datetime"), ("x", "string[]"))  # fmt: skip
    out = io.StringIO()
    writer = bulk_csv.LineWriter(out, header)
    at = pd.Timestamp("2026-03-31T18:00:00.123456", tz="UTC")
    writer.write(("k1",), {"b": False, "d": date(2020, 1, 2), "f": 0.1 + 0.2, "n": 7, "s": 'say "hi",\nbye',
                           "t": at, "x": ["a", "b"]})  # fmt: skip
    writer.write(("k2",), {"s": ""})
    lines = out.getvalue()
    assert lines.splitlines()[0] == '"k1","false","2020-01-02",0.30000000000000004,7,"say ""hi"",'
    fields = list(csv.reader(io.StringIO(lines)))
    assert fields[0][5:] == ['say "hi",\nbye', "2026-03-31T18:00:00.123456+00:00", "a\x1fb"]
    assert (
        lines.splitlines()[-1] == '"k2",,,,,"",,'
    )  # "" an empty string; nothing between commas: no property
