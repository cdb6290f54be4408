"""Children's social care: the family-context tool's ``csc.csv`` (public sample from a council tool that shows each
family member's involvement with services), read as a CSC person-record layout.

The data contract does not cover this layout, so its spec is here (``FAMILY_CONTEXT_CSC``), validated by the
same contract machinery as every SSD table. One row = one person known to children's social care:
- a person record ``csc|family_context|<Cms Id>`` with name, date of birth, sex (Male/Female; Other -> U), and
  the current address (a quoted multi-line field whose last line is the postcode; the lines before it are the
  address line), as LIVED_AT;
- the involvement (``Service Involvement`` Current/Historic, the local authority, the allocated worker's role,
  the start of the last involvement and the most recent interaction) as properties of the record. The
  worker's name, phone and e-mail stay in ``raw_json`` only.
The tool's ``education.csv`` is read by the education adapters.

Provenance: the layout has no recorder or fact/opinion. ``recorded_on`` is the file's own ``Date Current As
Of``, ``recorded_by_role`` None, ``basis`` ``fact``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from graph.model import GraphRows, ResidenceRow, SourceRecordRow, normalise_address, normalise_postcode
from ingest.adapters.base import ContractCsvAdapter
from ingest.adapters.csc import clean
from ingest.contract.spec import Col, FileSpec, RowRule
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "family-context"
DATETIME = "%Y-%m-%d %H:%M:%S"
GENDER = {"Male": "male", "Female": "female", "Other": "other"}
SEX = {"Male": "M", "Female": "F", "Other": "U"}
INVOLVEMENT = {
    "Current": "involved now",
    "Historic": "involved in the past",
    "Not Specified": "not specified",
}
DATETIME_COLUMNS = ("Date Current As Of", "Coverage Start Date", "Coverage End Date")


def _datetime_ok(column: str) -> RowRule:
    def check(df: pd.DataFrame) -> pd.Series:
        values = df[column]
        parsed = pd.to_datetime(values, format=DATETIME, errors="coerce")
        return values.isna() | (
            parsed.notna() & values.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").fillna(False)
        )

    return RowRule(
        f"{column}_datetime", (column,), f"`{column}` must be a date and time `YYYY-MM-DD HH:MM:SS`", check
    )


FAMILY_CONTEXT_CSC = FileSpec(
    kind="csc.family_context",
    paths=("family-context/csc.csv",),
    format="csv",
    description="The family-context tool's children's social care list: one row per person known to CSC.",
    standard="family-context (SocialFinanceDigitalLabs/family-context-live) csc.csv",
    source_id=("Cms Id",),
    person_bearing=True,
    columns=(
        Col("Cms Id", "id", True, "the person's id in the case management system", unique=True),
        Col("First Name", "text", True, "first name"),
        Col("Last Name", "text", True, "last name"),
        Col("Date Of Birth", "date", False, "date of birth"),
        Col("Gender", "code", False, "gender", codes=GENDER),
        Col("Address", "text", False, "address, one line per part, the postcode last"),
        Col("Service Involvement", "code", False, "current or past involvement", codes=INVOLVEMENT),
        Col("Local Authority Organisation", "text", False, "the local authority"),
        Col("Contact Name", "text", False, "the allocated worker"),
        Col("Contact Role", "text", False, "the worker's role"),
        Col("Contact Phone", "text", False, "the worker's phone"),
        Col("Contact Email", "text", False, "the worker's e-mail"),
        Col("Date Current As Of", "text", True, "when the extract was taken (YYYY-MM-DD HH:MM:SS)"),
        Col("Coverage Start Date", "text", False, "start of the period the extract covers"),
        Col("Coverage End Date", "text", False, "end of the period the extract covers"),
        Col("Coverage Geographic Area", "text", False, "area the extract covers"),
        Col("Date Of Most Recent Interaction", "date", False, "most recent interaction with the person"),
        Col("Start Date Of Last Involvement", "date", False, "start of the last involvement"),
    ),
    row_rules=tuple(_datetime_ok(c) for c in DATETIME_COLUMNS),
)


def _datetime(value: str | None) -> date | None:
    return datetime.strptime(value, DATETIME).date() if value else None


def split_address(text: str | None) -> tuple[str | None, str | None]:
    """A multi-line address -> (the lines before the postcode, joined by ', '; the postcode when the last line is
    one). The education adapter splits the tool's education.csv the same way, so both land on one Address."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return None, None
    if normalise_postcode(lines[-1]):
        return ", ".join(lines[:-1]) or None, lines[-1]
    return ", ".join(lines), None


class FamilyContextCsc(ContractCsvAdapter):
    spec: ClassVar[FileSpec] = FAMILY_CONTEXT_CSC
    source_system = SOURCE_SYSTEM
    load_order = 10

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        return tuple(h.strip() for h in header) == self.spec.column_names

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = ctx.provenance(
            self.agency,
            self.spec.table,
            self.source_id(row),
            _datetime(d["Date Current As Of"]),
            None,
            "fact",
        )
        line, postcode = split_address(d.get("Address"))
        extra: dict[str, Any] = {
            "gender": d.get("Gender"), "service_involvement": d.get("Service Involvement"),
            "local_authority": d.get("Local Authority Organisation"), "worker_role": d.get("Contact Role"),
            "most_recent_interaction": self.date(d.get("Date Of Most Recent Interaction")),
            "last_involvement_started": self.date(d.get("Start Date Of Last Involvement")),
        }  # fmt: skip
        record = SourceRecordRow(
            prov, clean(d), given_name=d["First Name"].strip(), family_name=d["Last Name"].strip(),
            date_of_birth=self.date(d.get("Date Of Birth")), sex=SEX.get(d.get("Gender") or ""), postcode=postcode,
            address_line=line, extra=extra,
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(line, postcode)
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


register(FamilyContextCsc())
