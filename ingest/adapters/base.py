"""The shared read/validate step of every CSV adapter, driven by the data contract's ``FileSpec``.

An adapter for a contract CSV subclasses ``ContractCsvAdapter``, points it at its ``FileSpec`` and writes
only ``transform`` (pure: a validated row in, ``GraphRows`` out).

Validation follows the contract. A failure in a *doubtful* column (an optional identifier such as an NHS
number failing its check digit) does not reject the row: the row loads with that value moved to
``doubtful_<column>`` and the reason in ``doubtful_reasons``, so nothing is dropped and nothing wrong is
used for matching. Any other failure quarantines the row with its field and reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from graph.model import GraphRows
from ingest.contract.spec import FileSpec, read_csv_text
from ingest.framework import BadFileError, Context, RawRow, Rejection, read_text

# identifier and contact columns whose bad value is flagged, not a reason to lose the row
DOUBTFUL_KINDS = frozenset(
    {"nhs", "upn", "upn_or_unknown", "pnc", "postcode", "postcode_nospace", "uprn", "urn"}
)


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value


class ContractCsvAdapter:
    """Reads and validates one contract CSV; subclasses set ``spec`` and implement ``transform``."""

    spec: ClassVar[FileSpec]
    source_system: ClassVar[str] = "jigsaw-contract"
    load_order: ClassVar[int] = 50

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def agency(self) -> str:
        return self.spec.agency

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        names = set(self.spec.column_names)
        by_name = any(path.as_posix().endswith(p) for p in self.spec.paths)
        return by_name or (bool(header) and set(header) == names)

    def read(self, path: Path) -> Iterator[RawRow]:
        text = read_text(path)  # empty / not UTF-8: one clear error for the file
        first = text.splitlines()[0]
        if "," not in first and any(sep in first for sep in (";", "\t", "|")):
            raise BadFileError(path, "the delimiter is not a comma (';', tab or '|'?)")
        frame, lines, read_failures = read_csv_text(path, self.spec.column_names, str(path))
        header_problem = next((f for f in read_failures if f.row == 1), None)
        if header_problem is not None:
            raise BadFileError(path, f"not the {self.spec.kind} format: {header_problem.reason}")
        for failure in read_failures:
            if failure.row is not None:
                yield RawRow(failure.row, {"__errors__": [(failure.field, None, failure.reason)]})
        result = self.spec.validate_frame(frame, str(path), lines)
        whole_file = [f for f in result.failures if f.row is None]
        if whole_file:
            raise BadFileError(path, "; ".join(f"{f.field}: {f.reason}" for f in whole_file))
        by_line: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for failure in result.failures:
            assert failure.row is not None
            by_line[failure.row].append((failure.field, failure.reason))
        doubtful_cols = {c.name for c in self.spec.columns if c.kind in DOUBTFUL_KINDS and not c.required}
        records = frame.to_dict("records")
        for pos, line in enumerate(lines):
            data = {str(k): _cell(v) for k, v in records[pos].items()}
            fails = by_line.get(line, [])
            if fails and all(fld in doubtful_cols for fld, _ in fails):
                for fld, _reason in fails:
                    data[f"doubtful_{fld}"] = data.pop(fld)
                    data[fld] = None
                data["doubtful_reasons"] = [f"{fld}: {reason}" for fld, reason in fails]
                fails = []
            if fails:
                data["__errors__"] = [(fld, data.get(fld), reason) for fld, reason in fails]
            yield RawRow(line, data)

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        # the contract validated while reading; failed rows arrive with __errors__ and never get here
        return rows, []

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        raise NotImplementedError

    # -- helpers for transforms ------------------------------------------------------------------------
    def date(self, value: Any) -> date | None:
        """A contract date column's value (already validated) as a date."""
        if value is None:
            return None
        return datetime.strptime(str(value), self.spec.date_format).date()

    def source_id(self, row: RawRow) -> str:
        return self.spec.source_record_id(row.data)

    def key(self, row: RawRow) -> str:
        return self.spec.record_key(self.source_id(row))
