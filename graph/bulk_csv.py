"""Rows as ``neo4j-admin database import`` CSV: typed headers, values the importer reads back as the same
Neo4j values the Cypher writes would store. Pure functions; ``graph.bulk`` owns the files and the server.

What the importer cannot carry exactly is named by ``csv_type`` returning None (an empty list: an empty
field is "no property" to the importer, while Cypher stores ``[]``; a string list holding the array
delimiter; NaN or infinity; a date-time in a named zone): the bulk writer leaves such a row to Cypher.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import Any

ARRAY_DELIMITER = (
    "\x1f"  # the ASCII unit separator: no agency text holds it (a value that does goes by Cypher)
)
ARRAY_DELIMITER_OPTION = "U+001F"  # how neo4j-admin is told it

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def _scalar_type(value: Any) -> str | None:
    if isinstance(value, bool):  # before int: a bool is an int to Python
        return "boolean"
    if isinstance(value, int):
        return "long" if LONG_MIN <= value <= LONG_MAX else None
    if isinstance(value, float):
        return "double" if math.isfinite(value) else None
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):  # before date: a datetime is a date to Python
        if value.tzinfo is None:
            return "localdatetime"
        # a fixed offset is what both paths store; a named zone the driver would keep as a zone
        return "datetime" if isinstance(value.tzinfo, timezone) else None
    if isinstance(value, date):
        return "date"
    return None


def csv_type(value: Any) -> str | None:
    """The importer's type for a property value, or None when a CSV field cannot carry it exactly."""
    if isinstance(value, list | tuple):
        if not value:
            return None
        types = {_scalar_type(v) for v in value}
        if len(types) != 1 or None in types:
            return None
        (name,) = types
        assert name is not None
        if name == "string" and any(ARRAY_DELIMITER in v for v in value):
            return None
        return f"{name}[]"
    return _scalar_type(value)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'  # always quoted: "" is an empty string, not a missing one
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same double
    if isinstance(value, date):  # dates and date-times (ISO 8601, with the offset when there is one)
        return value.isoformat()
    return str(value)


def csv_field(value: Any) -> str:
    """One CSV field for a value ``csv_type`` accepts; None is an empty field (no property)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        items = [str(v) if isinstance(v, str) else _text(v) for v in value]
        return '"' + ARRAY_DELIMITER.join(items).replace('"', '""') + '"'
    return _text(value)


def representable(props: Mapping[str, Any]) -> bool:
    """Whether every non-null value of ``props`` goes into a CSV field exactly."""
    return all(value is None or csv_type(value) is not None for value in props.values())


Header = tuple[tuple[str, str], ...]  # (column, importer type) in order


def header_of(rows: Iterable[Mapping[str, Any]]) -> Header:
    """The typed columns of rows that agree on each property's type (``split_by_types`` makes them so)."""
    types: dict[str, str] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                name = csv_type(value)
                assert name is not None, f"{key}: not representable"
                types.setdefault(key, name)
    return tuple(sorted(types.items()))


def split_by_types(rows: Sequence[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Rows in groups whose every property has one importer type (a column has one type): in one group when
    they already agree, which is the usual case."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        for key, value in row.items():
            if value is not None:
                seen.setdefault(key, set()).add(csv_type(value) or "")
    mixed = sorted(key for key, names in seen.items() if len(names) > 1)
    if not mixed:
        return [list(rows)] if rows else []
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        sig = tuple(csv_type(row[k]) or "" if row.get(k) is not None else "-" for k in mixed)
        groups.setdefault(sig, []).append(row)
    return list(groups.values())


def header_line(
    id_column: tuple[str, str] | None, header: Header, ends: tuple[str, str] | None = None
) -> str:
    """The importer's header: the id column ``(property, id space)`` of a node file, or the ``(start id
    space, end id space)`` of a relationship file, then ``name:type`` for each property."""
    cols: list[str] = []
    if id_column is not None:
        cols.append(f"{id_column[0]}:ID({id_column[1]})")
    if ends is not None:
        cols += [f":START_ID({ends[0]})", f":END_ID({ends[1]})"]
    cols += [f"{name}:{kind}" for name, kind in header]
    return ",".join(_quote_name(c) for c in cols) + "\n"


def _quote_name(column: str) -> str:
    return '"' + column.replace('"', '""') + '"' if any(c in column for c in ',"\n') else column


def data_line(leading: Sequence[str], header: Header, row: Mapping[str, Any]) -> str:
    """One data line: the id (or the two ends), already text, then each header column's field."""
    fields = [_text(v) for v in leading] + [csv_field(row.get(name)) for name, _ in header]
    return ",".join(fields) + "\n"
