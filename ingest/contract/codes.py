"""Code lists shared by the agencies' files (DfE CIN census, SSDA903, SSD, the product's own vocabularies).

Every list is a dict code -> meaning, so the data contract document can print the meanings.
"""

from __future__ import annotations

BASIS = {
    "fact": "something observed, verified or recorded as having happened",
    "opinion": "a judgement, "
    "belief or allegation (the guidance asks that fact and opinion be distinguishable)",
}

YES_NO = {"Y": "yes", "N": "no"}

SEX = {"M": "male", "F": "female", "U": "unknown / not stated"}

# DfE ethnicity codes (CIN census 2026 XSD; note the XSD spells Chinese CHNE)
ETHNICITY = {
    "WBRI": "White British",
    "WIRI": "White Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Caribbean",
    "BAFR": "African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

# CIN census referral source (also used for contact sources and by other agencies' referrals)
REFERRAL_SOURCE = {
    "1A": "individual: family member, relative or carer",
    "1B": "individual: acquaintance (including neighbours and child minders)",
    "1C": "individual: self",
    "1D": "individual: other (including strangers)",
    "2A": "schools",
    "2B": "education services",
    "3A": "health: GP",
    "3B": "health: health visitor",
    "3C": "health: school nurse",
    "3D": "health: other primary health services",
    "3E": "health: A&E",
    "3F": "health: other (for example hospice)",
    "4": "housing (LA housing or housing association)",
    "5A": "LA services: social care (e.g. adult social care)",
    "5B": "LA services: other internal",
    "5C": "LA services: external (another LA)",
    "5D": "LA services: early help",
    "6": "police",
    "7": "other legal agency (courts, probation, immigration, CAFCASS, prison)",
    "8": "other (children's centres, independent providers, voluntary organisations)",
    "9": "anonymous",
    "10": "unknown",
}

PRIMARY_NEED = {
    "N0": "not stated",
    "N1": "abuse, neglect and exploitation",
    "N2": "child's disability",
    "N3": "parental disability or illness",
    "N4": "family in acute stress",
    "N5": "family dysfunction",
    "N6": "socially unacceptable behaviour",
    "N7": "low income",
    "N8": "absent parenting",
    "N9": "cases other than children in need",
}

CIN_CLOSURE_REASON = {
    "RC1": "adopted",
    "RC2": "died",
    "RC3": "child arrangements order",
    "RC4": "special guardianship order",
    "RC5": "transferred to another local authority",
    "RC6": "transferred to adult social care",
    "RC7": "services ceased for any other reason, including child no longer in need",
    "RC8": "case closed after assessment, no further action",
    "RC9": "case closed after assessment, referred to early help",
}

# CIN census factors identified at assessment. Suffix A = the child, B = a parent/carer, C = another person in
# the household. 18A and 19A are deprecated and not accepted.
_FACTOR_TOPICS = {
    "1": "alcohol misuse",
    "2": "drug misuse",
    "3": "domestic violence (the named person is the subject)",
    "4": "mental health",
    "5": "learning disability",
    "6": "physical disability or illness",
}
_SUFFIX = {"A": "the child", "B": "a parent or carer", "C": "another person in the household"}
ASSESSMENT_FACTOR: dict[str, str] = {
    f"{num}{suf}": f"{topic}: {who}" for num, topic in _FACTOR_TOPICS.items() for suf, who in _SUFFIX.items()
}
ASSESSMENT_FACTOR.update(
    {
        "7A": "young carer",
        "8B": "privately fostered: overseas child intending to return",
        "8C": "privately fostered: overseas child intending to stay",
        "8D": "privately fostered: UK child in educational placement",
        "8E": "privately fostered: UK child, alternative family arrangements",
        "8F": "privately fostered: other",
        "9A": "unaccompanied asylum-seeking child",
        "10A": "going/being missing",
        "11A": "child sexual exploitation",
        "12A": "trafficking",
        "13A": "gangs",
        "14A": "socially unacceptable behaviour",
        "15A": "self-harm",
        "16A": "neglect",
        "17A": "emotional abuse",
        "18B": "physical abuse: child on child",
        "18C": "physical abuse: adult on child",
        "19B": "sexual abuse: child on child",
        "19C": "sexual abuse: adult on child",
        "20": "other",
        "21": "no factors identified",
        "22A": "female genital mutilation",
        "23A": "abuse linked to faith or belief",
        "24A": "child criminal exploitation",
    }
)

CATEGORY_OF_ABUSE = {
    "NEG": "neglect",
    "PHY": "physical abuse",
    "SAB": "sexual abuse",
    "EMO": "emotional abuse",
    "MUL": "multiple",
}

# SSDA903 / SSD looked-after episodes
CLA_START_REASON = {
    "S": "started to be looked after",
    "L": "change of legal status only",
    "P": "change of placement and carer(s) only",
    "T": "change of placement (same carer(s)) only",
    "B": "change of legal status and placement and carer(s)",
    "U": "change of legal status and change of placement (same carer(s))",
}
CLA_LEGAL_STATUS = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "freeing order granted",
    "E1": "placement order granted",
    "J1": "remanded to LA accommodation",
    "J2": "placed in LA accommodation under PACE",
    "J3": "sentenced to CRO with residence requirement",
    "L1": "under police protection",
    "L2": "emergency protection order",
    "L3": "child assessment order",
    "V2": "single period of accommodation under s20",
    "V3": "accommodated under agreed series of short-term breaks",
    "V4": "accommodated under s20 (series of short breaks)",
}
CLA_PLACEMENT = {
    "A3": "placed for adoption, consent, with current foster carer",
    "A4": "placed for adoption, consent, not with current foster carer",
    "A5": "placed for adoption, placement order, with current foster carer",
    "A6": "placed for adoption, placement order, not with current foster carer",
    "H5": "semi-independent living",
    "K1": "secure children's home",
    "K2": "children's home",
    "P1": "placed with own parent(s)",
    "P2": "independent living",
    "P3": "residential employment",
    "R1": "residential care home",
    "R2": "NHS/health trust",
    "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison",
    "S1": "all residential schools",
    "T0": "temporary: all types",
    "T1": "temporary: periods in hospital",
    "T2": "temporary: holiday away from normal placement",
    "T3": "temporary: short period away, e.g. with relatives",
    "T4": "temporary: short period in another placement",
    "U1": "foster placement with relative or friend, long term",
    "U2": "foster placement with relative or friend, FFA/concurrent",
    "U3": "foster placement with relative or friend, not long term or FFA",
    "U4": "foster placement with other foster carer, long term",
    "U5": "foster placement with other foster carer, FFA/concurrent",
    "U6": "foster placement with other foster carer, not long term or FFA",
    "Z1": "other placement",
}
CLA_PLACE_PROVIDER = {
    "PR0": "parent(s) or person with parental responsibility",
    "PR1": "own provision (by the LA)",
    "PR2": "other LA provision",
    "PR3": "other public provision",
    "PR4": "private provision",
    "PR5": "voluntary/third sector provision",
}
CLA_REASON_CEASED = {
    "X1": "episode ceased, child remains looked after",
    "E11": "adopted: application unopposed",
    "E12": "adopted: application opposed",
    "E13": "left care to live with parent(s) or relative(s)",
    "E14": "accommodation on remand ended",
    "E15": "age assessment determined child aged 18 or over",
    "E16": "child moved abroad",
    "E17": "aged 18 (or over) and remained with current carers",
    "E2": "died",
    "E3": "care taken over by another LA",
    "E41": "residence order / child arrangements order granted",
    "E45": "special guardianship order: former foster carers",
    "E46": "special guardianship order: other",
    "E47": "special guardianship order: relatives or friends",
    "E48": "special guardianship order: relatives or friends, other",
    "E4A": "returned home to live with parent(s) etc, as part of care planning",
    "E4B": "returned home, not as part of care planning",
    "E5": "moved into independent living (supportive accommodation)",
    "E6": "moved into independent living (no formalised support)",
    "E7": "transferred to residential care funded by adult social services",
    "E8": "period of being looked after ceased for any other reason",
    "E9": "sentenced to custody",
}
CLA_REASON_PLACE_CHANGE = {
    "CARPL": "change to/implementation of care plan",
    "CLOSE": "resignation/closure of provision",
    "ALLEG": "allegation (s47)",
    "STAND": "standards of care concern",
    "APPRR": "approval removed",
    "CREQB": "carer requests placement end due to child's behaviour",
    "CREQO": "carer requests placement end, other than due to child's behaviour",
    "CHILD": "child requests placement end",
    "LAREQ": "responsible/area authority requests placement end",
    "PLACE": "change in the status of placement only",
    "CUSTOD": "child in custody",
    "OTHER": "other",
}
MISSING_TYPE = {"M": "missing (whereabouts unknown)", "A": "away from placement without authorisation"}
RHI = {"Y": "yes", "N": "no", "NA": "not applicable"}

