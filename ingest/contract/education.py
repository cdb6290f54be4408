"""Education: the LA's pupil extract (from school census / MIS returns) as CSV files under education/.

Pupils carry the DfE unique pupil number (UPN) and the school's URN. Parents and carers come as pupil
contacts (schools hold them for every pupil). Attendance is per pupil, school and term; exclusions use the
DfE reason codes; children missing education (CME) are those the LA is trying to find or place.
"""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, FileSpec, provenance, sum_not_greater

STANDARD = "Jigsaw CSV; fields follow the DfE school census (UPN, URN, sessions, exclusion reasons)"

PUPILS = FileSpec(
    kind="education.pupils",
    paths=("education/pupils.csv",),
    format="csv",
    description="One row per pupil enrolment held by the LA (a pupil who changed school has one row per "
    "school).",
    standard=STANDARD,
    source_id=("pupil_record_id",),
    person_bearing=True,
    columns=(
        Col("pupil_record_id", "id", True, "the LA's record id for this enrolment", unique=True),
        Col("upn", "upn", False, "unique pupil number (missing for some: new arrivals, errors)"),
        Col("former_upn", "upn", False, "a previous UPN"),
        Col("school_urn", "urn", True, "the school's URN"),
        Col("legal_forename", "text", True, "legal forename"),
        Col("legal_surname", "text", True, "legal surname"),
        Col("preferred_forename", "text", False, "the name the pupil goes by"),
        Col("dob", "date", True, "date of birth"),
        Col("sex", "code", True, "sex", codes=codes.SCHOOL_SEX),
        Col("address", "text", False, "home address, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("entry_date", "date", True, "date the pupil joined the school"),
        Col("leaving_date", "date", False, "date the pupil left"),
        Col("year_group", "text", False, "national curriculum year (R, 1-13)"),
        Col("fsm_eligible", "flag", False, "eligible for free school meals"),
        Col("sen_provision", "code", False, "special educational needs provision", codes=codes.SEN_PROVISION),
        *provenance("role of the school or LA staff member"),
    ),
)

PUPIL_CONTACTS = FileSpec(
    kind="education.pupil_contacts",
    paths=("education/pupil_contacts.csv",),
    format="csv",
    description="Parents, carers and other contacts the school holds for a pupil.",
    standard=STANDARD,
    source_id=("contact_record_id",),
    person_bearing=True,
    person_refs={"pupil_record_id": "education.pupils"},
    columns=(
        Col("contact_record_id", "id", True, "row id", unique=True),
        Col("pupil_record_id", "id", True, "the pupil (pupils.csv)"),
        Col("forenames", "text", True, "contact's forename(s)"),
        Col("surname", "text", True, "contact's surname"),
        Col(
            "relationship", "code", True, "what the contact is to the pupil", codes=codes.CONTACT_RELATIONSHIP
        ),
        Col("parental_responsibility", "flag", False, "has parental responsibility"),
        Col("lives_with_pupil", "flag", False, "lives at the pupil's address"),
        Col("address", "text", False, "contact's address if different"),
        Col("postcode", "postcode", False, "postcode"),
        Col("priority", "int", False, "contact order (1 = first contact)", min_value=1, max_value=9),
        *provenance(),
    ),
)

ATTENDANCE = FileSpec(
    kind="education.attendance",
    paths=("education/attendance.csv",),
    format="csv",
    description="Attendance per pupil enrolment and term: sessions possible and sessions missed.",
    standard=STANDARD,
    source_id=("attendance_id",),
    person_bearing=False,
    person_refs={"pupil_record_id": "education.pupils"},
    columns=(
        Col("attendance_id", "id", True, "row id", unique=True),
        Col("pupil_record_id", "id", True, "the pupil (pupils.csv)"),
        Col("school_urn", "urn", True, "the school"),
        Col("academic_year", "text", True, "academic year, e.g. 2024/25"),
        Col("term", "code", True, "term", codes=codes.TERM),
        Col(
            "sessions_possible",
            "int",
            True,
            "sessions (half days) the pupil could attend",
            min_value=0,
            max_value=200,
        ),
        Col("sessions_authorised_absence", "int", True, "sessions missed with authorisation", min_value=0),
        Col(
            "sessions_unauthorised_absence", "int", True, "sessions missed without authorisation", min_value=0
        ),
        *provenance(),
    ),
    row_rules=(
        sum_not_greater(
            ("sessions_authorised_absence", "sessions_unauthorised_absence"), "sessions_possible"
        ),
    ),
)

EXCLUSIONS = FileSpec(
    kind="education.exclusions",
    paths=("education/exclusions.csv",),
    format="csv",
    description="Suspensions and permanent exclusions.",
    standard=STANDARD,
    source_id=("exclusion_id",),
    person_bearing=False,
    person_refs={"pupil_record_id": "education.pupils"},
    columns=(
        Col("exclusion_id", "id", True, "row id", unique=True),
        Col("pupil_record_id", "id", True, "the pupil (pupils.csv)"),
        Col("school_urn", "urn", True, "the school"),
        Col("exclusion_type", "code", True, "suspension or permanent", codes=codes.EXCLUSION_TYPE),
        Col("start_date", "date", True, "first day"),
        Col("sessions", "int", False, "length in sessions (suspensions)", min_value=1),
        Col("reason", "code", True, "DfE reason", codes=codes.EXCLUSION_REASON),
        Col("summary", "text", False, "what happened"),
        *provenance("role of the head teacher or staff member"),
    ),
)

CHILDREN_MISSING_EDUCATION = FileSpec(
    kind="education.children_missing_education",
    paths=("education/children_missing_education.csv",),
    format="csv",
    description="Children missing education: children of school age not on a school roll, or not attending, "
    "whom the LA is trying to find.",
    standard=STANDARD,
    source_id=("cme_id",),
    person_bearing=True,
    columns=(
        Col("cme_id", "id", True, "row id", unique=True),
        Col("pupil_record_id", "id", False, "the last enrolment, when there was one (pupils.csv)"),
        Col("upn", "upn", False, "UPN if known"),
        Col("forenames", "text", True, "forename(s)"),
        Col("surname", "text", True, "surname"),
        Col("dob", "date", False, "date of birth"),
        Col("address", "text", False, "last known address"),
        Col("postcode", "postcode", False, "postcode"),
        Col("reported_date", "date", True, "date reported missing education"),
        Col("reason", "code", True, "why", codes=codes.CME_REASON),
        Col("resolved_date", "date", False, "date found / back in education"),
        *provenance("role of the education welfare officer"),
    ),
)

FILES = (PUPILS, PUPIL_CONTACTS, ATTENDANCE, EXCLUSIONS, CHILDREN_MISSING_EDUCATION)
