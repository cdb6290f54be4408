"""Housing (housing/*.csv): tenancies, the people living in them, and what happened on them.

- tenancies -> a ``tenancy`` episode AT the property's Address (UPRN when given);
- occupants -> a person record per person per tenancy, involved in the tenancy as ``tenant`` (lead or joint
  tenant), ``household_member`` or ``occupant`` (lodger), a member of the tenancy's Household
  (``housing|tenancy|<tenancy_id>``) and LIVED_AT the property for their dates (the property is looked up in
  tenancies.csv while reading);
- tenancy events -> a ``tenancy_event`` PART_OF its tenancy, with the occupant concerned as subject.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from graph.model import (
    FactPartRow,
    FactPlaceRow,
    FactRow,
    GraphRows,
    HouseholdMemberRow,
    InvolvementRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
    record_key,
)
from ingest.adapters.base import ContractCsvAdapter
from ingest.adapters.health import CheckedReferences, column_ref
from ingest.contract import codes
from ingest.contract import housing as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow, read_csv_rows
from ingest.registry import register

SOURCE_SYSTEM = "housing-management"

OCCUPANT_ROLES = {
    "lead_tenant": "tenant",
    "joint_tenant": "tenant",
    "household_member": "household_member",
    "lodger": "occupant",
}


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


def tenancy_key(tenancy_id: str) -> str:
    return contract.TENANCIES.record_key(tenancy_id)


def household_key(tenancy_id: str) -> str:
    return record_key("housing", "tenancy", tenancy_id)


def property_address(d: dict[str, Any]) -> dict[str, Any] | None:
    return normalise_address(d.get("address"), d.get("postcode"), d.get("uprn"))


def _properties(path: Path) -> dict[str, dict[str, Any]]:
    """tenancy_id -> the property's Address (from the extract's tenancies.csv; empty when it is not there)."""
    if not path.exists():
        return {}
    try:
        out = {}
        for r in read_csv_rows(path, required=["tenancy_id", "uprn", "address", "postcode"]):
            place = property_address(r.data) if "__error__" not in r.data else None
            if place and r.data.get("tenancy_id"):
                out[r.data["tenancy_id"]] = place
        return out
    except Exception:  # a broken tenancies.csv is reported when it is loaded itself
        return {}


class Tenancies(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.TENANCIES
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        tenure = codes.TENURE.get(d["tenure_type"], d["tenure_type"])
        fact = FactRow(
            prov, "tenancy", d, occurred_on=self.date(d["start_date"]), ended_on=self.date(d.get("end_date")),
            summary=tenure + (f", ended: {d['end_reason']}" if d.get("end_reason") else ""),
            detail={"tenure_type": d["tenure_type"], "end_reason": d.get("end_reason"),
                    "arrears": d.get("arrears") == "Y" if d.get("arrears") else None, "uprn": d.get("uprn"),
                    **{k: v for k, v in d.items() if k.startswith("doubtful_")}},
        )  # fmt: skip
        out = GraphRows(facts=[fact])
        place = property_address(d)
        if place:
            out.fact_places.append(FactPlaceRow(fact.key, place))
        return out


class Occupants(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.OCCUPANTS
    refs = (column_ref("tenancy_id", "housing.tenancies", "tenancies.csv"),)
    source_system = SOURCE_SYSTEM
    load_order = 20

    def read(self, path: Path) -> Iterator[RawRow]:
        places = _properties(path.parent / "tenancies.csv")
        for raw in super().read(path):
            place = places.get(raw.data.get("tenancy_id") or "")
            if place is not None:
                raw.data["__property__"] = place
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        raw = {k: v for k, v in d.items() if not k.startswith("__")}
        place = d.get("__property__")
        record = SourceRecordRow(
            prov, raw, given_name=d["forenames"], family_name=d["surname"], date_of_birth=self.date(d.get("dob")),
            sex=d.get("sex"), nhs_number=d.get("nhs_number"),
            postcode=place.get("postcode") if place else None, address_line=place.get("line") if place else None,
            extra={"tenancy_id": d["tenancy_id"], "occupant_role": d["occupant_role"],
                   **{k: v for k, v in d.items() if k.startswith("doubtful_")}},
        )  # fmt: skip
        start, end = self.date(d.get("from_date")), self.date(d.get("to_date"))
        out = GraphRows(source_records=[record])
        out.involvements.append(
            InvolvementRow(record.key, tenancy_key(d["tenancy_id"]), OCCUPANT_ROLES[d["occupant_role"]], prov)
        )
        out.household_members.append(
            HouseholdMemberRow(
                record.key, household_key(d["tenancy_id"]), prov, d["occupant_role"], start, end
            )
        )
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov, start, end))
        return out


class TenancyEvents(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.TENANCY_EVENTS
    refs = (
        column_ref("tenancy_id", "housing.tenancies", "tenancies.csv"),
        column_ref("occupant_id", "housing.occupants", "occupants.csv"),
    )
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        what = codes.TENANCY_EVENT.get(d["event_type"], d["event_type"])
        fact = FactRow(
            prov, "tenancy_event", d, occurred_on=self.date(d["event_date"]), summary=d.get("summary") or what,
            detail={"event_type": d["event_type"], "event": what, "tenancy_id": d["tenancy_id"]},
        )  # fmt: skip
        out = GraphRows(facts=[fact], fact_parts=[FactPartRow(fact.key, tenancy_key(d["tenancy_id"]))])
        if d.get("occupant_id"):
            out.involvements.append(
                InvolvementRow(contract.OCCUPANTS.record_key(d["occupant_id"]), fact.key, "subject", prov)
            )
        return out


for _adapter in (Tenancies(), Occupants(), TenancyEvents()):
    register(_adapter)
