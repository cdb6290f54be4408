"""Police: the contract's POLE-style extract (police/*.csv). Nominals load first; occurrences, roles,
links and markers refer to them by nominal id (a reference to a nominal the extract lacks is quarantined).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, ClassVar

from graph.model import (
    FactPlaceRow,
    FactRow,
    GraphRows,
    InvolvementRow,
    PersonLinkRow,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
)
from ingest.adapters.base import ContractCsvAdapter
from ingest.contract import police as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "pole-extract"


def relationship_type(code: str) -> str:
    """The contract's link codes (``step-parent``) in the graph's vocabulary (``step_parent``)."""
    return code.replace("-", "_")


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context, table: str | None = None) -> Any:
    d = row.data
    return ctx.provenance(
        adapter.agency, table or adapter.spec.table, adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


def _nominal_key(nominal_id: str) -> str:
    return contract.PERSONS.record_key(nominal_id)


class PolicePersons(ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.PERSONS
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        out = GraphRows()
        extra = {k: v for k, v in d.items() if k.startswith("doubtful_")}
        out.source_records.append(
            SourceRecordRow(
                prov, d, given_name=d["forenames"], family_name=d["surname"], date_of_birth=self.date(d.get("dob")),
                sex=d.get("sex"), pnc_id=d.get("pnc_id"), postcode=d.get("postcode"), address_line=d.get("address"),
                extra=extra,
            )
        )  # fmt: skip
        address = normalise_address(d.get("address"), d.get("postcode"))
        if address:
            out.residences.append(ResidenceRow(self.key(row), address, prov))
        return out


class PoliceOccurrences(ContractCsvAdapter):
    """Occurrences, with their location's address looked up in the extract's locations.csv."""

    spec: ClassVar[FileSpec] = contract.OCCURRENCES
    source_system = SOURCE_SYSTEM
    load_order = 20

    def read(self, path: Path):  # type: ignore[no-untyped-def]
        locations = _locations(path.parent / "locations.csv")
        for raw in super().read(path):
            loc = locations.get(raw.data.get("location_id") or "")
            if loc is not None:
                raw.data["__location__"] = loc
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        out = GraphRows()
        fact = FactRow(
            _prov(self, row, ctx), d["occurrence_type"], {k: v for k, v in d.items() if not k.startswith("__")},
            occurred_on=self.date(d["occurred_date"]), ended_on=self.date(d.get("end_date")), summary=d.get("summary"),
            detail={
                "dash_grade": d.get("dash_grade"), "crime_category": d.get("crime_category"),
                "children_present": d.get("children_present") == "Y", "referred_to_csc": d.get("referred_to_csc") == "Y",
                "referral_date": self.date(d.get("referral_date")), "location_id": d.get("location_id"),
            },
        )  # fmt: skip
        out.facts.append(fact)
        loc = d.get("__location__")
        if loc:
            address = normalise_address(loc.get("address"), loc.get("postcode"), loc.get("uprn"))
            if address:
                out.fact_places.append(FactPlaceRow(fact.key, address))
        return out


def _locations(path: Path) -> dict[str, dict[str, str]]:
    """location_id -> its row, from the same extract (empty when the extract has no locations file)."""
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {r["location_id"]: r for r in csv.DictReader(fh) if r.get("location_id")}


class PoliceLocations(ContractCsvAdapter):
    """Locations become Address nodes when an occurrence refers to them; the file itself adds nothing else."""

    spec: ClassVar[FileSpec] = contract.LOCATIONS
    source_system = SOURCE_SYSTEM
    load_order = 5

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        return GraphRows()


class PoliceOccurrencePersons(ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.OCCURRENCE_PERSONS
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        out = GraphRows()
        out.involvements.append(
            InvolvementRow(_nominal_key(d["nominal_id"]), contract.OCCURRENCES.record_key(d["occurrence_id"]),
                           d["role"], _prov(self, row, ctx))
        )  # fmt: skip
        return out


class PolicePersonLinks(ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.PERSON_LINKS
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        out = GraphRows()
        out.person_links.append(
            PersonLinkRow(_nominal_key(d["nominal_a"]), _nominal_key(d["nominal_b"]), relationship_type(d["link_type"]),
                          _prov(self, row, ctx), self.date(d.get("from_date")), self.date(d.get("to_date")))
        )  # fmt: skip
        return out


class PoliceNominalFlags(ContractCsvAdapter):
    """Offending and warning markers: a Flag fact about the nominal (MAPPA with its level)."""

    spec: ClassVar[FileSpec] = contract.NOMINAL_FLAGS
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        out = GraphRows()
        fact_type = "mappa" if d["flag_type"] == "mappa" else "offending_marker"
        fact = FactRow(
            _prov(self, row, ctx), fact_type, {k: v for k, v in d.items() if not k.startswith("__")},
            occurred_on=self.date(d["from_date"]), ended_on=self.date(d.get("to_date")),
            summary=f"police marker: {d['flag_type']}", detail={"marker": d["flag_type"], "mappa_level": d.get("mappa_level")},
        )  # fmt: skip
        out.facts.append(fact)
        out.involvements.append(
            InvolvementRow(_nominal_key(d["nominal_id"]), fact.key, "subject", fact.provenance)
        )
        return out


for _adapter in (PolicePersons(), PoliceLocations(), PoliceOccurrences(), PoliceOccurrencePersons(),
                 PolicePersonLinks(), PoliceNominalFlags()):  # fmt: skip
    register(_adapter)
