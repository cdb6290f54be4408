"""Health: FHIR R4 UK Core resources as NDJSON (bulk-data export style) and two simple CSVs (GP
registrations, maternity bookings).

FHIR: one resource per line, one file per resource type under health/fhir/. Only the elements below are
read; any other FHIR element is allowed and kept. Provenance travels in `meta`: `meta.lastUpdated` is the
recorded date, and two `meta.tag` codings give the recorder's role and fact/opinion (systems below).
Maternity: an unborn baby is not a FHIR Patient yet; the booking (maternity.csv) carries the expected date of
delivery and the named father/partner, who is also a RelatedPerson of the mother in FHIR.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ingest.contract import codes
from ingest.contract import identifiers as ids
from ingest.contract.spec import (
    Col,
    Failure,
    FileSpec,
    ValidationResult,
    provenance,
    read_ndjson,
    required_when,
)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
JIGSAW = "https://fhir.jigsaw-mash.example/CodeSystem/"
BASIS_SYSTEM = JIGSAW + "basis"
RECORDED_BY_ROLE_SYSTEM = JIGSAW + "recorded-by-role"
ENCOUNTER_KIND_SYSTEM = JIGSAW + "encounter-kind"
CPIS_SYSTEM = JIGSAW + "cp-is-flag"

_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_date(v: str | None) -> str | None:
    if v is None:
        return v
    if not _DATE.fullmatch(v):
        raise ValueError(f"not a date YYYY-MM-DD: {v!r}")
    date.fromisoformat(v)
    return v


def _check_datetime(v: str | None) -> str | None:
    """A FHIR date or dateTime with a full date."""
    if v is None:
        return v
    if _DATE.fullmatch(v):
        date.fromisoformat(v)
        return v
    try:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date or dateTime: {v!r}") from None
    return v


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Coding(_Model):
    system: str | None = None
    code: str
    display: str | None = None


class CodeableConcept(_Model):
    coding: list[Coding] = []
    text: str | None = None

    def code_in(self, system: str) -> str | None:
        return next((c.code for c in self.coding if c.system == system), None)


class Identifier(_Model):
    system: str | None = None
    value: str

    @model_validator(mode="after")
    def _nhs(self) -> Identifier:
        if self.system == NHS_NUMBER_SYSTEM and not ids.is_valid_nhs_number(self.value):
            raise ValueError(f"NHS number fails its check digit: {self.value!r}")
        return self


class HumanName(_Model):
    use: str | None = None
    family: str | None = None
    given: list[str] = []


class Period(_Model):
    start: str | None = None
    end: str | None = None

    _dates = field_validator("start", "end")(_check_datetime)


class Address(_Model):
    use: str | None = None
    line: list[str] = []
    city: str | None = None
    postalCode: str | None = None  # noqa: N815 (FHIR element name)
    period: Period | None = None

    @field_validator("postalCode")
    @classmethod
    def _postcode(cls, v: str | None) -> str | None:
        if v is not None and not ids.is_valid_postcode(v):
            raise ValueError(f"not a UK postcode: {v!r}")
        return v


class Reference(_Model):
    reference: str | None = None
    display: str | None = None


class Meta(_Model):
    lastUpdated: str  # noqa: N815
    tag: list[Coding]

    _when = field_validator("lastUpdated")(_check_datetime)

    @model_validator(mode="after")
    def _provenance(self) -> Meta:
        basis = [t.code for t in self.tag if t.system == BASIS_SYSTEM]
        if len(basis) != 1 or basis[0] not in codes.BASIS:
            raise ValueError(f"meta.tag needs one {BASIS_SYSTEM} coding, fact or opinion")
        if not any(t.system == RECORDED_BY_ROLE_SYSTEM and t.code for t in self.tag):
            raise ValueError(f"meta.tag needs a {RECORDED_BY_ROLE_SYSTEM} coding")
        return self


class Resource(_Model):
    id: str
    meta: Meta

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _FHIR_ID.fullmatch(v):
            raise ValueError(f"not a FHIR id: {v!r}")
        return v


def _ref(value: Reference, resource_type: str) -> Reference:
    if value.reference is None or not re.fullmatch(resource_type + r"/[A-Za-z0-9\-.]{1,64}", value.reference):
        raise ValueError(f"must reference a {resource_type}: {value.reference!r}")
    return value


class Patient(Resource):
    resourceType: Literal["Patient"]  # noqa: N815
    identifier: list[Identifier] = []
    name: list[HumanName]
    gender: str | None = None
    birthDate: str | None = None  # noqa: N815
    address: list[Address] = []
    deceasedDateTime: str | None = None  # noqa: N815

    _dates = field_validator("birthDate")(_check_date)
    _dt = field_validator("deceasedDateTime")(_check_datetime)

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        if v is not None and v not in codes.FHIR_GENDER:
            raise ValueError(f"unknown gender {v!r}")
        return v

    @field_validator("name")
    @classmethod
    def _named(cls, v: list[HumanName]) -> list[HumanName]:
        if not v or not any(n.family for n in v):
            raise ValueError("a Patient needs a name with a family name")
        return v


class RelatedPerson(Resource):
    resourceType: Literal["RelatedPerson"]  # noqa: N815
    patient: Reference
    relationship: list[CodeableConcept]
    identifier: list[Identifier] = []
    name: list[HumanName] = []
    gender: str | None = None
    birthDate: str | None = None  # noqa: N815
    address: list[Address] = []
    period: Period | None = None

    _dates = field_validator("birthDate")(_check_date)

    @field_validator("patient")
    @classmethod
    def _patient(cls, v: Reference) -> Reference:
        return _ref(v, "Patient")

    @field_validator("relationship")
    @classmethod
    def _relationship(cls, v: list[CodeableConcept]) -> list[CodeableConcept]:
        found = [c.code_in(ROLE_CODE_SYSTEM) for c in v]
        if not any(code in codes.FHIR_RELATIONSHIP for code in found if code):
            raise ValueError(f"relationship needs a known v3-RoleCode, got {found}")
        return v

    @field_validator("gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        if v is not None and v not in codes.FHIR_GENDER:
            raise ValueError(f"unknown gender {v!r}")
        return v


class Participant(_Model):
    individual: Reference | None = None
    type: list[CodeableConcept] = []


class Encounter(Resource):
    resourceType: Literal["Encounter"]  # noqa: N815
    status: str
    class_: Coding = Field(alias="class")
    type: list[CodeableConcept]
    subject: Reference
    period: Period
    participant: list[Participant] = []
    reasonCode: list[CodeableConcept] = []  # noqa: N815

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_validator(mode="after")
    def _codes(self) -> Encounter:
        if self.status not in codes.ENCOUNTER_STATUS:
            raise ValueError(f"unknown status {self.status!r}")
        if self.class_.code not in codes.ENCOUNTER_CLASS:
            raise ValueError(f"unknown class {self.class_.code!r}")
        kinds = [t.code_in(ENCOUNTER_KIND_SYSTEM) for t in self.type]
        if not any(k in codes.ENCOUNTER_KIND for k in kinds if k):
            raise ValueError(f"type needs a {ENCOUNTER_KIND_SYSTEM} coding, got {kinds}")
        _ref(self.subject, "Patient")
        if self.period.start is None:
            raise ValueError("period.start is required")
        for p in self.participant:
            if p.individual is not None:
                _ref(p.individual, "RelatedPerson")
        return self


class Flag(Resource):
    resourceType: Literal["Flag"]  # noqa: N815
    status: str
    code: CodeableConcept
    subject: Reference
    period: Period
    author: Reference | None = None

    @model_validator(mode="after")
    def _codes(self) -> Flag:
        if self.status not in codes.FLAG_STATUS:
            raise ValueError(f"unknown status {self.status!r}")
        if self.code.code_in(CPIS_SYSTEM) not in codes.CPIS_FLAG:
            raise ValueError(f"code needs a {CPIS_SYSTEM} coding")
        _ref(self.subject, "Patient")
        if self.period.start is None:
            raise ValueError("period.start is required")
        return self


RESOURCE_MODELS: dict[str, type[Resource]] = {
    "Patient": Patient,
    "RelatedPerson": RelatedPerson,
    "Encounter": Encounter,
    "Flag": Flag,
}


def validate_fhir_ndjson(path: Path, name: str) -> ValidationResult:
    """Each line one resource of the type the file is named after (Patient.ndjson holds Patients)."""
    expected = path.stem
    rows, failures = read_ndjson(path, name)
    valid: list[dict[str, Any]] = []
    seen: set[str] = set()
    for lineno, obj in rows:
        rtype = obj.get("resourceType")
        if rtype != expected or rtype not in RESOURCE_MODELS:
            failures.append(Failure(name, lineno, "resourceType", f"expected {expected}, got {rtype!r}"))
            continue
        try:
            RESOURCE_MODELS[rtype].model_validate(obj)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "*"
                failures.append(Failure(name, lineno, loc, err["msg"]))
            continue
        if obj["id"] in seen:
            failures.append(Failure(name, lineno, "id", f"duplicate id {obj['id']!r}"))
            continue
        seen.add(obj["id"])
        valid.append({"_line": lineno, **obj})
    failures.sort(key=lambda f: (f.row or 0, f.field))
    return ValidationResult("health.fhir", valid, failures)


FHIR = FileSpec(
    kind="health.fhir",
    paths=(
        "health/fhir/Patient.ndjson",
        "health/fhir/RelatedPerson.ndjson",
        "health/fhir/Encounter.ndjson",
        "health/fhir/Flag.ndjson",
    ),
    format="ndjson",
    description="FHIR R4 UK Core resources, NDJSON: Patient (children and adults registered with the NHS), "
    "RelatedPerson (a parent, carer or partner as recorded on a patient's record), Encounter (A&E "
    "attendances, appointments a child was not brought to, antenatal bookings, GP and health visitor "
    "contacts) and Flag (CP-IS: child protection plan or looked-after status; for an unborn child the "
    "flag sits on the mother's record).",
    standard="HL7 FHIR R4, UK Core profiles (Patient, RelatedPerson, Encounter, Flag); NDJSON as in FHIR "
    "Bulk Data export",
    source_id=("resourceType", "id"),
    source_id_sep="/",
    person_bearing=True,
    validator=validate_fhir_ndjson,
    notes="Source record id is the FHIR reference form `ResourceType/id` (e.g. `Patient/p123`). Patient and "
    "RelatedPerson records are person-bearing; Encounter and Flag records reference a Patient.",
)

GP_REGISTRATIONS = FileSpec(
    kind="health.gp_registrations",
    paths=("health/gp_registrations.csv",),
    format="csv",
    description="Registrations with a GP practice (a simple extract from the practice system).",
    standard="Jigsaw simple CSV",
    source_id=("registration_id",),
    person_bearing=True,
    columns=(
        Col("registration_id", "id", True, "row id", unique=True),
        Col("nhs_number", "nhs", False, "NHS number"),
        Col("forenames", "text", True, "forename(s)"),
        Col("surname", "text", True, "surname"),
        Col("dob", "date", True, "date of birth"),
        Col("sex", "code", False, "sex", codes=codes.SEX),
        Col("address", "text", False, "registered address, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("practice_code", "text", True, "ODS code of the practice"),
        Col("registered_from", "date", True, "registration start"),
        Col("registered_to", "date", False, "registration end (moved away, deducted)"),
        *provenance("role of the practice staff member"),
    ),
)

MATERNITY = FileSpec(
    kind="health.maternity",
    paths=("health/maternity.csv",),
    format="csv",
    description="Maternity bookings: the mother (the record's person), the unborn baby's expected date of "
    "delivery (the unborn child is mentioned while the pregnancy is ongoing; the baby by NHS number once "
    "born), and the named father or partner (mentioned, with whatever the mother gave).",
    standard="Jigsaw simple CSV",
    source_id=("booking_id",),
    person_bearing=True,
    mentions={
        "partner": ("partner_forenames", "partner_surname", "partner_dob", "partner_nhs_number"),
        "baby": ("baby_nhs_number",),
        "unborn": ("expected_delivery_date",),
    },
    columns=(
        Col("booking_id", "id", True, "booking (pregnancy) id", unique=True),
        Col("mother_nhs_number", "nhs", False, "mother's NHS number"),
        Col("mother_forenames", "text", True, "mother's forename(s)"),
        Col("mother_surname", "text", True, "mother's surname"),
        Col("mother_dob", "date", True, "mother's date of birth"),
        Col("address", "text", False, "address at booking, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("booking_date", "date", True, "date of the booking appointment"),
        Col("expected_delivery_date", "date", True, "the unborn baby's expected date of delivery"),
        Col("outcome", "code", True, "how the pregnancy ended, or ongoing", codes=codes.MATERNITY_OUTCOME),
        Col("outcome_date", "date", False, "date of the outcome"),
        Col("baby_nhs_number", "nhs", False, "the baby's NHS number once born"),
        Col("partner_forenames", "text", False, "named father/partner: forename(s)"),
        Col("partner_surname", "text", False, "named father/partner: surname"),
        Col("partner_dob", "date", False, "named father/partner: date of birth"),
        Col("partner_nhs_number", "nhs", False, "named father/partner: NHS number"),
        Col("partner_is_father", "flag", False, "is the named partner the baby's father"),
        *provenance("role of the midwife or staff member"),
    ),
    row_rules=(
        required_when("outcome_date", "outcome", ("live_birth", "stillbirth", "miscarriage", "termination")),
    ),
)

FILES = (FHIR, GP_REGISTRATIONS, MATERNITY)

# The FHIR elements the contract reads, for the document: (resource, element, required, rule, meaning)
FHIR_ELEMENTS: tuple[tuple[str, str, bool, str, str], ...] = (
    ("all", "id", True, "FHIR id: 1-64 letters, digits, `-`, `.`; unique per resource type", "resource id"),
    ("all", "meta.lastUpdated", True, "date or dateTime", "provenance: recorded date"),
    ("all", f"meta.tag[system={BASIS_SYSTEM}].code", True, "`fact` or `opinion`", "provenance: basis"),
    (
        "all",
        f"meta.tag[system={RECORDED_BY_ROLE_SYSTEM}].code",
        True,
        "free text",
        "provenance: recorder's role",
    ),
    (
        "Patient",
        f"identifier[system={NHS_NUMBER_SYSTEM}].value",
        False,
        "NHS number, mod-11 check digit",
        "NHS number",
    ),
    (
        "Patient",
        "name[].family / name[].given[]",
        True,
        "at least one name with a family name",
        "names (use `official`, `usual` for a known-as name)",
    ),
    ("Patient", "gender", False, "male, female, other, unknown", "administrative gender"),
    ("Patient", "birthDate", False, "YYYY-MM-DD", "date of birth"),
    (
        "Patient",
        "address[].line[] / city / postalCode / period",
        False,
        "postalCode a UK postcode",
        "addresses, current and previous (period.end set)",
    ),
    ("Patient", "deceasedDateTime", False, "date or dateTime", "date of death"),
    ("RelatedPerson", "patient.reference", True, "`Patient/<id>`", "whose record this person is on"),
    (
        "RelatedPerson",
        f"relationship[].coding[system={ROLE_CODE_SYSTEM}].code",
        True,
        "one of " + ", ".join(f"`{c}`" for c in codes.FHIR_RELATIONSHIP),
        "what the person is to the patient",
    ),
    (
        "RelatedPerson",
        "identifier / name / gender / birthDate / address",
        False,
        "as for Patient",
        "the related person's details as recorded",
    ),
    ("RelatedPerson", "period", False, "dates", "when the relationship applies"),
    (
        "Encounter",
        "status",
        True,
        "one of " + ", ".join(f"`{c}`" for c in codes.ENCOUNTER_STATUS),
        "`cancelled` for was-not-brought / did-not-attend",
    ),
    (
        "Encounter",
        "class.code",
        True,
        "one of " + ", ".join(f"`{c}`" for c in codes.ENCOUNTER_CLASS),
        "v3-ActCode class",
    ),
    (
        "Encounter",
        f"type[].coding[system={ENCOUNTER_KIND_SYSTEM}].code",
        True,
        "one of " + ", ".join(f"`{c}`" for c in codes.ENCOUNTER_KIND),
        "what kind of contact",
    ),
    ("Encounter", "subject.reference", True, "`Patient/<id>`", "the patient"),
    ("Encounter", "period.start / period.end", True, "date or dateTime (start required)", "when"),
    (
        "Encounter",
        "participant[].individual.reference",
        False,
        "`RelatedPerson/<id>`",
        "who brought the child (A&E) or was expected to",
    ),
    ("Encounter", "reasonCode[].text", False, "free text", "presenting complaint / reason"),
    ("Flag", "status", True, "active, inactive, entered-in-error", "flag status"),
    (
        "Flag",
        f"code.coding[system={CPIS_SYSTEM}].code",
        True,
        "one of " + ", ".join(f"`{c}`" for c in codes.CPIS_FLAG),
        "CP-IS flag",
    ),
    ("Flag", "subject.reference", True, "`Patient/<id>`", "the child (or the mother, for an unborn child)"),
    ("Flag", "period.start / period.end", True, "date (start required)", "when the plan/status applies"),
    ("Flag", "author.display", False, "free text", "the local authority that holds the plan"),
)
