"""Third sector (third_sector/*.csv): safeguarding concerns shared by voluntary organisations, each with the
legal basis it was shared on (kept on the fact: ``legal_basis``, its meaning, who consented), and the people
each concern is about or involves (often only a name and an approximate age) with their part in it.
"""

from __future__ import annotations

from typing import ClassVar

from graph.model import (
    FactRow,
    GraphRows,
    InvolvementRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
)
from ingest.adapters.base import ContractCsvAdapter
from ingest.adapters.health import CheckedReferences, column_ref
from ingest.contract import codes
from ingest.contract import third_sector as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "concern-form"


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


class Concerns(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.CONCERNS
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        fact = FactRow(
            _prov(self, row, ctx), "third_sector_concern", d, occurred_on=self.date(d["concern_date"]),
            summary=d["summary"],
            detail={"organisation": d["organisation"], "organisation_type": d["organisation_type"],
                    "concern_category": d["concern_category"], "legal_basis": d["legal_basis"],
                    "legal_basis_meaning": codes.LEGAL_BASIS.get(d["legal_basis"]),
                    "consent_given_by": d.get("consent_given_by"), "shared_on": self.date(d["shared_date"])},
        )  # fmt: skip
        return GraphRows(facts=[fact])


class ConcernPersons(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.CONCERN_PERSONS
    refs = (column_ref("concern_id", "third_sector.concerns", "concerns.csv"),)
    source_system = SOURCE_SYSTEM
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        record = SourceRecordRow(
            prov, d, given_name=d["forenames"], family_name=d.get("surname"), date_of_birth=self.date(d.get("dob")),
            postcode=d.get("postcode"), address_line=d.get("address"),
            extra={"approx_age": int(d["approx_age"]) if d.get("approx_age") else None, "concern_id": d["concern_id"],
                   **{k: v for k, v in d.items() if k.startswith("doubtful_")}},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        out.involvements.append(
            InvolvementRow(record.key, contract.CONCERNS.record_key(d["concern_id"]), d["role"], prov)
        )
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


for _adapter in (Concerns(), ConcernPersons()):
    register(_adapter)