# Police
OCCURRENCE_TYPE = {
    "police_incident": "a police incident (call for service, not a crime)",
    "crime": "a notifiable crime",
    "cpnci": "child protection non-crime incident",
    "da_incident": "domestic abuse incident (DASH risk assessment completed)",
    "missing_episode": "a person reported missing",
}
DASH_GRADE = {"standard": "standard risk", "medium": "medium risk", "high": "high risk (MARAC threshold)"}
ROLE = {
    "victim": "the person harmed or at risk",
    "suspect": "the person suspected of causing harm",
    "witness": "saw or heard what happened",
    "subject": "the person the record is about (missing person, CPNCI child, concern subject)",
    "present": "there at the time, not otherwise involved (e.g. a child present at a DA incident)",
    "reporter": "reported the occurrence",
}
RELATIONSHIP = {
    "parent": "A is a parent of B",
    "step-parent": "A is a step-parent of B",
    "partner": "A and B are partners (current)",
    "ex-partner": "A and B were partners",
    "sibling": "A and B are siblings (incl. half-siblings)",
    "carer": "A cares for B (kinship, foster, informal)",
    "grandparent": "A is a grandparent of B",
    "other-relative": "A is another relative of B",
    "lives-with": "A lives with B (POLE KNOWS_LW)",
    "associate": "A knows or associates with B",
}
POLICE_FLAG = {
    "violence": "violent offending marker",
    "sexual_offending": "sexual offending marker",
    "da_perpetrator": "domestic abuse perpetrator marker",
    "mappa": "managed under MAPPA (level in mappa_level)",
    "weapons": "weapons marker",
    "drugs": "drugs marker",
    "missing_person": "repeat missing person",
    "vulnerable": "vulnerable person",
}
MAPPA_LEVEL = {"1": "ordinary agency management", "2": "active multi-agency management", "3": "senior level"}
MAPPA_CATEGORY = {
    "1": "registered sexual offender",
    "2": "violent offender (12 months+ custody) or other sexual offender",
    "3": "other dangerous offender",
}
LOCATION_TYPE = {
    "dwelling": "a home",
    "public_place": "street, park, public open space",
    "school": "a school or college",
    "commercial": "shop, pub, business premises",
    "other": "other",
}
CRIME_CATEGORY = {
    "violence_against_person": "violence against the person",
    "sexual_offence": "sexual offence",
    "robbery": "robbery",
    "burglary": "burglary",
    "theft": "theft",
    "criminal_damage": "criminal damage and arson",
    "drugs": "drug offence",
    "weapons": "possession of weapons",
    "public_order": "public order offence",
    "other": "other crime",
}

