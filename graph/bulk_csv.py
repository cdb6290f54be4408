"""Rows as ``neo4j-admin database import`` CSV: typed headers, values the importer reads back as the same
Neo4j values the Cypher writes would store. Pure functions; ``graph.bulk`` owns the files and the server.

What the importer cannot carry exactly is named by ``csv_type`` (and ``row_types``) returning None (an empty list: an empty
field is "no property" to the importer, while Cypher stores ``[]``; a string list holding the array
delimiter; NaN or infinity; a date-time in a named zone): the bulk writer leaves such a row to Cypher.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timezone
from typing import IO, Any

ARRAY_DELIMITER = (
    "\x1f"  # the ASCII unit separator: no agency text holds it (a value that does goes by Cypher)
)
ARRAY_DELIMITER_OPTION = "U+001F"  # how neo4j-admin is told it

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def _scalar_type(value: Any) -> str | None:
    kind = type(value)
    if kind is str:  # the usual case first
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int:
        return "long" if LONG_MIN <= value <= LONG_MAX else None
    if kind is float:
        return "double" if math.isfinite(value) else None
    if kind is date:
        return "date"
    if isinstance(value, datetime):  # pandas' Timestamp is one (the run's time)
        if value.tzinfo is None:
            return "localdatetime"
        # a fixed offset is what both paths store; a named zone the driver would keep as a zone
        return "datetime" if isinstance(value.tzinfo, timezone) else None
    # a subclass of str, int or float (an enum, numpy's float64) prints otherwise than the driver sends it
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


def row_types(props: Mapping[str, Any]) -> dict[str, str] | None:
    """Each non-null property's importer type, or None when one cannot go into a CSV field exactly."""
    out: dict[str, str] = {}
    for key, value in props.items():
        if value is not None:
            name = csv_type(value)
            if name is None:
                return None
            out[key] = name
    return out


class _Missing:
    """An empty, unquoted field (no property): the csv module quotes every non-number with QUOTE_NONNUMERIC,
    None and "" alike, and writes a number as its ``str``, so a "number" whose text is empty is how to get one."""

    __slots__ = ()

    def __float__(self) -> float:
        return 0.0

    def __str__(self) -> str:
        return ""


MISSING = _Missing()


def _list_text(value: Sequence[Any]) -> str:
    if type(value[0]) is str:
        return ARRAY_DELIMITER.join(value)
    return ARRAY_DELIMITER.join(_scalar_text(v) for v in value)


def _scalar_text(value: Any) -> str:
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return repr(value)  # the shortest text that reads back as the same double
    if isinstance(value, date):
        return value.isoformat()  # dates and date-times (with the offset when there is one)
    return str(value)


def _cached_text() -> Callable[[Any], str]:
    """``_scalar_text`` remembering its results: a run stamps every node and link with the same few date-times
    (pandas' ``isoformat`` was a tenth of the staging's time)."""
    seen: dict[Any, str] = {}

    def text(value: Any) -> str:
        key = (value, value.tzinfo)  # equal instants in two zones are two texts
        out = seen.get(key)
        if out is None:
            out = seen[key] = _scalar_text(value)
            if len(seen) > 4096:  # other date-times than the run's: keep the memory bounded
                seen.clear()
        return out

    return text


def _converter(kind: str) -> Callable[[Any], Any] | None:
    """How a value of an importer type becomes what the csv module writes; None: as it is (a string is quoted,
    a long and a double written as numbers, a date as its ISO text)."""
    if kind.endswith("[]"):
        return _list_text
    if kind in ("datetime", "localdatetime"):
        return _cached_text()
    if kind == "boolean":
        return _scalar_text
    return None


Header = tuple[tuple[str, str], ...]  # (column, importer type) in order


def group_by_header(types: Sequence[Mapping[str, str]]) -> list[tuple[Header, list[int]]]:
    """Rows (by their ``row_types``) in groups whose properties agree on each type, each group with its typed
    header (the union of its rows' columns: a row without one leaves its field empty). One group when all
    agree, the usual case; a column has one type, so rows that disagree go to another group."""
    groups: list[tuple[dict[str, str], list[int]]] = []
    for i, row in enumerate(types):
        for merged, members in groups:
            if all(merged.get(key, name) == name for key, name in row.items()):
                merged.update(row)
                members.append(i)
                break
        else:
            groups.append((dict(row), [i]))
    return [(tuple(sorted(merged.items())), members) for merged, members in groups]


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


class LineWriter:
    """Writes rows of one header to a CSV file with the C csv writer (one Python call per row, not per field)."""

    def __init__(self, handle: IO[str], header: Header) -> None:
        self._writer = csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        self.columns = [name for name, _kind in header]
        self._convert = [(i, f) for i, (_n, kind) in enumerate(header) if (f := _converter(kind)) is not None]

    def write(self, leading: Sequence[str], row: Mapping[str, Any]) -> None:
        """One line: the id (or the two ends), then each column's value (absent: no property)."""
        values = [row.get(name, MISSING) for name in self.columns]
        for i, convert in self._convert:
            if values[i] is not MISSING:
                values[i] = convert(values[i])
        self._writer.writerow([*leading, *values])
