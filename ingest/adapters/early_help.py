"""Early help (early_help/*.csv): the people known to early help, with their family as a Household, and the
early help episodes of a child: who asked, whether the family agreed to take the service (consent to the
*service*, not to sharing), and why it closed. A closure for lack of consent or disengagement while risk was
noted is flagged on the episode (guidance case studies 3 and 4: escalate, do not close).
"""

from __future__ import annotations

from typing import Any, ClassVar

from graph.model import (
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
from ingest.contract import early_help as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register

SOURCE_SYSTEM = "early-help"
NO_SERVICE_CLOSURES = ("no_consent", "disengaged")


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


def family_key(family_id: str) -> str:
    return record_key("early_help", "family", family_id)


class EarlyHelpClients(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.CLIENTS
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        extra: dict[str, Any] = {"family_id": d.get("family_id"), "role_in_family": d.get("role_in_family")}
        extra.update({k: v for k, v in d.items() if k.startswith("doubtful_")})
        record = SourceRecordRow(
            prov, d, given_name=d["forenames"], family_name=d["surname"], date_of_birth=self.date(d.get("dob")),
            sex=d.get("sex"), nhs_number=d.get("nhs_number"), upn=d.get("upn"), postcode=d.get("postcode"),
            address_line=d.get("address"), extra=extra,
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        if d.get("family_id"):
            out.household_members.append(
                HouseholdMemberRow(record.key, family_key(d["family_id"]), prov, d.get("role_in_family"))
            )
        return out


class EarlyHelpEpisodes(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.EPISODES
    refs = (column_ref("eh_person_id", "early_help.clients", "clients.csv"),)
    source_system = SOURCE_SYSTEM
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        closure = d.get("closure_reason")
        risk = d.get("risk_noted_at_closure") == "Y"
        reason = codes.EH_REASON.get(d["reason"], d["reason"])
        fact = FactRow(
            prov, "early_help_episode", d, occurred_on=self.date(d.get("start_date") or d["referral_date"]),
            ended_on=self.date(d.get("end_date")), summary=d.get("summary") or f"early help: {reason}",
            detail={
                "referral_date": self.date(d["referral_date"]), "referral_source": d["referral_source"],
                "referral_source_meaning": codes.REFERRAL_SOURCE.get(d["referral_source"]),
                "referrer_reference": d.get("referrer_reference"), "reason": d["reason"],
                "consent_to_service": d["consent_to_service"], "service_started": bool(d.get("start_date")),
                "closure_reason": closure, "risk_noted_at_closure": risk if d.get("risk_noted_at_closure") else None,
                "closed_without_service_while_at_risk": closure in NO_SERVICE_CLOSURES and risk,
                "lead_practitioner_role": d.get("lead_practitioner_role"),
            },
        )  # fmt: skip
        return GraphRows(
            facts=[fact],
            involvements=[
                InvolvementRow(contract.CLIENTS.record_key(d["eh_person_id"]), fact.key, "subject", prov)
            ],
        )


for _adapter in (EarlyHelpClients(), EarlyHelpEpisodes()):
    register(_adapter)
