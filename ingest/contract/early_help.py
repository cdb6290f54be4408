"""Early help: the LA's early help (family support) system, as CSV files under early_help/.

Early help is voluntary: the family must agree to *take the service*. That is not consent to *share
information*, which safeguarding does not need. Closure for lack of consent while risk remains is a red flag
(guidance case studies 3 and 4), so the closure reason and the consent answer are required fields.
"""

from __future__ import annotations

from ingest.contract import codes
from ingest.contract.spec import Col, FileSpec, provenance, together

STANDARD = "Jigsaw CSV (early help module of the LA's case management system)"

CLIENTS = FileSpec(
    kind="early_help.clients",
    paths=("early_help/clients.csv",),
    format="csv",
    description="People known to early help: children and the adults in their family.",
    standard=STANDARD,
    source_id=("eh_person_id",),
    person_bearing=True,
    columns=(
        Col("eh_person_id", "id", True, "the early help system's person id", unique=True),
        Col("family_id", "id", False, "the family the person belongs to"),
        Col("forenames", "text", True, "forename(s)"),
        Col("surname", "text", True, "surname"),
        Col("dob", "date", False, "date of birth"),
        Col("sex", "code", False, "sex", codes=codes.SEX),
        Col("nhs_number", "nhs", False, "NHS number"),
        Col("upn", "upn", False, "UPN (children)"),
        Col("address", "text", False, "address, one line"),
        Col("postcode", "postcode", False, "postcode"),
        Col("role_in_family", "text", False, "child, parent, carer..."),
        *provenance(),
    ),
)

EPISODES = FileSpec(
    kind="early_help.episodes",
    paths=("early_help/episodes.csv",),
    format="csv",
    description="Early help episodes for a child: referral, start, the family's agreement to the service, "
    "closure and why.",
    standard=STANDARD,
    source_id=("eh_episode_id",),
    person_bearing=False,
    person_refs={"eh_person_id": "early_help.clients"},
    columns=(
        Col("eh_episode_id", "id", True, "episode id", unique=True),
        Col("eh_person_id", "id", True, "the child (clients.csv)"),
        Col("referral_date", "date", True, "date the request for early help was received"),
        Col(
            "referral_source",
            "code",
            True,
            "who asked (CIN referral source codes)",
            codes=codes.REFERRAL_SOURCE,
        ),
        Col(
            "referrer_reference",
            "text",
            False,
            "the referrer's own reference (e.g. police occurrence id, CSC referral id for a step-down)",
        ),
        Col("reason", "code", True, "main reason", codes=codes.EH_REASON),
        Col(
            "consent_to_service",
            "code",
            True,
            "did the family agree to take the service",
            codes=codes.EH_CONSENT,
        ),
        Col("start_date", "date", False, "date support started (blank if it never started)"),
        Col("end_date", "date", False, "date closed"),
        Col("closure_reason", "code", False, "why it closed", codes=codes.EH_CLOSURE_REASON),
        Col("risk_noted_at_closure", "flag", False, "did the worker record continuing risk at closure"),
        Col("lead_practitioner_role", "text", False, "lead practitioner's role"),
        Col("summary", "text", False, "what the family needed / what happened"),
        *provenance(),
    ),
    row_rules=(together("end_date", "closure_reason"),),
)

FILES = (CLIENTS, EPISODES)