# Health
FHIR_GENDER = {"male": "male", "female": "female", "other": "other", "unknown": "unknown"}
FHIR_RELATIONSHIP = {
    "MTH": "mother",
    "FTH": "father",
    "NFTH": "natural father",
    "STPMTH": "stepmother",
    "STPFTH": "stepfather",
    "DOMPART": "domestic partner (e.g. the mother's partner)",
    "GRMTH": "grandmother",
    "GRFTH": "grandfather",
    "GUARD": "guardian",
    "SIB": "sibling",
    "FAMMEMB": "family member",
    "FRND": "friend",
}
ENCOUNTER_KIND = {
    "ae-attendance": "an A&E (emergency department) attendance",
    "was-not-brought": "a child's appointment the child was not brought to",
    "did-not-attend": "an adult's missed appointment",
    "antenatal-booking": "the first antenatal (booking) appointment of a pregnancy",
    "gp-consultation": "a GP consultation",
    "health-visitor-contact": "a health visitor contact",
}
ENCOUNTER_CLASS = {"EMER": "emergency", "AMB": "ambulatory", "HH": "home health", "VR": "virtual"}
ENCOUNTER_STATUS = {
    "planned": "planned",
    "arrived": "arrived",
    "triaged": "triaged",
    "in-progress": "in progress",
    "finished": "finished",
    "cancelled": "cancelled (used with was-not-brought / did-not-attend)",
    "entered-in-error": "entered in error",
    "unknown": "unknown",
}
CPIS_FLAG = {
    "cp-plan": "child protection plan",
    "looked-after": "looked-after child",
    "unborn-cp-plan": "unborn child protection plan (flag on the mother's record)",
}
FLAG_STATUS = {"active": "active", "inactive": "inactive", "entered-in-error": "entered in error"}
MATERNITY_OUTCOME = {
    "ongoing": "pregnancy ongoing",
    "live_birth": "live birth",
    "stillbirth": "stillbirth",
    "miscarriage": "miscarriage",
    "termination": "termination",
}

