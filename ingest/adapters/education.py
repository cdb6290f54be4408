"""Education: the LA's pupil extract (education/*.csv, the data contract) and the public family-context
education.csv.

- pupils -> a person record per enrolment (UPN, school URN kept on the record) and where they live;
- pupil_contacts -> a person record per parent/carer/contact, RELATED_TO the pupil, living at the pupil's
  address when the school records that they live with the pupil (looked up in pupils.csv while reading);
- attendance -> an ``absence`` fact per pupil and term (sessions possible / missed, persistent absence);
- exclusions -> a ``school_exclusion`` fact; children missing education -> a person record and a
  ``children_missing_education`` fact (the last enrolment, when known, is involved too).
- family-context ``education.csv`` (public sample, 500 rows): a person record per row with the multi-line
  address; it has no provenance columns, so ``recorded_on`` is the file's own "Date Current As Of",
  ``recorded_by_role`` None and ``basis`` ``fact``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from graph.model import (
    FactRow,
    GraphRows,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
    normalise_postcode,
    record_key,
)
from ingest.adapters.base import ContractCsvAdapter
from ingest.adapters.health import CheckedReferences, column_ref
from ingest.contract import codes
from ingest.contract import education as contract
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow, Rejection, read_csv_rows
from ingest.registry import register

SOURCE_SYSTEM = "la-education"

# the contract's contact relationships -> RELATED_TO type ("the contact is <type> of the pupil")
CONTACT_RELATIONSHIP_TYPES = {
    "parent": "parent",
    "step-parent": "step_parent",
    "carer": "carer",
    "grandparent": "grandparent",
    "other-relative": "other_relative",
    "partner-of-parent": "other",  # the parent's partner: kept as relationship_to_pupil on the record
    "social-worker": "professional",
}

PUPIL_REF = (column_ref("pupil_record_id", "education.pupils", "pupils.csv"),)
PERSISTENT_ABSENCE = 0.10  # DfE: missing 10% or more of possible sessions
SEVERE_ABSENCE = 0.50


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


def _doubtful(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k.startswith("doubtful_")}


def pupil_key(pupil_record_id: str) -> str:
    return contract.PUPILS.record_key(pupil_record_id)


def term_dates(academic_year: str, term: str) -> tuple[date | None, date | None]:
    """Approximate term dates of an academic year "2024/25" (autumn Sep-Dec, spring Jan-Mar, summer Apr-Jul)."""
    match = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", academic_year or "")
    if not match:
        return None, None
    first = int(match.group(1))
    if term == "autumn":
        return date(first, 9, 1), date(first, 12, 31)
    if term == "spring":
        return date(first + 1, 1, 1), date(first + 1, 3, 31)
    if term == "summer":
        return date(first + 1, 4, 1), date(first + 1, 7, 31)
    return None, None


class Pupils(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.PUPILS
    source_system = SOURCE_SYSTEM
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        record = SourceRecordRow(
            prov, d, given_name=d["legal_forename"], family_name=d["legal_surname"],
            other_names=d.get("preferred_forename"), date_of_birth=self.date(d["dob"]), sex=d.get("sex"),
            upn=d.get("upn"), postcode=d.get("postcode"), address_line=d.get("address"),
            extra={"former_upn": d.get("former_upn"), "school_urn": d["school_urn"],
                   "entry_date": self.date(d["entry_date"]), "leaving_date": self.date(d.get("leaving_date")),
                   "year_group": d.get("year_group"), "fsm_eligible": d.get("fsm_eligible"),
                   "sen_provision": d.get("sen_provision"), **_doubtful(d)},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


def _pupil_addresses(path: Path) -> dict[str, tuple[str | None, str | None]]:
    """pupil_record_id -> (address, postcode) from the extract's pupils.csv (empty when it is not there)."""
    if not path.exists():
        return {}
    try:
        rows = read_csv_rows(path, required=["pupil_record_id", "address", "postcode"])
        return {
            r.data["pupil_record_id"]: (r.data.get("address"), r.data.get("postcode"))
            for r in rows
            if "__error__" not in r.data and r.data.get("pupil_record_id")
        }
    except Exception:  # a broken pupils.csv is reported when it is loaded itself
        return {}


