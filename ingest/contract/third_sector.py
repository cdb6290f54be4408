"""Third sector: safeguarding concerns shared by voluntary organisations (sports clubs, charities, faith
and youth groups), as CSV files under third_sector/. A third-sector organisation is not a statutory partner:
each concern records the legal basis it was shared on (e.g. consent of the person, or legitimate
interests), so an analyst can see why it is held."""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, FileSpec, provenance, required_when

STANDARD = "Jigsaw CSV (concern referral form)"

CONCERNS = FileSpec(
    kind="third_sector.concerns",
    paths=("third_sector/concerns.csv",),
    format="csv",
    description="One row per concern shared with the MASH.",
    standard=STANDARD,
    source_id=("concern_id",),
    person_bearing=False,
    columns=(
        Col("concern_id", "id", True, "the organisation's reference", unique=True),
        Col("organisation", "text", True, "organisation name"),
        Col("organisation_type", "code", True, "kind of organisation", codes=codes.ORGANISATION_TYPE),
        Col("concern_date", "date", True, "when the concern arose"),
        Col("concern_category", "code", True, "what kind of concern", codes=codes.CONCERN_CATEGORY),
        Col("summary", "text", True, "what was seen or heard"),
        Col(
            "legal_basis",
            "code",
            True,
            "the lawful basis the organisation shared on",
            codes=codes.LEGAL_BASIS,
        ),
        Col("consent_given_by", "text", False, "who consented, when the basis is consent"),
        Col("shared_date", "date", True, "when it was shared with the MASH"),
        *provenance("role of the organisation's safeguarding lead"),
    ),
    row_rules=(required_when("consent_given_by", "legal_basis", ("consent",)),),
)

CONCERN_PERSONS = FileSpec(
    kind="third_sector.concern_persons",
    paths=("third_sector/concern_persons.csv",),
    format="csv",
    description="The people a concern is about or involves, as the organisation knows them (often only a "
    "name and an approximate age).",
    standard=STANDARD,
    source_id=("concern_person_id",),
    person_bearing=True,
    columns=(
        Col("concern_person_id", "id", True, "row id: one person in one concern", unique=True),
        Col("concern_id", "id", True, "the concern (concerns.csv)"),
        Col("forenames", "text", True, "forename(s) as known"),
        Col("surname", "text", False, "surname, when known"),
        Col("dob", "date", False, "date of birth, when known"),
        Col(
            "approx_age",
            "int",
            False,
            "approximate age in years, when the date of birth is not known",
            min_value=0,
            max_value=110,
        ),
        Col("role", "code", True, "the person's part in the concern", codes=codes.ROLE),
        Col("address", "text", False, "address, when known"),
        Col("postcode", "postcode", False, "postcode"),
        *provenance(),
    ),
)

FILES = (CONCERNS, CONCERN_PERSONS)