# Education
SCHOOL_SEX = {"M": "male", "F": "female"}
SEN_PROVISION = {
    "N": "no special educational need",
    "K": "SEN support",
    "E": "education, health and care plan",
}
TERM = {"autumn": "autumn term", "spring": "spring term", "summer": "summer term"}
EXCLUSION_TYPE = {"suspension": "suspension (fixed period)", "permanent": "permanent exclusion"}
EXCLUSION_REASON = {
    "PP": "physical assault against a pupil",
    "PA": "physical assault against an adult",
    "VP": "verbal abuse/threatening behaviour against a pupil",
    "VA": "verbal abuse/threatening behaviour against an adult",
    "BU": "bullying",
    "RA": "racist abuse",
    "SM": "sexual misconduct",
    "DA": "drug and alcohol related",
    "DM": "damage",
    "TH": "theft",
    "PD": "persistent disruptive behaviour",
    "MT": "use or threat of use of an offensive weapon or prohibited item",
    "OT": "other",
}
CME_REASON = {
    "not_attended_10_days": "not attended for 10 school days or more without authorisation",
    "moved_address_unknown": "moved, new address not known",
    "left_uk": "believed to have left the UK",
    "off_rolled": "removed from roll, no new school",
    "never_registered": "never registered at a school",
}
CONTACT_RELATIONSHIP = {
    "parent": "parent",
    "step-parent": "step-parent",
    "carer": "carer",
    "grandparent": "grandparent",
    "other-relative": "other relative",
    "partner-of-parent": "parent's partner",
    "social-worker": "social worker (professional contact)",
}

# Early help
EH_CONSENT = {
    "Y": "the family agreed to take the service",
    "N": "the family did not agree",
    "W": "agreement withdrawn during the episode",
}
EH_REASON = {
    "parenting": "parenting support",
    "behaviour": "child's behaviour",
    "school_attendance": "school attendance",
    "domestic_abuse": "domestic abuse",
    "mental_health": "mental health (child or parent)",
    "substance_misuse": "substance misuse",
    "housing_finance": "housing, debt or finance",
    "other": "other",
}
EH_CLOSURE_REASON = {
    "outcomes_met": "outcomes met",
    "step_up_csc": "stepped up to children's social care",
    "no_consent": "closed: family did not consent to the service",
    "disengaged": "closed: family disengaged",
    "moved_away": "family moved out of area",
    "step_down_universal": "stepped down to universal services",
}

# Probation
ORDER_TYPE = {
    "community_order": "community order",
    "suspended_sentence": "suspended sentence order",
    "licence": "licence after custody",
    "post_sentence_supervision": "post-sentence supervision",
}
OFFENCE_CATEGORY = {
    "violence": "violence against the person",
    "sexual": "sexual offence",
    "domestic_abuse": "domestic abuse related",
    "drugs": "drugs",
    "acquisitive": "theft, burglary, fraud",
    "public_order": "public order",
    "motoring": "motoring",
    "other": "other",
}
ROSH = {"low": "low", "medium": "medium", "high": "high", "very_high": "very high"}

# Housing
TENURE = {
    "council": "local authority tenancy",
    "housing_association": "housing association tenancy",
    "temporary_accommodation": "temporary accommodation (homelessness duty)",
    "private_rented_scheme": "private rented sector via the council's scheme",
}
TENANCY_END_REASON = {
    "ended_by_tenant": "ended by the tenant",
    "transfer": "transferred to another tenancy",
    "eviction": "evicted",
    "abandonment": "abandoned",
    "death": "tenant died",
    "other": "other",
}
OCCUPANT_ROLE = {
    "lead_tenant": "lead tenant",
    "joint_tenant": "joint tenant",
    "household_member": "household member",
    "lodger": "lodger / other occupant",
}
TENANCY_EVENT = {
    "asb_complaint": "anti-social behaviour complaint",
    "arrears_notice": "rent arrears notice",
    "eviction_notice": "notice seeking possession",
    "disrepair_visit": "disrepair / property inspection visit",
    "welfare_visit": "tenancy welfare visit",
    "da_disclosure": "domestic abuse disclosed to housing",
    "unauthorised_occupant": "unauthorised occupant reported",
}

# Third sector
ORGANISATION_TYPE = {
    "sports_club": "sports club or governing body",
    "charity": "charity",
    "faith_group": "faith group",
    "youth_club": "youth club",
    "helpline": "helpline",
}
CONCERN_CATEGORY = {
    "neglect": "neglect",
    "physical": "physical harm",
    "sexual": "sexual harm",
    "emotional": "emotional harm",
    "exploitation": "exploitation",
    "adult_risk": "an adult posing a risk to children",
    "wellbeing": "general welfare concern",
}
LEGAL_BASIS = {
    "consent": "UK GDPR Art 6(1)(a) consent (valid for a third-sector request, not the basis for safeguarding)",
    "legitimate_interests": "UK GDPR Art 6(1)(f) legitimate interests",
    "public_task": "UK GDPR Art 6(1)(e) public task",
    "vital_interests": "UK GDPR Art 6(1)(d) vital interests",
    "legal_obligation": "UK GDPR Art 6(1)(c) legal obligation (e.g. Children Act 2004 s11)",
}
