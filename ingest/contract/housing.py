"""Housing: the council's (and partner housing associations') tenancies, the people living in them, and
tenancy events, as CSV files under housing/."""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, FileSpec, provenance

STANDARD = "Jigsaw CSV (housing management system extract)"

TENANCIES = FileSpec(
    kind="housing.tenancies",
    paths=("housing/tenancies.csv",),
    format="csv",
    description="Tenancies and temporary accommodation placements.",
    standard=STANDARD,
    source_id=("tenancy_id",),
    person_bearing=False,
    columns=(
        Col("tenancy_id", "id", True, "tenancy reference", unique=True),
        Col("uprn", "uprn", False, "property UPRN"),
        Col("address", "text", True, "property address, one line"),
        Col("postcode", "postcode", True, "postcode"),
        Col("tenure_type", "code", True, "kind of tenancy", codes=codes.TENURE),
        Col("start_date", "date", True, "start"),
        Col("end_date", "date", False, "end"),
        Col("end_reason", "code", False, "why it ended", codes=codes.TENANCY_END_REASON),
        Col("arrears", "flag", False, "in rent arrears"),
        *provenance("role of the housing officer"),
    ),
)

OCCUPANTS = FileSpec(
    kind="housing.occupants",
    paths=("housing/occupants.csv",),
    format="csv",
    description="The people recorded as living in a tenancy, and when.",
    standard=STANDARD,
    source_id=("occupant_id",),
    person_bearing=True,
    columns=(
        Col("occupant_id", "id", True, "row id: one person in one tenancy", unique=True),
        Col("tenancy_id", "id", True, "the tenancy (tenancies.csv)"),
        Col("forenames", "text", True, "forename(s)"),
        Col("surname", "text", True, "surname"),
        Col("dob", "date", False, "date of birth"),
        Col("sex", "code", False, "sex", codes=codes.SEX),
        Col("nhs_number", "nhs", False, "NHS number (rarely held)"),
        Col("occupant_role", "code", True, "role in the tenancy", codes=codes.OCCUPANT_ROLE),
        Col("from_date", "date", False, "moved in"),
        Col("to_date", "date", False, "moved out"),
        *provenance(),
    ),
)

TENANCY_EVENTS = FileSpec(
    kind="housing.tenancy_events",
    paths=("housing/tenancy_events.csv",),
    format="csv",
    description="Things that happened on a tenancy: complaints, arrears notices, visits, disclosures.",
    standard=STANDARD,
    source_id=("event_id",),
    person_bearing=False,
    person_refs={"occupant_id": "housing.occupants"},
    columns=(
        Col("event_id", "id", True, "row id", unique=True),
        Col("tenancy_id", "id", True, "the tenancy (tenancies.csv)"),
        Col("occupant_id", "id", False, "the occupant concerned, when one is (occupants.csv)"),
        Col("event_type", "code", True, "what happened", codes=codes.TENANCY_EVENT),
        Col("event_date", "date", True, "when"),
        Col("summary", "text", False, "the officer's note"),
        *provenance("role of the housing officer"),
    ),
)

FILES = (TENANCIES, OCCUPANTS, TENANCY_EVENTS)
