"""Police: a POLE-style extract (Person, Object, Location, Event) as CSV files under police/.

Follows the NPCC Minimum POLE Data Standards in shape: nominals (persons), locations, occurrences (events)
with each person's role, person-to-person links, and warning markers. The public Neo4j POLE example is a
second accepted layout (see `POLE_EXAMPLE_LAYOUT`); the synthetic county writes this one.
"""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, provenance, required_when
from ingest.contract.spec import FileSpec as FileSpec  # re-exported: adapters type with police.FileSpec

STANDARD = "NPCC Minimum POLE Data Standards (shape); columns are the Jigsaw contract"

PERSONS = FileSpec(
    kind="police.persons",
    paths=("police/persons.csv",),
    format="csv",
    description="Nominals: every person the force holds a record for. One row per nominal record; the "
    "same real person may have more than one nominal (duplicates happen).",
    standard=STANDARD,
    source_id=("nominal_id",),
    person_bearing=True,
    columns=(
        Col("nominal_id", "id", True, "the force's nominal (person) record id", unique=True),
        Col("forenames", "text", True, "forename(s) as recorded, may be a nickname"),
        Col("surname", "text", True, "surname as recorded"),
        Col("dob", "date", False, "date of birth as recorded"),
        Col("sex", "code", False, "sex as recorded", codes=codes.SEX),
        Col("pnc_id", "pnc", False, "Police National Computer id, for people with a PNC record"),
        Col("address", "text", False, "last known address, one line"),
        Col("postcode", "postcode", False, "postcode of the last known address"),
        *provenance(),
    ),
)

