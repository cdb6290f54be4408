"""Probation (probation/*.csv): the people supervised (CRN, PNC id, aliases) and their supervisions: a
``probation_supervision`` episode with the index offence category, risk of serious harm and risk to
children; a supervision under MAPPA also gives a ``mappa`` flag (category and level) on the person, keyed
``probation|supervisions|<id>#mappa``.
"""

from __future__ import annotations

from typing import ClassVar

from graph.model import (
    FactPartRow,
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
from ingest.contract import probation as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "probation-case-management"


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context, source_id: str | None = None) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, source_id or adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


class ProbationPeople(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.PEOPLE
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        aliases = [a.strip() for a in (d.get("aliases") or "").split(";") if a.strip()]
        record = SourceRecordRow(
            prov, d, given_name=d["forenames"], family_name=d["surname"], other_names="; ".join(aliases) or None,
            date_of_birth=self.date(d["dob"]), sex=d.get("sex"), pnc_id=d.get("pnc_id"), postcode=d.get("postcode"),
            address_line=d.get("address"),
            extra={"crn": d["crn"], "has_child_contact": d.get("has_child_contact"),
                   **{k: v for k, v in d.items() if k.startswith("doubtful_")}},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


class ProbationSupervisions(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.SUPERVISIONS
    refs = (column_ref("crn", "probation.people", "people.csv"),)
    source_system = SOURCE_SYSTEM
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        person = contract.PEOPLE.record_key(d["crn"])
        offence = codes.OFFENCE_CATEGORY.get(d["offence_category"], d["offence_category"])
        order = codes.ORDER_TYPE.get(d["order_type"], d["order_type"])
        fact = FactRow(
            prov, "probation_supervision", d, occurred_on=self.date(d["start_date"]),
            ended_on=self.date(d.get("end_date")), summary=f"{order}: {offence}",
            detail={"order_type": d["order_type"], "offence_category": d["offence_category"],
                    "risk_of_serious_harm": d.get("risk_of_serious_harm"),
                    "risk_to_children": d.get("risk_to_children") == "Y" if d.get("risk_to_children") else None,
                    "mappa_category": d.get("mappa_category"), "mappa_level": d.get("mappa_level")},
        )  # fmt: skip
        out = GraphRows(facts=[fact], involvements=[InvolvementRow(person, fact.key, "offender", prov)])
        if d.get("mappa_category"):
            mprov = _prov(self, row, ctx, f"{self.source_id(row)}#mappa")
            flag = FactRow(
                mprov, "mappa", d, occurred_on=self.date(d["start_date"]), ended_on=self.date(d.get("end_date")),
                summary=f"MAPPA category {d['mappa_category']} level {d.get('mappa_level')}: "
                        f"{codes.MAPPA_CATEGORY.get(d['mappa_category'], '')}",
                detail={"mappa_category": d["mappa_category"], "mappa_level": d.get("mappa_level"),
                        "supervision_key": fact.key},
            )  # fmt: skip
            out.facts.append(flag)
            out.fact_parts.append(FactPartRow(flag.key, fact.key))
            out.involvements.append(InvolvementRow(person, flag.key, "subject", mprov))
        return out


for _adapter in (ProbationPeople(), ProbationSupervisions()):
    register(_adapter)