class PupilContacts(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.PUPIL_CONTACTS
    refs = PUPIL_REF
    source_system = SOURCE_SYSTEM
    load_order = 20

    def read(self, path: Path) -> Iterator[RawRow]:
        homes = _pupil_addresses(path.parent / "pupils.csv")
        for raw in super().read(path):
            home = homes.get(raw.data.get("pupil_record_id") or "")
            if home is not None:
                raw.data["__pupil_home__"] = home
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        raw = {k: v for k, v in d.items() if not k.startswith("__")}
        address, postcode = d.get("address"), d.get("postcode")
        if not (address or postcode) and d.get("lives_with_pupil") == "Y" and d.get("__pupil_home__"):
            address, postcode = d["__pupil_home__"]
        record = SourceRecordRow(
            prov, raw, given_name=d["forenames"], family_name=d["surname"], postcode=postcode, address_line=address,
            extra={"relationship_to_pupil": d["relationship"], "parental_responsibility": d.get("parental_responsibility"),
                   "lives_with_pupil": d.get("lives_with_pupil"), "contact_priority": d.get("priority"),
                   **_doubtful(d)},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(address, postcode)
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        out.person_links.append(
            PersonLinkRow(record.key, pupil_key(d["pupil_record_id"]),
                          CONTACT_RELATIONSHIP_TYPES.get(d["relationship"], "other"), prov)
        )  # fmt: skip
        return out


class Attendance(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.ATTENDANCE
    refs = PUPIL_REF
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        possible = int(d["sessions_possible"])
        authorised = int(d["sessions_authorised_absence"])
        unauthorised = int(d["sessions_unauthorised_absence"])
        missed = authorised + unauthorised
        rate = missed / possible if possible else 0.0
        start, end = term_dates(d["academic_year"], d["term"])
        prov = _prov(self, row, ctx)
        fact = FactRow(
            prov, "absence", d, occurred_on=start, ended_on=end,
            summary=f"{d['academic_year']} {d['term']}: missed {missed} of {possible} sessions "
                    f"({unauthorised} unauthorised)",
            detail={"school_urn": d["school_urn"], "academic_year": d["academic_year"], "term": d["term"],
                    "sessions_possible": possible, "sessions_authorised_absence": authorised,
                    "sessions_unauthorised_absence": unauthorised, "absence_rate": round(rate, 4),
                    "persistent_absence": rate >= PERSISTENT_ABSENCE, "severe_absence": rate >= SEVERE_ABSENCE},
        )  # fmt: skip
        return GraphRows(
            facts=[fact],
            involvements=[InvolvementRow(pupil_key(d["pupil_record_id"]), fact.key, "subject", prov)],
        )


class Exclusions(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.EXCLUSIONS
    refs = PUPIL_REF
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        reason = codes.EXCLUSION_REASON.get(d["reason"], d["reason"])
        fact = FactRow(
            prov, "school_exclusion", d, occurred_on=self.date(d["start_date"]),
            summary=d.get("summary") or f"{d['exclusion_type']}: {reason}",
            detail={"school_urn": d["school_urn"], "exclusion_type": d["exclusion_type"],
                    "sessions": int(d["sessions"]) if d.get("sessions") else None, "reason_code": d["reason"],
                    "reason": reason},
        )  # fmt: skip
        return GraphRows(
            facts=[fact],
            involvements=[InvolvementRow(pupil_key(d["pupil_record_id"]), fact.key, "subject", prov)],
        )


class ChildrenMissingEducation(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.CHILDREN_MISSING_EDUCATION
    refs = PUPIL_REF
    source_system = SOURCE_SYSTEM
    load_order = 30

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        record = SourceRecordRow(
            prov, d, given_name=d["forenames"], family_name=d["surname"], date_of_birth=self.date(d.get("dob")),
            upn=d.get("upn"), postcode=d.get("postcode"), address_line=d.get("address"),
            extra={"last_pupil_record_id": d.get("pupil_record_id"), **_doubtful(d)},
        )  # fmt: skip
        reason = codes.CME_REASON.get(d["reason"], d["reason"])
        fact = FactRow(
            prov, "children_missing_education", d, occurred_on=self.date(d["reported_date"]),
            ended_on=self.date(d.get("resolved_date")), summary=f"missing education: {reason}",
            detail={"reason_code": d["reason"], "reason": reason, "resolved": bool(d.get("resolved_date"))},
        )  # fmt: skip
        out = GraphRows(source_records=[record], facts=[fact])
        out.involvements.append(InvolvementRow(record.key, fact.key, "subject", prov))
        if d.get("pupil_record_id"):
            out.involvements.append(
                InvolvementRow(pupil_key(d["pupil_record_id"]), fact.key, "subject", prov)
            )
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


# -- the public family-context education.csv ------------------------------------------------------------------

FAMILY_CONTEXT_COLUMNS = (
    "Cms Id", "First Name", "Last Name", "Date Of Birth", "Gender", "Address", "Service Involvement",
    "School Name", "Contact Number", "Admission Type", "Date Current As Of", "Coverage Start Date",
    "Coverage End Date", "Coverage Geographic Area", "Date Of Most Recent Interaction",
    "Start Date Of Last Involvement",
)  # fmt: skip
FAMILY_CONTEXT_SEX = {"male": "M", "female": "F"}
_FC_DATES = ("Date Of Birth", "Date Current As Of", "Coverage Start Date", "Coverage End Date",
             "Date Of Most Recent Interaction", "Start Date Of Last Involvement")  # fmt: skip


def family_context_date(value: str | None) -> date | None:
    """``2022-10-15`` or ``2022-10-15 00:00:00`` -> a date; ValueError for anything else."""
    if value is None:
        return None
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date YYYY-MM-DD: {value!r}")


def split_address(text: str | None) -> tuple[str | None, str | None]:
    """A multi-line address -> (the lines before the postcode joined by ', ', the postcode when the last line is
    one)."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    if not lines:
        return None, None
    if normalise_postcode(lines[-1]):
        return ", ".join(lines[:-1]) or None, lines[-1]
    return ", ".join(lines), None


class FamilyContextEducation:
    """The family-context tool's education.csv (public sample): one row per child known to education."""

    kind = "education.family_context"
    agency = "education"
    source_system = "family-context"
    load_order = 10
    table = "family_context"

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        return tuple(h.strip() for h in header) == FAMILY_CONTEXT_COLUMNS

    def read(self, path: Path) -> Iterator[RawRow]:
        return read_csv_rows(path, required=FAMILY_CONTEXT_COLUMNS)

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        good: list[RawRow] = []
        bad: list[Rejection] = []
        seen: set[str] = set()
        for row in rows:
            d = row.data
            problems: list[tuple[str, Any, str]] = []
            for col in ("Cms Id", "First Name", "Last Name", "Date Current As Of"):
                if not d.get(col):
                    problems.append((col, None, "required value missing"))
            if d.get("Cms Id") and d["Cms Id"] in seen:
                problems.append(("Cms Id", d["Cms Id"], "duplicate id in the file"))
            for col in _FC_DATES:
                try:
                    family_context_date(d.get(col))
                except ValueError as exc:
                    problems.append((col, d.get(col), str(exc)))
            if problems:
                raw = repr({k: v for k, v in d.items() if not k.startswith("__")})
                bad += [
                    Rejection(file, row.number, f, "" if v is None else str(v), why, raw)
                    for f, v, why in problems
                ]
                continue
            seen.add(d["Cms Id"].strip())
            good.append(row)
        return good, bad

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        recorded = family_context_date(d["Date Current As Of"])
        prov = ctx.provenance(self.agency, self.table, d["Cms Id"].strip(), recorded, None, "fact")
        line, postcode = split_address(d.get("Address"))
        record = SourceRecordRow(
            prov, d, given_name=d["First Name"].strip(), family_name=d["Last Name"].strip(),
            date_of_birth=family_context_date(d.get("Date Of Birth")),
            sex=FAMILY_CONTEXT_SEX.get((d.get("Gender") or "").strip().lower(), "U" if d.get("Gender") else None),
            postcode=postcode, address_line=line,
            extra={"school_name": d.get("School Name"), "service_involvement": d.get("Service Involvement"),
                   "most_recent_interaction": family_context_date(d.get("Date Of Most Recent Interaction")),
                   "last_involvement_started": family_context_date(d.get("Start Date Of Last Involvement"))},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(line, postcode)
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


def family_context_key(cms_id: str) -> str:
    return record_key("education", FamilyContextEducation.table, cms_id)


for _adapter in (Pupils(), PupilContacts(), Attendance(), Exclusions(), ChildrenMissingEducation(),
                 FamilyContextEducation()):  # fmt: skip
    register(_adapter)