LOCATIONS = FileSpec(
    kind="police.locations",
    paths=("police/locations.csv",),
    format="csv",
    description="Locations where occurrences happened (POLE Location).",
    standard=STANDARD,
    source_id=("location_id",),
    person_bearing=False,
    columns=(
        Col("location_id", "id", True, "the force's location id", unique=True),
        Col("address", "text", True, "address or description of the place, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("uprn", "uprn", False, "Ordnance Survey UPRN when the force geocoded it"),
        Col("location_type", "code", True, "kind of place", codes=codes.LOCATION_TYPE),
        *provenance(),
    ),
)

OCCURRENCES = FileSpec(
    kind="police.occurrences",
    paths=("police/occurrences.csv",),
    format="csv",
    description="Occurrences (POLE Event): incidents, crimes, child protection non-crime incidents (CPNCI), "
    "domestic abuse incidents with their DASH grade, and missing-person episodes.",
    standard=STANDARD,
    source_id=("occurrence_id",),
    person_bearing=False,
    columns=(
        Col("occurrence_id", "id", True, "the force's occurrence (incident/crime) reference", unique=True),
        Col("occurrence_type", "code", True, "what kind of occurrence", codes=codes.OCCURRENCE_TYPE),
        Col("occurred_date", "date", True, "the date it happened (for missing episodes: went missing)"),
        Col("end_date", "date", False, "missing episodes: the date the person was found or returned"),
        Col("location_id", "id", False, "where it happened (locations.csv)"),
        Col("crime_category", "code", False, "crimes only: the offence group", codes=codes.CRIME_CATEGORY),
        Col("dash_grade", "code", False, "DA incidents: DASH risk grade", codes=codes.DASH_GRADE),
        Col("children_present", "flag", True, "were children present or resident at the time"),
        Col("referred_to_csc", "flag", True, "did the force refer (share) it with children's social care"),
        Col("referral_date", "date", False, "when it was referred to CSC, when it was"),
        Col("summary", "text", False, "the officer's short summary"),
        *provenance("rank or role of the officer or staff member who recorded it"),
    ),
    row_rules=(
        required_when("dash_grade", "occurrence_type", ("da_incident",)),
        required_when("crime_category", "occurrence_type", ("crime",)),
        required_when("referral_date", "referred_to_csc", ("Y",)),
    ),
)

OCCURRENCE_PERSONS = FileSpec(
    kind="police.occurrence_persons",
    paths=("police/occurrence_persons.csv",),
    format="csv",
    description="Who was involved in each occurrence, and in which role.",
    standard=STANDARD,
    source_id=("occurrence_person_id",),
    person_bearing=False,
    person_refs={"nominal_id": "police.persons"},
    columns=(
        Col("occurrence_person_id", "id", True, "row id of this involvement", unique=True),
        Col("occurrence_id", "id", True, "the occurrence (occurrences.csv)"),
        Col("nominal_id", "id", True, "the person (persons.csv)"),
        Col("role", "code", True, "the person's role in the occurrence", codes=codes.ROLE),
        *provenance(),
    ),
)

PERSON_LINKS = FileSpec(
    kind="police.person_links",
    paths=("police/person_links.csv",),
    format="csv",
    description="Person-to-person links the force holds (POLE FAMILY_REL / KNOWS / KNOWS_LW...). "
    "Directed: `link_type` says what nominal_a is to nominal_b.",
    standard=STANDARD,
    source_id=("link_id",),
    person_bearing=False,
    person_refs={"nominal_a": "police.persons", "nominal_b": "police.persons"},
    columns=(
        Col("link_id", "id", True, "row id of the link", unique=True),
        Col("nominal_a", "id", True, "first person (persons.csv)"),
        Col("nominal_b", "id", True, "second person (persons.csv)"),
        Col("link_type", "code", True, "what A is to B", codes=codes.RELATIONSHIP),
        Col("from_date", "date", False, "when the link began, when known"),
        Col("to_date", "date", False, "when it ended (e.g. partners separated)"),
        *provenance(),
    ),
)

NOMINAL_FLAGS = FileSpec(
    kind="police.nominal_flags",
    paths=("police/nominal_flags.csv",),
    format="csv",
    description="Warning and offending markers on nominals, including MAPPA management.",
    standard=STANDARD,
    source_id=("flag_id",),
    person_bearing=False,
    person_refs={"nominal_id": "police.persons"},
    columns=(
        Col("flag_id", "id", True, "row id of the marker", unique=True),
        Col("nominal_id", "id", True, "the person (persons.csv)"),
        Col("flag_type", "code", True, "the marker", codes=codes.POLICE_FLAG),
        Col("mappa_level", "code", False, "MAPPA flags only: management level", codes=codes.MAPPA_LEVEL),
        Col("from_date", "date", True, "when the marker was set"),
        Col("to_date", "date", False, "when it was removed"),
        *provenance(),
    ),
    row_rules=(required_when("mappa_level", "flag_type", ("mappa",)),),
)

FILES = (PERSONS, LOCATIONS, OCCURRENCES, OCCURRENCE_PERSONS, PERSON_LINKS, NOMINAL_FLAGS)

# The public Neo4j POLE example ("crime-investigation.*.csv", neo4j-admin import headers) is accepted as a
# second layout. The ingest maps it as follows; the synthetic county does not write it.
POLE_EXAMPLE_LAYOUT: dict[str, str] = {
    "crime-investigation.nodes.Person.csv": ":ID, surname, nhs_no, name, age -> persons (nominal_id = :ID; "
    "nhs_no there is not an NHS number: kept as a local id)",
    "crime-investigation.nodes.Location.csv": ":ID, latitude, postcode, longitude, address -> locations",
    "crime-investigation.nodes.Crime.csv": ":ID, date (DD/MM/YYYY), id, type, last_outcome, note, charge "
    "-> occurrences of type crime",
    "crime-investigation.relationships.PARTY_TO.csv": "Person -> Crime -> occurrence_persons, role suspect",
    "crime-investigation.relationships.INVOLVED_IN.csv": "Object/Vehicle -> Crime (objects: kept, not "
    "person-bearing)",
    "crime-investigation.relationships.OCCURRED_AT.csv": "Crime -> Location -> occurrences.location_id",
    "crime-investigation.relationships.CURRENT_ADDRESS.csv": "Person -> Location -> persons.address",
    "crime-investigation.relationships.FAMILY_REL.csv": "Person -> Person, rel_type SIBLING/PARENT/... "
    "-> person_links (sibling, parent)",
    "crime-investigation.relationships.KNOWS.csv": "-> person_links associate",
    "crime-investigation.relationships.KNOWS_LW.csv": "-> person_links lives-with",
    "crime-investigation.relationships.KNOWS_SN.csv": "-> person_links associate (social network)",
    "crime-investigation.relationships.KNOWS_PHONE.csv": "-> person_links associate (phone contact)",
}
