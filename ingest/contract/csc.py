"""Children's social care: Standard Safeguarding Dataset (SSD) tables as CSV, the DfE CIN census XML and the
SSDA903 (children looked after) return.

SSD column names and meanings are those of the data-to-insight SSD object model; the contract adds the
provenance columns and a few extension columns (prefixed `<table prefix>_ext_`, marked "extension" in the
document) where the SSD has no field for something the product needs (feedback to the referrer, "deemed
malicious", threshold decision, consent to early help, the child's own words). `ssd_person_relationships`
is a whole extension table: the SSD has no person-to-person relationships.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pandas as pd

from ingest.contract import codes
from ingest.contract import identifiers as ids
from ingest.contract.spec import (
    UK_DATE,
    Col,
    Failure,
    FileSpec,
    RowRule,
    ValidationResult,
    provenance,
    required_when,
    together,
)

SSD = "Standard Safeguarding Dataset (data-to-insight ssd-data-model), table {}"

YNU = {"Y": "yes", "N": "no", "": "not recorded"}

CONTACT_OUTCOME_KEYS = (
    "NEW_REFERRAL_FLAG",
    "EXISTING_REFERRAL_FLAG",
    "CP_ENQUIRY_FLAG",
    "NFA_FLAG",
    "NON_AGENCY_ADOPTION_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "ADVICE_FLAG",
    "MISSING_FLAG",
    "OLA_CP_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
)
REFERRAL_OUTCOME_KEYS = (
    "SINGLE_ASSESSMENT_FLAG",
    "NFA_FLAG",
    "STRATEGY_DISCUSSION_FLAG",
    "CLA_REQUEST_FLAG",
    "NON_AGENCY_ADOPTION_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "CP_TRANSFER_IN_FLAG",
    "CP_CONFERENCE_FLAG",
    "CARE_LEAVER_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
)
ASSESSMENT_OUTCOME_KEYS = (
    "NFA_FLAG",
    "NFA_S47_END_FLAG",
    "STRATEGY_DISCUSSION_FLAG",
    "CLA_REQUEST_FLAG",
    "PRIVATE_FOSTERING_FLAG",
    "LEGAL_ACTION_FLAG",
    "PROV_OF_SERVICES_FLAG",
    "PROV_OF_SB_CARE_FLAG",
    "SPECIALIST_ASSESSMENT_FLAG",
    "REFERRAL_TO_OTHER_AGENCY_FLAG",
    "OTHER_ACTIONS_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
    "TOTAL_NO_OF_OUTCOMES",
    "COMMENTS",
)
S47_OUTCOME_KEYS = (
    "NFA_FLAG",
    "LEGAL_ACTION_FLAG",
    "PROV_OF_SERVICES_FLAG",
    "PROV_OF_SB_CARE_FLAG",
    "CP_CONFERENCE_FLAG",
    "NFA_CONTINUE_SINGLE_FLAG",
    "MONITOR_FLAG",
    "OTHER_OUTCOMES_EXIST_FLAG",
    "TOTAL_NO_OF_OUTCOMES",
    "OUTCOME_COMMENTS",
)
ADDRESS_KEYS = ("ROOM", "FLOOR", "FLAT", "BUILDING", "HOUSE", "STREET", "TOWN", "UPRN", "EASTING", "NORTHING")
FLAG_VALUES = ("Y", "N", "")

THRESHOLD = {
    "L1": "universal services",
    "L2": "early help",
    "L3": "child in need (s17)",
    "L4": "child protection (s47) or looked after",
}
ADDRESS_TYPE = {"HOME": "home address", "PLACEMENT": "placement address", "PREVIOUS": "previous address"}
LINKED_ID_TYPE = {
    "Case Number": "a case number in another system",
    "Unique Pupil Number": "UPN (validated as a UPN)",
    "NHS Number": "NHS number (validated as an NHS number)",
    "Home Office Registration": "Home Office reference",
    "National Insurance Number": "National Insurance number",
    "YOT Number": "youth offending team number",
    "Court Case Number": "court case number",
    "RAA ID": "regional adoption agency id",
    "Incident ID": "a police incident or crime reference",
}
GENDER = {"00": "not known", "01": "man/boy/male", "02": "woman/girl/female", "09": "prefer to self-describe"}


def _person_id(name: str, meaning: str = "the person (ssd_person.pers_person_id)") -> Col:
    return Col(name, "la_child_id", True, meaning)


PERSON = FileSpec(
    kind="csc.ssd_person",
    paths=("csc/ssd/ssd_person.csv",),
    format="csv",
    description="Everyone the local authority holds a person record for: children, unborn children (expected "
    "date of birth instead of date of birth) and the adults around them.",
    standard=SSD.format("ssd_person"),
    source_id=("pers_person_id",),
    person_bearing=True,
    columns=(
        Col("pers_person_id", "la_child_id", True, "LA person id (the CIN census LAchildID)", unique=True),
        Col("pers_forename", "text", False, "forename"),
        Col("pers_surname", "text", False, "surname"),
        Col("pers_sex", "code", False, "sex", codes=codes.SEX),
        Col("pers_gender", "code", False, "gender identity code", codes=GENDER),
        Col("pers_ethnicity", "code", False, "DfE ethnicity code", codes=codes.ETHNICITY),
        Col("pers_dob", "date", False, "date of birth (blank for an unborn child)"),
        Col("pers_common_child_id", "nhs", False, "NHS number"),
        Col("pers_legacy_id", "text", False, "id in a legacy system"),
        Col(
            "pers_upn_unknown",
            "code",
            False,
            "why the UPN is unknown",
            codes={f"UN{i}": f"UN{i}" for i in range(1, 6)},
        ),
        Col("pers_send_flag", "flag", False, "has an EHC plan"),
        Col("pers_expected_dob", "date", False, "expected date of birth of an unborn child"),
        Col("pers_death_date", "date", False, "date of death"),
        Col("pers_is_mother", "flag", False, "is a mother"),
        Col("pers_nationality", "text", False, "country of origin (UASC)"),
        *provenance("role of the worker who created or last verified the record"),
    ),
    notes="A person may have both `pers_dob` and `pers_expected_dob` only after birth (the SSD asks for one).",
)

FAMILY = FileSpec(
    kind="csc.ssd_family",
    paths=("csc/ssd/ssd_family.csv",),
    format="csv",
    description="Family groupings: which people the LA treats as one family.",
    standard=SSD.format("ssd_family"),
    source_id=("fami_table_id",),
    person_bearing=False,
    person_refs={"fami_person_id": "csc.ssd_person"},
    columns=(
        Col("fami_table_id", "id", True, "row id", unique=True),
        Col("fami_family_id", "id", True, "family id"),
        _person_id("fami_person_id"),
        *provenance(),
    ),
)

ADDRESS = FileSpec(
    kind="csc.ssd_address",
    paths=("csc/ssd/ssd_address.csv",),
    format="csv",
    description="Addresses of people, with the period they lived there.",
    standard=SSD.format("ssd_address"),
    source_id=("addr_table_id",),
    person_bearing=False,
    person_refs={"addr_person_id": "csc.ssd_person"},
    columns=(
        Col("addr_table_id", "id", True, "row id", unique=True),
        Col("addr_address_json", "json", True, "the address as the SSD JSON object", json_keys=ADDRESS_KEYS),
        _person_id("addr_person_id"),
        Col("addr_address_type", "code", False, "type of address", codes=ADDRESS_TYPE),
        Col("addr_address_start_date", "date", False, "date the person started living there"),
        Col("addr_address_end_date", "date", False, "date the person left"),
        Col("addr_address_postcode", "postcode_nospace", False, "postcode, spaces removed (SSD convention)"),
        *provenance(),
    ),
)

CONTACTS = FileSpec(
    kind="csc.ssd_contacts",
    paths=("csc/ssd/ssd_contacts.csv",),
    format="csv",
    description="Contacts: every concern about a child that reaches the LA front door (MASH).",
    standard=SSD.format("ssd_contacts"),
    source_id=("cont_contact_id",),
    person_bearing=False,
    person_refs={"cont_person_id": "csc.ssd_person"},
    columns=(
        Col("cont_contact_id", "id", True, "contact id", unique=True),
        _person_id("cont_person_id", "the child (ssd_person)"),
        Col("cont_contact_date", "date", True, "date the contact was received"),
        Col("cont_contact_source_code", "code", True, "who made contact", codes=codes.REFERRAL_SOURCE),
        Col("cont_contact_source_desc", "text", False, "description of the source"),
        Col(
            "cont_contact_outcome_json",
            "json",
            False,
            "outcome flags (SSD JSON)",
            json_keys=CONTACT_OUTCOME_KEYS,
            json_values=FLAG_VALUES,
        ),
        Col(
            "cont_ext_referrer_reference",
            "text",
            False,
            "the referring agency's own reference (e.g. the police occurrence id)",
            extension=True,
        ),
        Col("cont_ext_summary", "text", False, "what the contact said, in short", extension=True),
        *provenance("role of the MASH worker who recorded the contact"),
    ),
)

CIN_EPISODES = FileSpec(
    kind="csc.ssd_cin_episodes",
    paths=("csc/ssd/ssd_cin_episodes.csv",),
    format="csv",
    description="Referrals and the child-in-need episodes that follow, with the referral source, the "
    "threshold decision, feedback to the referrer and any 'deemed malicious' decision.",
    standard=SSD.format("ssd_cin_episodes"),
    source_id=("cine_referral_id",),
    person_bearing=False,
    person_refs={"cine_person_id": "csc.ssd_person"},
    columns=(
        Col("cine_referral_id", "id", True, "referral id", unique=True),
        _person_id("cine_person_id", "the child (ssd_person)"),
        Col("cine_referral_date", "date", True, "date of the referral"),
        Col("cine_cin_primary_need_code", "code", False, "CIN primary need", codes=codes.PRIMARY_NEED),
        Col("cine_referral_source_code", "code", True, "referral source", codes=codes.REFERRAL_SOURCE),
        Col("cine_referral_source_desc", "text", False, "description of the source"),
        Col(
            "cine_referral_outcome_json",
            "json",
            False,
            "outcome flags of the referral (SSD JSON)",
            json_keys=REFERRAL_OUTCOME_KEYS,
            json_values=FLAG_VALUES,
        ),
        Col("cine_referral_nfa", "flag", False, "no further action after the referral"),
        Col("cine_close_reason", "code", False, "closure reason", codes=codes.CIN_CLOSURE_REASON),
        Col("cine_close_date", "date", False, "closure date"),
        Col("cine_referral_team", "text", False, "team that completed the referral"),
        Col("cine_referral_worker_id", "text", False, "worker who completed the referral"),
        Col("cine_ext_contact_id", "id", False, "the contact this referral came from", extension=True),
        Col(
            "cine_ext_threshold_decision",
            "code",
            False,
            "level on the continuum of need decided at the front door",
            codes=THRESHOLD,
            extension=True,
        ),
        Col(
            "cine_ext_feedback_to_referrer_date",
            "date",
            False,
            "date the decision was fed back to the referrer (Working Together: within 1 working day)",
            extension=True,
        ),
        Col("cine_ext_deemed_malicious", "flag", False, "the referral was deemed malicious", extension=True),
        Col(
            "cine_ext_deemed_malicious_by_role",
            "text",
            False,
            "role of who deemed it malicious",
            extension=True,
        ),
        Col("cine_ext_deemed_malicious_date", "date", False, "when it was deemed malicious", extension=True),
        Col(
            "cine_ext_multi_agency_assessment",
            "flag",
            False,
            "was a full multi-agency assessment (incl. talking with the referrer) done before the decision",
            extension=True,
        ),
        Col(
            "cine_ext_referrer_relationship",
            "text",
            False,
            "the referrer's relationship to the child (e.g. grandmother), for individual referrers",
            extension=True,
        ),
        *provenance("role of the worker who recorded the referral"),
    ),
    row_rules=(
        required_when("cine_ext_deemed_malicious_by_role", "cine_ext_deemed_malicious", ("Y",)),
        required_when("cine_ext_deemed_malicious_date", "cine_ext_deemed_malicious", ("Y",)),
    ),
)

CIN_ASSESSMENTS = FileSpec(
    kind="csc.ssd_cin_assessments",
    paths=("csc/ssd/ssd_cin_assessments.csv",),
    format="csv",
    description="Child and family (single) assessments.",
    standard=SSD.format("ssd_cin_assessments"),
    source_id=("cina_assessment_id",),
    person_bearing=False,
    person_refs={"cina_person_id": "csc.ssd_person"},
    columns=(
        Col("cina_assessment_id", "id", True, "assessment id", unique=True),
        _person_id("cina_person_id", "the child (ssd_person)"),
        Col("cina_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        Col("cina_assessment_start_date", "date", True, "start date"),
        Col("cina_assessment_child_seen", "flag", False, "was the child seen"),
        Col("cina_assessment_auth_date", "date", False, "date completed and authorised"),
        Col(
            "cina_assessment_outcome_json",
            "json",
            False,
            "outcome (SSD JSON)",
            json_keys=ASSESSMENT_OUTCOME_KEYS,
            json_values=FLAG_VALUES,
        ),
        Col("cina_assessment_outcome_nfa", "flag", False, "no further action"),
        Col("cina_assessment_team", "text", False, "team"),
        Col("cina_assessment_worker_id", "text", False, "worker"),
        *provenance("role of the worker who authorised the assessment"),
    ),
)

ASSESSMENT_FACTORS = FileSpec(
    kind="csc.ssd_assessment_factors",
    paths=("csc/ssd/ssd_assessment_factors.csv",),
    format="csv",
    description="Factors identified at the end of an assessment (CIN census codes; suffix A the child, "
    "B a parent or carer, C another member of the household).",
    standard=SSD.format("ssd_assessment_factors"),
    source_id=("cinf_table_id",),
    person_bearing=False,
    columns=(
        Col("cinf_table_id", "id", True, "row id", unique=True),
        Col("cinf_assessment_id", "id", True, "the assessment (ssd_cin_assessments)"),
        Col(
            "cinf_assessment_factors_json",
            "json",
            True,
            'factors as {"3B": "Yes", ...} (SSD option 2)',
            json_keys=tuple(codes.ASSESSMENT_FACTOR),
            json_values=("Yes", "No"),
        ),
        *provenance("role of the worker who authorised the assessment"),
    ),
    notes="Factor values are opinion (a professional judgement) in the synthetic county.",
)

S47 = FileSpec(
    kind="csc.ssd_s47_enquiry",
    paths=("csc/ssd/ssd_s47_enquiry.csv",),
    format="csv",
    description="Section 47 enquiries.",
    standard=SSD.format("ssd_s47_enquiry"),
    source_id=("s47e_s47_enquiry_id",),
    person_bearing=False,
    person_refs={"s47e_person_id": "csc.ssd_person"},
    columns=(
        Col("s47e_s47_enquiry_id", "id", True, "enquiry id", unique=True),
        Col("s47e_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        _person_id("s47e_person_id", "the child (ssd_person)"),
        Col("s47e_s47_start_date", "date", True, "date of the strategy discussion that started it"),
        Col("s47e_s47_end_date", "date", False, "date completed"),
        Col("s47e_s47_nfa", "flag", False, "no further action"),
        Col(
            "s47e_s47_outcome_json",
            "json",
            False,
            "outcome (SSD JSON)",
            json_keys=S47_OUTCOME_KEYS,
            json_values=FLAG_VALUES,
        ),
        Col("s47e_s47_completed_by_worker_id", "text", False, "worker"),
        Col("s47e_s47_completed_by_team", "text", False, "team"),
        *provenance(),
    ),
)

CP_PLANS = FileSpec(
    kind="csc.ssd_cp_plans",
    paths=("csc/ssd/ssd_cp_plans.csv",),
    format="csv",
    description="Child protection plans.",
    standard=SSD.format("ssd_cp_plans"),
    source_id=("cppl_cp_plan_id",),
    person_bearing=False,
    person_refs={"cppl_person_id": "csc.ssd_person"},
    columns=(
        Col("cppl_cp_plan_id", "id", True, "plan id", unique=True),
        Col("cppl_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        Col("cppl_icpc_id", "id", False, "initial child protection conference id"),
        _person_id("cppl_person_id", "the child (ssd_person)"),
        Col("cppl_cp_plan_start_date", "date", True, "start date"),
        Col("cppl_cp_plan_end_date", "date", False, "end date"),
        Col(
            "cppl_cp_plan_initial_category",
            "code",
            True,
            "initial category of abuse",
            codes=codes.CATEGORY_OF_ABUSE,
        ),
        Col("cppl_cp_plan_ola", "flag", False, "another LA's plan"),
        Col(
            "cppl_cp_plan_latest_category",
            "code",
            False,
            "latest category of abuse",
            codes=codes.CATEGORY_OF_ABUSE,
        ),
        *provenance(),
    ),
    notes="The SSD spells categories out (Neglect, Physical abuse...); the contract uses the CIN census "
    "codes NEG, PHY, SAB, EMO, MUL.",
)

CIN_PLANS = FileSpec(
    kind="csc.ssd_cin_plans",
    paths=("csc/ssd/ssd_cin_plans.csv",),
    format="csv",
    description="Child in need plans.",
    standard=SSD.format("ssd_cin_plans"),
    source_id=("cinp_cin_plan_id",),
    person_bearing=False,
    person_refs={"cinp_person_id": "csc.ssd_person"},
    columns=(
        Col("cinp_cin_plan_id", "id", True, "plan id", unique=True),
        Col("cinp_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        _person_id("cinp_person_id", "the child (ssd_person)"),
        Col("cinp_cin_plan_start_date", "date", True, "start date"),
        Col("cinp_cin_plan_end_date", "date", False, "end date"),
        Col("cinp_cin_plan_team", "text", False, "team"),
        Col("cinp_cin_plan_worker_id", "text", False, "worker"),
        *provenance(),
    ),
)

CLA_EPISODES = FileSpec(
    kind="csc.ssd_cla_episodes",
    paths=("csc/ssd/ssd_cla_episodes.csv",),
    format="csv",
    description="Looked-after (care) episodes.",
    standard=SSD.format("ssd_cla_episodes"),
    source_id=("clae_cla_episode_id",),
    person_bearing=False,
    person_refs={"clae_person_id": "csc.ssd_person"},
    columns=(
        Col("clae_cla_episode_id", "id", True, "episode id", unique=True),
        _person_id("clae_person_id", "the child (ssd_person)"),
        Col("clae_cla_episode_start_date", "date", True, "date the episode began"),
        Col(
            "clae_cla_episode_start_reason",
            "code",
            True,
            "reason for new episode",
            codes=codes.CLA_START_REASON,
        ),
        Col("clae_cla_primary_need_code", "code", False, "CIN primary need", codes=codes.PRIMARY_NEED),
        Col("clae_cla_episode_ceased_date", "date", False, "date the episode ended"),
        Col(
            "clae_cla_episode_ceased_reason",
            "code",
            False,
            "reason episode ceased",
            codes=codes.CLA_REASON_CEASED,
        ),
        Col("clae_cla_id", "id", False, "period-of-care id"),
        Col("clae_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        Col("clae_cla_placement_id", "text", False, "placement id"),
        Col("clae_entered_care_date", "date", False, "start of the current period of care"),
        Col("clae_cla_last_iro_contact_date", "date", False, "last IRO contact"),
        *provenance(),
    ),
)

EARLY_HELP_EPISODES = FileSpec(
    kind="csc.ssd_early_help_episodes",
    paths=("csc/ssd/ssd_early_help_episodes.csv",),
    format="csv",
    description="Early help episodes recorded on the social care system (e.g. after a step-down), with "
    "the family's agreement to take the service and why the episode closed.",
    standard=SSD.format("ssd_early_help_episodes"),
    source_id=("earl_episode_id",),
    person_bearing=False,
    person_refs={"earl_person_id": "csc.ssd_person"},
    columns=(
        Col("earl_episode_id", "id", True, "episode id", unique=True),
        _person_id("earl_person_id", "the child (ssd_person)"),
        Col("earl_episode_start_date", "date", True, "start date"),
        Col("earl_episode_end_date", "date", False, "end date"),
        Col("earl_episode_reason", "code", False, "reason for involvement", codes=codes.EH_REASON),
        Col("earl_episode_end_reason", "code", False, "why it ended", codes=codes.EH_CLOSURE_REASON),
        Col("earl_episode_organisation", "text", False, "organisation providing early help"),
        Col("earl_episode_worker_id", "text", False, "allocated worker"),
        Col(
            "earl_ext_consent_to_service",
            "code",
            False,
            "did the family agree to take the service (not consent to share information)",
            codes=codes.EH_CONSENT,
            extension=True,
        ),
        Col(
            "earl_ext_stepped_down_from_referral_id",
            "id",
            False,
            "the CSC referral this was stepped down from",
            extension=True,
        ),
        *provenance(),
    ),
    row_rules=(together("earl_episode_end_date", "earl_episode_end_reason"),),
    notes="SSD leaves the end reason free text ('Outcomes met/ Step-up/ NFA'); the contract uses codes.",
)

MISSING = FileSpec(
    kind="csc.ssd_missing",
    paths=("csc/ssd/ssd_missing.csv",),
    format="csv",
    description="Missing and away-from-placement episodes known to the LA, with return interviews.",
    standard=SSD.format("ssd_missing"),
    source_id=("miss_table_id",),
    person_bearing=False,
    person_refs={"miss_person_id": "csc.ssd_person"},
    columns=(
        Col("miss_table_id", "id", True, "row id", unique=True),
        _person_id("miss_person_id", "the child (ssd_person)"),
        Col("miss_missing_episode_start_date", "date", True, "start"),
        Col("miss_missing_episode_type", "code", True, "missing or away", codes=codes.MISSING_TYPE),
        Col("miss_missing_episode_end_date", "date", False, "end"),
        Col("miss_missing_rhi_offered", "code", False, "return home interview offered", codes=codes.RHI),
        Col("miss_missing_rhi_accepted", "code", False, "return home interview accepted", codes=codes.RHI),
        *provenance(),
    ),
)

MOTHER = FileSpec(
    kind="csc.ssd_mother",
    paths=("csc/ssd/ssd_mother.csv",),
    format="csv",
    description="Mother-child links (for looked-after children who are mothers and for all mothers held).",
    standard=SSD.format("ssd_mother"),
    source_id=("moth_table_id",),
    person_bearing=False,
    person_refs={"moth_person_id": "csc.ssd_person", "moth_childs_person_id": "csc.ssd_person"},
    columns=(
        Col("moth_table_id", "id", True, "row id", unique=True),
        _person_id("moth_person_id", "the mother (ssd_person)"),
        _person_id("moth_childs_person_id", "her child (ssd_person)"),
        Col("moth_childs_dob", "date", False, "child's date of birth"),
        *provenance(),
    ),
)

INVOLVEMENTS = FileSpec(
    kind="csc.ssd_involvements",
    paths=("csc/ssd/ssd_involvements.csv",),
    format="csv",
    description="Which worker and team were involved with a child, and when.",
    standard=SSD.format("ssd_involvements"),
    source_id=("invo_involvements_id",),
    person_bearing=False,
    person_refs={"invo_person_id": "csc.ssd_person"},
    columns=(
        Col("invo_involvements_id", "id", True, "row id", unique=True),
        Col("invo_professional_id", "id", False, "worker id"),
        Col("invo_professional_role_id", "text", False, "worker role (e.g. allocated social worker)"),
        Col("invo_professional_team", "text", False, "team"),
        Col("invo_involvement_start_date", "date", True, "start"),
        Col("invo_involvement_end_date", "date", False, "end"),
        Col("invo_worker_change_reason", "text", False, "reason for change of worker (SSD code set)"),
        _person_id("invo_person_id", "the child (ssd_person)"),
        Col("invo_referral_id", "id", False, "the referral (ssd_cin_episodes)"),
        *provenance(),
    ),
)

VOICE_OF_CHILD = FileSpec(
    kind="csc.ssd_voice_of_child",
    paths=("csc/ssd/ssd_voice_of_child.csv",),
    format="csv",
    description="The child's recorded views: the SSD questionnaire answers and, as an extension, the "
    "child's own words.",
    standard=SSD.format("ssd_voice_of_child"),
    source_id=("voch_table_id",),
    person_bearing=False,
    person_refs={"voch_person_id": "csc.ssd_person"},
    columns=(
        Col("voch_table_id", "id", True, "row id", unique=True),
        _person_id("voch_person_id", "the child (ssd_person)"),
        Col("voch_explained_worries", "flag", False, "someone explained why people are worried"),
        Col("voch_story_help_understand", "flag", False, "the story helped the child understand"),
        Col("voch_agree_worker", "flag", False, "agrees with the worker about what needs to happen"),
        Col("voch_plan_safe", "flag", False, "thinks the plan says what everyone must do"),
        Col("voch_tablet_help_explain", "flag", False, "the tablet helped to explain"),
        Col("voch_ext_views", "text", False, "the child's own words, as recorded", extension=True),
        *provenance("role of the worker who recorded the child's views"),
    ),
)


def _linked_identifier_ok(df: pd.DataFrame) -> pd.Series:
    kind = df["link_identifier_type"]
    value = df["link_identifier_value"]
    upn_bad = (kind == "Unique Pupil Number") & ~value.map(ids.is_valid_upn).astype(bool)
    nhs_bad = (kind == "NHS Number") & ~value.map(ids.is_valid_nhs_number).astype(bool)
    return ~(upn_bad | nhs_bad)


LINKED_IDENTIFIERS = FileSpec(
    kind="csc.ssd_linked_identifiers",
    paths=("csc/ssd/ssd_linked_identifiers.csv",),
    format="csv",
    description="Other agencies' identifiers the LA holds for a person (UPN, NHS number, police reference...).",
    standard=SSD.format("ssd_linked_identifiers"),
    source_id=("link_table_id",),
    person_bearing=False,
    person_refs={"link_person_id": "csc.ssd_person"},
    columns=(
        Col("link_table_id", "id", True, "row id", unique=True),
        _person_id("link_person_id"),
        Col("link_identifier_type", "code", True, "type of identifier", codes=LINKED_ID_TYPE),
        Col("link_identifier_value", "text", True, "the identifier"),
        Col("link_valid_from_date", "date", False, "known from"),
        Col("link_valid_to_date", "date", False, "valid until"),
        *provenance(),
    ),
    row_rules=(
        RowRule(
            "identifier_value_valid",
            ("link_identifier_type", "link_identifier_value"),
            "a UPN or NHS number must pass its check character",
            _linked_identifier_ok,
        ),
    ),
)

PERSON_RELATIONSHIPS = FileSpec(
    kind="csc.ssd_person_relationships",
    paths=("csc/ssd/ssd_person_relationships.csv",),
    format="csv",
    description="Extension table (not in the SSD): relationships between people the LA holds, directed: "
    "`rel_relationship` says what rel_person_id is to rel_related_person_id.",
    standard="Jigsaw extension to the SSD (vocabulary from POLE person-to-person links)",
    source_id=("rel_table_id",),
    person_bearing=False,
    person_refs={"rel_person_id": "csc.ssd_person", "rel_related_person_id": "csc.ssd_person"},
    columns=(
        Col("rel_table_id", "id", True, "row id", unique=True, extension=True),
        _person_id("rel_person_id", "person A (ssd_person)"),
        _person_id("rel_related_person_id", "person B (ssd_person)"),
        Col("rel_relationship", "code", True, "what A is to B", codes=codes.RELATIONSHIP, extension=True),
        Col("rel_start_date", "date", False, "from", extension=True),
        Col("rel_end_date", "date", False, "to", extension=True),
        *provenance(),
    ),
)

# --- SSDA903 (exact DfE layout: no provenance columns, dates DD/MM/YYYY) ---------------------------------

SSDA903 = "DfE SSDA903 children looked after return ({} file)"

SSDA903_HEADER = FileSpec(
    kind="csc.ssda903_header",
    paths=("csc/ssda903/header.csv",),
    format="csv",
    description="One row per looked-after child.",
    standard=SSDA903.format("header"),
    source_id=("CHILD",),
    person_bearing=True,
    date_format=UK_DATE,
    columns=(
        Col("CHILD", "la_child_id", True, "LA child id", unique=True),
        Col("SEX", "code", True, "sex", codes={"1": "male", "2": "female"}),
        Col("DOB", "date", True, "date of birth"),
        Col("ETHNIC", "code", True, "ethnicity", codes=codes.ETHNICITY),
        Col("UPN", "upn_or_unknown", True, "UPN or UPN-unknown code"),
        Col("MOTHER", "code", False, "is the child a mother", codes={"1": "yes", "0": "no"}),
        Col("MC_DOB", "date", False, "date of birth of the mother's child"),
    ),
    notes="The DfE layout has no room for provenance: the ingest records the file's own date.",
)

SSDA903_EPISODES = FileSpec(
    kind="csc.ssda903_episodes",
    paths=("csc/ssda903/episodes.csv",),
    format="csv",
    description="Episodes of care (a new row at every change of legal status or placement).",
    standard=SSDA903.format("episodes"),
    source_id=("CHILD", "DECOM"),
    person_bearing=False,
    person_refs={"CHILD": "csc.ssda903_header"},
    date_format=UK_DATE,
    columns=(
        Col("CHILD", "la_child_id", True, "LA child id (header.csv)"),
        Col("DECOM", "date", True, "date episode commenced"),
        Col("RNE", "code", True, "reason for new episode", codes=codes.CLA_START_REASON),
        Col("LS", "code", True, "legal status", codes=codes.CLA_LEGAL_STATUS),
        Col("CIN", "code", True, "category of need", codes=codes.PRIMARY_NEED),
        Col("PLACE", "code", True, "placement type", codes=codes.CLA_PLACEMENT),
        Col("PLACE_PROVIDER", "code", False, "placement provider", codes=codes.CLA_PLACE_PROVIDER),
        Col("DEC", "date", False, "date episode ceased"),
        Col("REC", "code", False, "reason episode ceased", codes=codes.CLA_REASON_CEASED),
        Col(
            "REASON_PLACE_CHANGE",
            "code",
            False,
            "reason for placement change",
            codes=codes.CLA_REASON_PLACE_CHANGE,
        ),
        Col("HOME_POST", "postcode", False, "postcode of the home the child was taken from"),
        Col("PL_POST", "postcode", False, "placement postcode"),
        Col("URN", "text", False, "placement URN (Ofsted)"),
    ),
)

SSDA903_MISSING = FileSpec(
    kind="csc.ssda903_missing",
    paths=("csc/ssda903/missing.csv",),
    format="csv",
    description="Missing (M) and away-without-authorisation (A) episodes of looked-after children.",
    standard=SSDA903.format("missing"),
    source_id=("CHILD", "MIS_START"),
    person_bearing=False,
    person_refs={"CHILD": "csc.ssda903_header"},
    date_format=UK_DATE,
    columns=(
        Col("CHILD", "la_child_id", True, "LA child id (header.csv)"),
        Col("DOB", "date", True, "date of birth"),
        Col("MISSING", "code", True, "missing or away", codes=codes.MISSING_TYPE),
        Col("MIS_START", "date", True, "start"),
        Col("MIS_END", "date", False, "end"),
    ),
)

# --- CIN census XML ------------------------------------------------------------------------------------------

CIN_XSD_ENV = "JIGSAW_CIN_XSD"


def cin_xsd_path() -> Path:
    """The DfE CIN census schema (2026). Not shipped in the repository: set JIGSAW_CIN_XSD, or keep the
    public samples beside the project (../shared/data/public/cin-census/CIN_schema_2026.xsd)."""
    env = os.environ.get(CIN_XSD_ENV)
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2]
    return root.parent / "shared" / "data" / "public" / "cin-census" / "CIN_schema_2026.xsd"


_CHILD_RE = re.compile(r"/Message/Children/Child(?:\[(\d+)\])?")


def validate_cin_census(path: Path, name: str) -> ValidationResult:
    """XSD validation (2026 schema) plus the contract's own checks on each <Child>: LAchildID format and
    the UPN / FormerUPN check letters. Each <Child> is one record; `row` is its 1-based position."""
    import xmlschema

    failures: list[Failure] = []
    xsd = cin_xsd_path()
    if not xsd.exists():
        raise FileNotFoundError(f"CIN census schema not found at {xsd} (set {CIN_XSD_ENV})")
    schema = xmlschema.XMLSchema(str(xsd))
    for err in schema.iter_errors(str(path)):
        match = _CHILD_RE.search(err.path or "")
        row = int(match.group(1) or 1) if match else None
        failures.append(Failure(name, row, (err.path or "*").rsplit("/", 1)[-1], f"XSD: {err.reason}"))
    tree = ElementTree.parse(path)
    valid: list[dict[str, Any]] = []
    for pos, child in enumerate(tree.getroot().iterfind("Children/Child"), start=1):
        idents = child.find("ChildIdentifiers")
        la_id = idents.findtext("LAchildID") if idents is not None else None
        problems: list[Failure] = []
        if not ids.is_valid_la_child_id(la_id):
            problems.append(Failure(name, pos, "LAchildID", f"not an LA child id: {la_id!r}"))
        for tag in ("UPN", "FormerUPN"):
            value = idents.findtext(tag) if idents is not None else None
            if value is not None and not ids.is_valid_upn(value):
                problems.append(Failure(name, pos, tag, f"UPN check letter wrong: {value!r}"))
        failures.extend(problems)
        if not problems and not any(f.row == pos for f in failures):
            valid.append({"_line": pos, "LAchildID": la_id, "element": child})
    failures.sort(key=lambda f: (f.row or 0, f.field))
    return ValidationResult("csc.cin_census", valid, failures)


CIN_CENSUS = FileSpec(
    kind="csc.cin_census",
    paths=("csc/cin_census.xml",),
    format="xml",
    description="The DfE Children in Need census return: one <Child> per child with CIN details "
    "(referrals, assessments with factors, s47 enquiries, CIN and CP plans). Must validate against "
    "CIN_schema_2026.xsd.",
    standard="DfE Children in Need census, 2026 schema (CIN_schema_2026.xsd)",
    source_id=("LAchildID",),
    person_bearing=True,
    validator=validate_cin_census,
    notes="Elements and codes are those of the XSD; dates are YYYY-MM-DD; Sex is M/F/U (2026). "
    "A record is one <Child>; its source record id is its LAchildID.",
)

FILES = (
    PERSON,
    FAMILY,
    ADDRESS,
    CONTACTS,
    CIN_EPISODES,
    CIN_ASSESSMENTS,
    ASSESSMENT_FACTORS,
    S47,
    CP_PLANS,
    CIN_PLANS,
    CLA_EPISODES,
    EARLY_HELP_EPISODES,
    MISSING,
    MOTHER,
    INVOLVEMENTS,
    VOICE_OF_CHILD,
    LINKED_IDENTIFIERS,
    PERSON_RELATIONSHIPS,
    CIN_CENSUS,
    SSDA903_HEADER,
    SSDA903_EPISODES,
    SSDA903_MISSING,
)
