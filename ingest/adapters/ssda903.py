"""Children's social care: the DfE SSDA903 children-looked-after return (csc/ssda903/header.csv, episodes.csv,
missing.csv; dates DD/MM/YYYY).

- ``header.csv``: one person record per child (``la_child_id`` = CHILD; no names in this return).
- ``episodes.csv``: a ``looked_after_episode`` fact per row (CHILD:DECOM), the child its subject, with legal
  status, placement, reasons and the home and placement postcodes as properties (a postcode alone is an area,
  not a dwelling, so no Address node is made from it).
- ``missing.csv``: a ``missing_episode`` fact per row (CHILD:MIS_START), ``missing_type`` M (missing) or A (away
  without authorisation).

Provenance: the DfE layout has no recorded date, recorder or fact/opinion. ``recorded_on`` is the file's own
date (its modification time), ``recorded_by_role`` None, ``basis`` ``fact``.

Doubtful values: the header's UPN is required by the contract, but a UPN present and failing its check letter
does not lose a looked-after child: the row loads with the value in ``doubtful_UPN`` (as the contract base
does for optional identifiers). A repeated episode or missing-episode key (same child and start date) is
quarantined: two rows cannot be one record.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from graph.model import FactRow, GraphRows, InvolvementRow, Provenance, SourceRecordRow
from ingest.adapters.base import ContractCsvAdapter
from ingest.adapters.csc import check_references, clean, doubtful, file_date, remember_loadable
from ingest.contract import codes
from ingest.contract import csc as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "ssda903"
SEX = {"1": "M", "2": "F"}


def child_key(child: str) -> str:
    return contract.SSDA903_HEADER.record_key(child)


class Ssda903Adapter(ContractCsvAdapter):
    source_system = SOURCE_SYSTEM
    doubtful_required: ClassVar[frozenset[str]] = frozenset()  # required columns whose bad value is flagged

    def checked_read(self, path: Path) -> Iterator[RawRow]:
        return check_references(path, self._read(path), dict(self.spec.person_refs))

    def read(self, path: Path) -> Iterator[RawRow]:
        return remember_loadable(self.spec, path, self.checked_read(path))

    def _read(self, path: Path) -> Iterator[RawRow]:
        recorded = file_date(path)
        first_line: dict[str, int] = {}
        for raw in super().read(path):
            d = raw.data
            errors = d.get("__errors__")
            if errors and all(f in self.doubtful_required and v is not None for f, v, _ in errors):
                for fld, value, _ in errors:
                    d[f"doubtful_{fld}"] = value
                    d[fld] = None
                d["doubtful_reasons"] = [f"{fld}: {reason}" for fld, _, reason in errors]
                del d["__errors__"]
            if "__errors__" not in d and all(d.get(c) is not None for c in self.spec.source_id):
                sid = self.spec.source_record_id(d)
                if sid in first_line:
                    d["__errors__"] = [
                        (
                            ",".join(self.spec.source_id),
                            sid,
                            f"repeats the record of line {first_line[sid]} (same source record id)",
                        )
                    ]
                else:
                    first_line[sid] = raw.number
            d["__file_date__"] = recorded
            yield raw

    def prov(self, row: RawRow, ctx: Context) -> Provenance:
        recorded: date | None = row.data.get("__file_date__")
        return ctx.provenance(self.agency, self.spec.table, self.source_id(row), recorded, None, "fact")


class Ssda903Header(Ssda903Adapter):
    spec: ClassVar[FileSpec] = contract.SSDA903_HEADER
    load_order = 10
    doubtful_required = frozenset({"UPN"})

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        upn = d.get("UPN")
        unknown = upn if upn and upn.startswith("UN") else None
        extra: dict[str, Any] = {
            "ethnicity": d["ETHNIC"], "upn_unknown": unknown, "is_mother": {"1": True, "0": False}.get(d.get("MOTHER") or ""),
            "mothers_child_dob": self.date(d.get("MC_DOB")), **doubtful(d),
        }  # fmt: skip
        record = SourceRecordRow(
            self.prov(row, ctx), clean(d), date_of_birth=self.date(d["DOB"]), sex=SEX.get(d["SEX"]),
            upn=None if unknown else upn, la_child_id=d["CHILD"], extra=extra,
        )  # fmt: skip
        return GraphRows(source_records=[record])


class Ssda903Episodes(Ssda903Adapter):
    spec: ClassVar[FileSpec] = contract.SSDA903_EPISODES
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        legal, place = d["LS"], d["PLACE"]
        fact = FactRow(
            self.prov(row, ctx), "looked_after_episode", clean(d), occurred_on=self.date(d["DECOM"]),
            ended_on=self.date(d.get("DEC")),
            summary=f"looked after: {codes.CLA_LEGAL_STATUS.get(legal, legal)}; {codes.CLA_PLACEMENT.get(place, place)}",
            detail={
                "start_reason": d["RNE"], "legal_status": legal, "primary_need": d["CIN"], "placement": place,
                "placement_provider": d.get("PLACE_PROVIDER"), "ceased_reason": d.get("REC"),
                "reason_place_change": d.get("REASON_PLACE_CHANGE"), "home_postcode": d.get("HOME_POST"),
                "placement_postcode": d.get("PL_POST"), "placement_urn": d.get("URN"),
            },
        )  # fmt: skip
        return GraphRows(
            facts=[fact],
            involvements=[InvolvementRow(child_key(d["CHILD"]), fact.key, "subject", fact.provenance)],
        )


class Ssda903Missing(Ssda903Adapter):
    spec: ClassVar[FileSpec] = contract.SSDA903_MISSING
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        kind = d["MISSING"]
        fact = FactRow(
            self.prov(row, ctx), "missing_episode", clean(d), occurred_on=self.date(d["MIS_START"]),
            ended_on=self.date(d.get("MIS_END")), summary=codes.MISSING_TYPE.get(kind, kind),
            detail={"missing_type": kind, "date_of_birth": self.date(d["DOB"])},
        )  # fmt: skip
        return GraphRows(
            facts=[fact],
            involvements=[InvolvementRow(child_key(d["CHILD"]), fact.key, "subject", fact.provenance)],
        )


for _adapter in (Ssda903Header(), Ssda903Episodes(), Ssda903Missing()):
    register(_adapter)
