"""Probation: people on probation and their supervision (orders, licences, MAPPA), as CSV files under
probation/. The case reference number (CRN) is probation's own person id; the PNC id links to police."""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, FileSpec, provenance, required_when

STANDARD = "Jigsaw CSV (probation case management extract; CRN and PNC as in nDelius)"

PEOPLE = FileSpec(
    kind="probation.people",
    paths=("probation/people.csv",),
    format="csv",
    description="People supervised by the probation service.",
    standard=STANDARD,
    source_id=("crn",),
    person_bearing=True,
    columns=(
        Col("crn", "crn", True, "case reference number", unique=True),
        Col("forenames", "text", True, "forename(s)"),
        Col("surname", "text", True, "surname"),
        Col("aliases", "text", False, "other names used, separated by `;`"),
        Col("dob", "date", True, "date of birth"),
        Col("sex", "code", False, "sex", codes=codes.SEX),
        Col("pnc_id", "pnc", False, "PNC id"),
        Col("address", "text", False, "current address, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("has_child_contact", "flag", False, "known to live with or have contact with children"),
        *provenance("role of the probation practitioner"),
    ),
)

SUPERVISIONS = FileSpec(
    kind="probation.supervisions",
    paths=("probation/supervisions.csv",),
    format="csv",
    description="Orders and licences under supervision, with the index offence group, risk of serious "
    "harm and MAPPA category and level.",
    standard=STANDARD,
    source_id=("supervision_id",),
    person_bearing=False,
    person_refs={"crn": "probation.people"},
    columns=(
        Col("supervision_id", "id", True, "row id", unique=True),
        Col("crn", "crn", True, "the person (people.csv)"),
        Col("order_type", "code", True, "type of order or licence", codes=codes.ORDER_TYPE),
        Col("start_date", "date", True, "start"),
        Col("end_date", "date", False, "end (expected or actual)"),
        Col("offence_category", "code", True, "index offence group", codes=codes.OFFENCE_CATEGORY),
        Col("risk_of_serious_harm", "code", False, "RoSH level", codes=codes.ROSH),
        Col("risk_to_children", "flag", False, "assessed as a risk to children"),
        Col("mappa_category", "code", False, "MAPPA category", codes=codes.MAPPA_CATEGORY),
        Col("mappa_level", "code", False, "MAPPA level (1-3)", codes=codes.MAPPA_LEVEL),
        *provenance("role of the probation practitioner"),
    ),
    row_rules=(required_when("mappa_level", "mappa_category", tuple(codes.MAPPA_CATEGORY)),),
)

FILES = (PEOPLE, SUPERVISIONS)
