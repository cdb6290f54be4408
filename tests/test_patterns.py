"""The scheduled patterns on small hand-built graphs (and the guidance's case studies 1, 3, 4 and 5), on the
real server: exactly the children, anchors and evidence expected, and nothing else."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from graph.config import Settings
from queries import alerts, patterns
from queries.adults import children_around, children_who_may_hide, hidden_adults
from queries.alerts import Finding
from queries.model import Window
from tests.test_queries_graphkit import Kit, address

REF = date(2026, 1, 31)


def found(
    graph: neo4j.Driver, settings: Settings, name: str, ref: date = REF
) -> dict[tuple[str, str], alerts.Finding]:
    report = patterns.run_patterns(graph, settings.database, [name], reference_date=ref, save=False)
    assert [r.pattern for r in report.results] == [name]
    return {(f.person_id, f.anchor): f for f in report.findings}


def evidence_keys(f: alerts.Finding) -> list[str]:
    return [e["fact_key"] for e in f.evidence]


def extract_began(k: Kit, on: date = date(2020, 4, 1)) -> None:
    """Children's social care's extract reaches back to ``on`` (a contact about another child then)."""
    k.person("OLDER", date(2008, 1, 1))
    k.fact("csc", "contact", on, (k.record("OLDER", "csc"), "subject"))


# -- guidance case study 1: police CPNCI referred to early help ------------------------------------------------


def test_case_1_incident_referred_to_early_help_flags_only_the_child_nobody_referred(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("BOY", date(2018, 6, 1), name="Boy, 7")
    k.person("SIS", date(2022, 9, 1), name="Sister, 3")
    k.person("MUM", date(1990, 1, 1), name="Mother")
    boy, sis, mum = k.record("BOY", "police"), k.record("SIS", "police"), k.record("MUM", "police")
    boy_eh = k.record("BOY", "early_help")
    extract_began(k)
    cpnci = k.fact("police", "cpnci", date(2025, 10, 6), (boy, "subject"), (sis, "present"), (mum, "reporter"),
                   summary="Mother reports 7-year-old attacking everyone, nearly hit his sister", basis="opinion",
                   children_present=True, referred_to_csc=True, referral_date=date(2025, 10, 7))  # fmt: skip
    k.fact("early_help", "early_help_episode", date(2025, 10, 20), (boy_eh, "subject"),
           referral_date=date(2025, 10, 7), consent_to_service="Y", reason="behaviour")  # fmt: skip
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "incident_without_referral")
    assert list(got) == [("SIS", cpnci)]
    f = got[("SIS", cpnci)]
    assert evidence_keys(f) == [cpnci]
    assert f.people[0] == {"person_id": "SIS", "relation": "child", "record_keys": [sis]}
    assert "present" in f.summary and "the police record says referred on 2025-10-07" in f.summary
    assert f.evidence[0]["basis"] == "opinion" and f.evidence[0]["recorded_by_role"] == "PC"


def test_incident_without_referral_waits_for_the_days_and_counts_a_csc_contact(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("A", date(2015, 1, 1))
    k.person("B", date(2016, 1, 1))
    k.person("ADULT", date(1980, 1, 1))
    a, b, adult = k.record("A", "police"), k.record("B", "police"), k.record("ADULT", "police")
    a_csc = k.record("A", "csc")
    extract_began(k)
    da = k.fact("police", "da_incident", date(2026, 1, 10), (adult, "suspect"), (a, "present"), (b, "present"),
                dash_grade="standard", children_present=True)  # fmt: skip
    k.fact("csc", "contact", date(2026, 1, 12), (a_csc, "subject"), referral_source="6")
    recent = k.fact("police", "police_incident", date(2026, 1, 30), (adult, "subject"), (b, "present"))
    adult_only = k.fact("police", "crime", date(2025, 5, 1), (adult, "suspect"), crime_category="theft")
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "incident_without_referral")
    assert list(got) == [("B", da)]  # A was referred in 2 days; the 30 Jan incident is not 3 days old yet
    assert recent not in {a for _, a in got} and adult_only not in {a for _, a in got}
    later = found(graph, neo4j_settings, "incident_without_referral", date(2026, 2, 10))
    assert sorted(later) == [("B", da), ("B", recent)]


def test_a_referral_about_a_child_record_kept_apart_counts_when_it_gives_the_incident_as_its_reference(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    """At 200,000 children entity resolution kept some children's social care records apart from their police
    records, and each child showed as not referred; the contact gives the police occurrence as the referrer's
    reference. One such contact per child without a referral: each arrived. Fewer: which one arrived cannot be
    told, and every such child is listed."""
    k = Kit()
    k.person("KID", date(2015, 1, 1))
    k.person("KID_APART", date(2015, 1, 1))  # the same child as resolution left it: a person of its own
    k.person("SIB", date(2017, 1, 1))
    k.person("MAN", date(1980, 1, 1))
    kid, sib, man = k.record("KID", "police"), k.record("SIB", "police"), k.record("MAN", "police")
    kid_apart, sib_csc = k.record("KID_APART", "csc"), k.record("SIB", "csc")
    extract_began(k)

    def incident(rid: str, day: date) -> str:
        return k.fact("police", "da_incident", day, (man, "suspect"), (kid, "present"), (sib, "present"),
                      rid=rid, children_present=True)  # fmt: skip

    def contact(rec: str, day: date, reference: str) -> None:
        k.fact("csc", "contact", day, (rec, "subject"), referral_source="6", referrer_reference=reference)

    both = incident(
        "OC2026-000011", date(2026, 1, 10)
    )  # SIB's contact on SIB, KID's on the record kept apart
    contact(sib_csc, date(2026, 1, 11), "OC2026-000011")
    contact(kid_apart, date(2026, 1, 11), "OC2026-000011")
    sib_only = incident("OC2026-000022", date(2026, 2, 1))  # only SIB's: KID was not referred
    contact(sib_csc, date(2026, 2, 2), "OC2026-000022")
    one_of_two = incident("OC2026-000033", date(2026, 3, 1))  # one contact kept apart, two children without
    contact(kid_apart, date(2026, 3, 2), "OC2026-000033")
    other_reference = incident("OC2026-000044", date(2026, 3, 20))  # a contact about another incident
    contact(kid_apart, date(2026, 3, 21), "OC2026-000099")
    contact(sib_csc, date(2026, 3, 21), "OC2026-000044")
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "incident_without_referral", date(2026, 4, 30))
    assert sorted(got) == sorted(
        [("KID", sib_only), ("KID", one_of_two), ("SIB", one_of_two), ("KID", other_reference)]
    )
    assert both not in {a for _, a in got}


def test_no_referral_is_not_claimed_before_social_cares_extract_begins(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("KID", date(2012, 1, 1))
    k.person("MAN", date(1980, 1, 1))
    kid, man = k.record("KID", "police"), k.record("MAN", "police")
    old = k.fact("police", "da_incident", date(2019, 6, 1), (man, "suspect"), (kid, "present"))
    new = k.fact("police", "da_incident", date(2021, 6, 1), (man, "suspect"), (kid, "present"))
    extract_began(k, date(2020, 4, 1))
    k.write(graph, neo4j_settings)
    assert list(found(graph, neo4j_settings, "incident_without_referral")) == [("KID", new)]
    assert old != new


def test_a_young_person_of_sixteen_is_not_counted_when_the_officer_saw_no_children(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("YP16", date(2009, 1, 1))
    k.person("YP15", date(2010, 1, 1))
    k.person("ADULT", date(1980, 1, 1))
    adult = k.record("ADULT", "police")
    at16 = k.fact("police", "crime", date(2025, 6, 1), (adult, "suspect"), (k.record("YP16", "police"), "victim"),
                  children_present=False)  # fmt: skip
    at15 = k.fact("police", "crime", date(2025, 6, 1), (adult, "suspect"), (k.record("YP15", "police"), "victim"),
                  children_present=False)  # fmt: skip
    extract_began(k)
    k.write(graph, neo4j_settings)
    assert list(found(graph, neo4j_settings, "incident_without_referral")) == [("YP15", at15)]
    assert at16 != at15


# -- guidance case studies 3 and 4: stepped down to early help, closed for lack of consent ----------------------


def build_case_3(k: Kit) -> dict[str, str]:
    k.person("TEEN", date(2011, 4, 1), name="Child, 14")
    k.person("DAD", date(1980, 2, 2), name="Father")
    teen_p, dad_p = k.record("TEEN", "police"), k.record("DAD", "police")
    teen_csc, teen_eh = k.record("TEEN", "csc"), k.record("TEEN", "early_help")
    k.relate(dad_p, teen_p, "parent")
    home = address("4 Mill Lane")
    keys = {
        "possession": k.fact("police", "crime", date(2025, 5, 2), (teen_p, "suspect"), crime_category="drugs",
                             summary="Child found with cannabis, says father provided it"),
        "cultivation": k.fact("police", "crime", date(2025, 5, 9), (dad_p, "suspect"), crime_category="drugs", at=home,
                              summary="Cannabis cultivation found in the family home, dismantled"),
        "contact": k.fact("csc", "contact", date(2025, 5, 3), (teen_csc, "subject"), referral_source="6"),
        "referral": k.fact("csc", "referral", date(2025, 5, 10), (teen_csc, "subject"), ended_on=date(2025, 5, 20),
                           threshold_decision="L2", nfa=True, summary="threshold not met: step down to early help"),
    }  # fmt: skip
    keys["early_help"] = k.fact(
        "early_help", "early_help_episode", date(2025, 5, 25), (teen_eh, "subject"), ended_on=date(2025, 6, 20),
        referral_date=date(2025, 5, 21), consent_to_service="N", closure_reason="no_consent", reason="substance_misuse",
        stepped_down_from_key=keys["referral"], risk_noted_at_closure=False,
    )  # fmt: skip
    return keys


def test_case_3_early_help_closed_without_consent_while_risk_present_is_flagged_with_the_risk(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    keys = build_case_3(k)
    # a low-need family that declined early help with nothing else known: not a finding
    k.person("QUIET", date(2019, 1, 1))
    quiet = k.record("QUIET", "early_help")
    k.fact("early_help", "early_help_episode", date(2025, 3, 1), (quiet, "subject"), ended_on=date(2025, 3, 20),
           consent_to_service="N", closure_reason="no_consent", reason="parenting")  # fmt: skip
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "early_help_closed_without_consent")
    assert list(got) == [("TEEN", keys["early_help"])]
    f = got[("TEEN", keys["early_help"])]
    # the closure, the referral it was stepped down from, then the risk, biggest first
    assert evidence_keys(f) == [keys["early_help"], keys["referral"], keys["cultivation"], keys["possession"]]
    assert sorted(f.detail["indicators"]) == ["adult_drugs", "drugs_child"]
    assert "step-down" in f.summary and "escalation" in f.summary


def test_case_4_closure_for_lack_of_consent_after_refused_step_up_is_flagged(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("SON", date(2013, 3, 3), name="Step-son")
    k.person("STEP", date(1985, 5, 5), name="Step-father")
    k.person("WIFE", date(1987, 7, 7), name="Mother")
    son_p, step_p, wife_p = k.record("SON", "police"), k.record("STEP", "police"), k.record("WIFE", "police")
    son_csc, son_eh = k.record("SON", "csc"), k.record("SON", "early_help")
    k.relate(step_p, son_p, "step_parent")
    k.relate(wife_p, son_p, "parent")
    k.relate(step_p, wife_p, "partner")
    first = k.fact("police", "da_incident", date(2025, 2, 1), (wife_p, "victim"), (step_p, "suspect"),
                   dash_grade="standard", summary="Verbal argument between husband and wife")  # fmt: skip
    second = k.fact("police", "police_incident", date(2025, 8, 14), (step_p, "subject"), (son_p, "present"),
                    summary="Father expressing suicidal ideation; his drugs kept in step-son's bedroom; "
                    "verbal arguments, not the first incident", children_present=True)  # fmt: skip
    contact = k.fact("csc", "contact", date(2025, 8, 15), (son_csc, "subject"), referral_source="6",
                     outcome=["step_down_early_help"])  # fmt: skip
    eh = k.fact("early_help", "early_help_episode", date(2025, 8, 25), (son_eh, "subject"), ended_on=date(2025, 9, 30),
                referral_date=date(2025, 8, 22), consent_to_service="N", closure_reason="no_consent",
                reason="mental_health", risk_noted_at_closure=True)  # fmt: skip
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "early_help_closed_without_consent")
    assert list(got) == [("SON", eh)]
    f = got[("SON", eh)]
    assert evidence_keys(f) == [eh, first, second]
    assert "early help noted risk at closure" in f.summary
    assert found(graph, neo4j_settings, "incident_without_referral") == {}  # police did refer (the contact)
    assert contact not in evidence_keys(f)


# -- guidance case study 5 and the invisible men: hidden adults --------------------------------------------------


def build_case_5(k: Kit) -> dict[str, str]:
    k.person("BABY", unborn=date(2026, 4, 15), name="Unborn baby")
    k.person("MOTHER", date(2001, 3, 3), name="Mother")
    k.person("FATHER", date(1994, 9, 9), name="Father")
    k.person("EXP", date(1996, 1, 1), name="Father's ex-partner")
    baby_h, mother_h, father_h = (
        k.record("BABY", "health"),
        k.record("MOTHER", "health"),
        k.record("FATHER", "health"),
    )
    father_p, exp_p = k.record("FATHER", "police"), k.record("EXP", "police")
    mother_csc = k.record("MOTHER", "csc")
    booking = k.fact("health", "gp_maternity_event", date(2025, 10, 1), (mother_h, "mother"), (baby_h, "subject"),
                     (father_h, "father"), event="maternity_booking", by="midwife")  # fmt: skip
    k.relate(mother_h, baby_h, "parent")
    k.relate(father_h, mother_h, "partner")
    k.relate(father_h, baby_h, "parent")
    keys = {
        "booking": booking,
        "da1": k.fact("police", "da_incident", date(2023, 6, 1), (exp_p, "victim"), (father_p, "suspect"),
                      dash_grade="high"),
        "da2": k.fact("police", "da_incident", date(2024, 2, 1), (exp_p, "victim"), (father_p, "suspect"),
                      dash_grade="medium"),
        "marker": k.fact("police", "offending_marker", date(2024, 3, 1), (father_p, "subject"), marker="da_perpetrator"),
        "mother_contact": k.fact("csc", "contact", date(2019, 5, 5), (mother_csc, "subject"), referral_source="2A"),
    }  # fmt: skip
    return keys


def test_case_5_the_unborn_babys_father_with_a_da_history_is_a_hidden_adult(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    keys = build_case_5(k)
    k.write(graph, neo4j_settings)
    window = Window.years_to(REF, 3)
    adults = hidden_adults(graph, neo4j_settings.database, "BABY", window)
    assert [(a.person_id, a.hidden, a.known_to, a.seen_by, a.absent_from) for a in adults] == [
        ("FATHER", True, ("health", "police"), ("health",), ("csc",)),
        # the father's former partner, the victim in his DA incidents: around the baby through him, no history
        ("EXP", True, ("police",), (), ("csc",)),
        ("MOTHER", False, ("csc", "health"), ("health",), ("csc",)),  # not known to police or probation
    ]
    assert adults[1].history.points == 0
    father = adults[0]
    assert [i.indicator for i in father.history.items] == ["da_perpetrator", "da_suspect", "da_suspect"]
    assert sorted(father.relations) == ["parent", "partner_of_carer"]
    # the mirror question, from the father: the baby is around him in every way the records say
    around = children_around(graph, neo4j_settings.database, {"FATHER": window}, REF)["FATHER"]
    assert list(around) == ["BABY"]
    assert {x.kind for x in around["BABY"]} == {
        "related_to",
        "fact_role",
        "carer_related_to",
        "carer_fact_role",
    }
    got = found(graph, neo4j_settings, "hidden_adult")
    assert list(got) == [("BABY", "FATHER")]
    f = got[("BABY", "FATHER")]
    assert evidence_keys(f) == [keys["marker"], keys["da2"], keys["da1"], keys["booking"]]
    assert "absent from csc" in f.summary
    assert f.detail["seen_by"] == ["health"]


def test_an_adult_children_s_social_care_and_health_hold_with_the_child_is_not_hidden(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    keys = build_case_5(k)
    baby_csc, father_csc = k.record("BABY", "csc"), k.record("FATHER", "csc")
    k.fact("csc", "assessment", date(2025, 11, 1), (baby_csc, "subject"), (father_csc, "father"))
    k.write(graph, neo4j_settings)
    adults = hidden_adults(graph, neo4j_settings.database, "BABY", Window.years_to(REF, 3))
    father = next(a for a in adults if a.person_id == "FATHER")
    assert (father.hidden, father.seen_by, father.absent_from) == (False, ("csc", "health"), ())
    assert found(graph, neo4j_settings, "hidden_adult") == {}
    assert keys["marker"] in {i.fact.fact_key for i in father.history.items}


def test_the_partner_living_at_the_childs_address_known_only_to_police_is_hidden(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("KID", date(2020, 2, 2))
    k.person("MA", date(1995, 2, 2))
    k.person("MAN", date(1988, 8, 8), name="Man")
    kid_csc, ma_csc, man_p = k.record("KID", "csc"), k.record("MA", "csc"), k.record("MAN", "police")
    kid_health = k.record("KID", "health")
    ma_health = k.record("MA", "health")
    k.relate(ma_csc, kid_csc, "parent")
    k.relate(ma_health, kid_health, "parent")
    home = address("9 Elm Court")
    k.live(kid_csc, home, date(2022, 1, 1))
    k.live(man_p, home, date(2025, 3, 1))
    mappa = k.fact("probation", "mappa", date(2024, 1, 1), (k.record("MAN", "probation"), "subject"),
                   mappa_category="2", mappa_level="1")  # fmt: skip
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "hidden_adult")
    assert list(got) == [("KID", "MAN")]
    f = got[("KID", "MAN")]
    assert f.detail["absent_from"] == ["csc", "health", "education", "early_help"]
    assert f.detail["known_to"] == ["police", "probation"]
    assert evidence_keys(f) == [mappa]
    assert {x["kind"] for x in f.links} == {"lived_at"}


def test_a_child_is_looked_at_whole_only_when_the_adult_may_be_hidden_from_the_childs_own_records(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    """The sweep's first cut (children_who_may_hide) asks whether the watched agencies hold the adult with the
    child's own records: held there, he is not hidden; held only with the mother's, the child's whole circle is
    read and the mother's records decide."""
    db = neo4j_settings.database
    window = Window.years_to(REF, 3)
    k = Kit()
    build_case_5(k)
    father_csc, mother_csc2 = k.record("FATHER", "csc"), k.record("MOTHER", "csc")
    k.fact("csc", "assessment", date(2025, 11, 1), (mother_csc2, "subject"), (father_csc, "partner"))
    k.write(graph, neo4j_settings)
    around = children_around(graph, db, {"FATHER": window}, REF)
    assert children_who_may_hide(graph, db, around) == {"BABY"}  # not held with the baby's own records
    father = next(a for a in hidden_adults(graph, db, "BABY", window) if a.person_id == "FATHER")
    assert (father.hidden, father.seen_by) == (False, ("csc", "health"))  # held with the mother's: not hidden
    assert found(graph, neo4j_settings, "hidden_adult") == {}
    # now children's social care holds him with the baby's own record too: the child is not looked at further
    graph.execute_query("MATCH (n) DETACH DELETE n", database_=db)
    k2 = Kit()
    build_case_5(k2)
    baby_csc, father_csc = k2.record("BABY", "csc"), k2.record("FATHER", "csc")
    k2.fact("csc", "assessment", date(2025, 11, 1), (baby_csc, "subject"), (father_csc, "father"))
    k2.write(graph, neo4j_settings)
    assert children_who_may_hide(graph, db, children_around(graph, db, {"FATHER": window}, REF)) == set()
    assert children_who_may_hide(graph, db, {}) == set()


def test_the_hidden_rule_watches_every_agency_or_any_and_fewer_for_an_unborn_child() -> None:
    from dataclasses import replace

    from graph.config import ConfigError
    from queries.adults import HiddenRule
    from queries.settings import load_pattern_config

    config = load_pattern_config()
    rule = HiddenRule.from_config(config)
    assert (rule.absent_from, rule.unborn_absent_from, rule.mode) == (
        ("csc", "health", "education", "early_help"),
        ("csc",),
        "all",
    )
    police = ("police",)
    assert rule.hidden(police, (), unborn=False)
    assert not rule.hidden(police, ("health",), unborn=False)  # all: one watched agency holding him is enough
    assert rule.hidden(police, ("health",), unborn=True)  # an unborn child: only csc is watched
    assert not rule.hidden(("health",), (), unborn=False)  # not known to police or probation
    assert rule.absent(("health",), unborn=False) == ("csc", "education", "early_help")
    params = {**config.params, "hidden_adult": {**config.params["hidden_adult"], "mode": "any"}}
    any_rule = HiddenRule.from_config(replace(config, params=params))
    assert any_rule.hidden(police, ("health",), unborn=False)  # any: absent from csc is enough
    assert not any_rule.hidden(police, ("csc", "health", "education", "early_help"), unborn=False)
    bad = {**config.params, "hidden_adult": {**config.params["hidden_adult"], "mode": "most"}}
    with pytest.raises(ConfigError, match="must be any or all"):
        HiddenRule.from_config(replace(config, params=bad))


# -- the other patterns --------------------------------------------------------------------------------------------


def test_referral_feedback_is_due_one_working_day_later_skipping_weekends_and_bank_holidays(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    for pid in ("C1", "C2", "C3", "C4", "C5"):
        k.person(pid, date(2015, 1, 1))
    rec = {pid: k.record(pid, "csc") for pid in ("C1", "C2", "C3", "C4", "C5")}
    on_time = k.fact("csc", "referral", date(2025, 12, 18), (rec["C1"], "subject"), referral_source="2A",
                     feedback_on=date(2025, 12, 19))  # Thu -> due Fri  # fmt: skip
    none = k.fact(
        "csc", "referral", date(2025, 12, 19), (rec["C2"], "subject"), referral_source="6"
    )  # due Mon 22
    xmas = k.fact(
        "csc", "referral", date(2025, 12, 24), (rec["C3"], "subject"), referral_source="3A"
    )  # due Mon 29
    k.fact("csc", "referral", date(2025, 12, 1), (rec["C4"], "subject"), referral_source="9")  # anonymous
    late = k.fact("csc", "referral", date(2025, 12, 1), (rec["C5"], "subject"), referral_source="1A",
                  feedback_on=date(2025, 12, 10))  # fmt: skip
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "referral_feedback_overdue", date(2025, 12, 29))
    assert list(got) == [("C2", none)]
    assert got[("C2", none)].detail["due_on"] == date(2025, 12, 22)
    got = found(graph, neo4j_settings, "referral_feedback_overdue", date(2025, 12, 30))
    assert sorted(got) == [("C2", none), ("C3", xmas)]
    assert got[("C3", xmas)].detail["due_on"] == date(2025, 12, 29)
    assert on_time not in {a for _, a in got} and late not in {a for _, a in got}


def test_a_referral_deemed_malicious_without_a_multi_agency_assessment_is_flagged(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    for pid in ("STAR", "B", "C"):
        k.person(pid, date(2019, 1, 1))
    star, b, c = k.record("STAR", "csc"), k.record("B", "csc"), k.record("C", "csc")
    dismissed = k.fact("csc", "referral", date(2025, 3, 1), (star, "subject"), deemed_malicious=True,
                       deemed_malicious_by_role="team manager", referral_source="1A", referrer_relationship="aunt",
                       multi_agency_assessment=False)  # fmt: skip
    assessed = k.fact("csc", "referral", date(2025, 3, 1), (b, "subject"), deemed_malicious=True)
    k.fact("csc", "assessment", date(2025, 3, 4), (b, "subject"), part_of=assessed)
    k.fact(
        "csc",
        "referral",
        date(2025, 3, 1),
        (c, "subject"),
        deemed_malicious=True,
        multi_agency_assessment=True,
    )
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "malicious_without_assessment")
    assert list(got) == [("STAR", dismissed)]
    assert (
        "by team manager" in got[("STAR", dismissed)].summary and "aunt" in got[("STAR", dismissed)].summary
    )


def test_re_referral_within_twelve_months_of_the_previous_referral(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("R", date(2014, 1, 1))
    r = k.record("R", "csc")
    first = k.fact("csc", "referral", date(2024, 1, 10), (r, "subject"))
    second = k.fact("csc", "referral", date(2024, 11, 1), (r, "subject"))
    k.fact(
        "csc", "referral", date(2026, 1, 5), (r, "subject")
    )  # 430 days after the second: not a re-referral
    k.fact("csc", "contact", date(2024, 6, 1), (r, "subject"))  # contacts are not referrals
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "re_referral")
    assert list(got) == [("R", second)]
    assert evidence_keys(got[("R", second)]) == [first, second]
    assert got[("R", second)].detail["days_between"] == 296


def test_clusters_group_overlapping_qualifying_windows() -> None:
    days = [date(2025, 1, 1), date(2025, 3, 1), date(2025, 6, 1), date(2025, 12, 1), date(2027, 1, 1)]
    assert patterns.clusters(days, 365, lambda i, j: j - i + 1 >= 3) == [[0, 1, 2, 3]]
    assert patterns.clusters(days, 100, lambda i, j: j - i + 1 >= 3) == []
    assert patterns.clusters(days[:3], 365, lambda i, j: j - i + 1 >= 2) == [[0, 1, 2]]


def test_three_domestic_abuse_incidents_in_a_year_around_a_child_meet_the_marac_criterion(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("KID", date(2017, 1, 1))
    k.person("MUM", date(1990, 1, 1))
    k.person("EX", date(1988, 1, 1))
    kid_p, mum_p, ex_p = k.record("KID", "police"), k.record("MUM", "police"), k.record("EX", "police")
    k.relate(mum_p, kid_p, "parent")
    incidents = [
        k.fact("police", "da_incident", day, (mum_p, "victim"), (ex_p, "suspect"), *extra, dash_grade=grade)
        for day, extra, grade in (
            (date(2025, 2, 1), [], "standard"),
            (date(2025, 5, 1), [(kid_p, "present")], "medium"),
            (date(2025, 12, 24), [], "high"),
            (date(2023, 1, 1), [], "standard"),  # long before: not in the cluster
        )
    ]
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "repeat_domestic_abuse")
    assert list(got) == [("KID", incidents[0])]
    f = got[("KID", incidents[0])]
    assert evidence_keys(f) == incidents[:3]
    assert [p["person_id"] for p in f.people] == ["KID", "MUM"]
    assert f.detail["how"][incidents[1]] == ["named: present", "parent of the child is the victim"]


def test_a_slow_build_up_of_low_level_concerns_across_agencies_with_no_response(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    concerns: dict[str, list[str]] = {}
    for pid in ("QUIET", "SEEN", "FEWER"):
        k.person(pid, date(2016, 1, 1))
        h, e, t = k.record(pid, "health"), k.record(pid, "education"), k.record(pid, "third_sector")
        p, c = k.record(pid, "police"), k.record(pid, "csc")
        concerns[pid] = [
            k.fact("health", "was_not_brought", date(2025, 2, 1), (h, "subject")),
            k.fact(
                "education", "absence", date(2025, 4, 1), (e, "subject"), persistent_absence=pid != "FEWER"
            ),
            k.fact("third_sector", "third_sector_concern", date(2025, 6, 1), (t, "subject")),
            k.fact("police", "police_incident", date(2025, 7, 1), (p, "present")),
            k.fact("health", "ae_attendance", date(2025, 9, 1), (h, "subject")),
            k.fact("csc", "contact", date(2025, 10, 1), (c, "subject"), outcome=["advice"]),
        ]
    k.fact(
        "csc", "referral", date(2025, 5, 1), (k.record("SEEN", "csc"), "subject")
    )  # someone put it together
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "low_level_concerns")
    # FEWER: the absence was not persistent, leaving 5 concerns (6 are needed)
    assert list(got) == [("QUIET", concerns["QUIET"][0])]
    f = got[("QUIET", concerns["QUIET"][0])]
    assert evidence_keys(f) == concerns["QUIET"]
    assert f.detail["agencies"] == ["csc", "education", "health", "police", "third_sector"]


def test_an_adult_with_a_mappa_history_around_children_in_two_households(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("ADULT", date(1980, 1, 1), name="Adult")
    k.person("A1", date(2015, 1, 1))
    k.person("A2", date(2017, 1, 1))
    k.person("MA", date(1988, 1, 1))
    k.person("B1", date(2019, 1, 1))
    k.person("LONE", date(2014, 1, 1))
    k.person("OTHER", date(1981, 1, 1))
    adult = k.record("ADULT", "police")
    a1, a2, ma, b1 = (
        k.record("A1", "csc"),
        k.record("A2", "csc"),
        k.record("MA", "csc"),
        k.record("B1", "police"),
    )
    ma_p = k.record("MA", "police")
    k.relate(ma, a1, "parent")
    k.relate(ma, a2, "parent")
    k.relate(adult, ma_p, "partner", date(2024, 1, 1))
    house_a, house_b = address("1 A Street"), address("2 B Street")
    for rec in (a1, a2):
        k.live(rec, house_a, date(2020, 1, 1))
    k.live(b1, house_b, date(2019, 1, 1))
    k.live(adult, house_b, date(2023, 1, 1))
    mappa = k.fact("police", "mappa", date(2022, 1, 1), (adult, "subject"), mappa_level="2")
    # an adult with a minor history around one household only: not a finding
    other = k.record("OTHER", "police")
    k.live(k.record("LONE", "education"), address("3 C Street"), date(2020, 1, 1))
    k.live(other, address("3 C Street"), date(2020, 1, 1))
    k.fact("police", "offending_marker", date(2024, 1, 1), (other, "subject"), marker="violence")
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "risky_adult_linked_children")
    assert sorted(got) == [("A1", "ADULT"), ("A2", "ADULT"), ("B1", "ADULT")]
    f = got[("A1", "ADULT")]
    assert evidence_keys(f) == [mappa]
    assert sorted(f.detail["other_children"]) == ["A2", "B1"]
    assert sorted(map(sorted, f.detail["households"].values())) == [["A1", "A2"], ["B1"]]


# -- alerts: idempotent, with a lifecycle ------------------------------------------------------------------------


def test_alerts_are_idempotent_keep_the_analysts_decision_and_reopen_only_on_new_evidence(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    k = Kit()
    k.person("KID", date(2017, 1, 1))
    k.person("MUM", date(1990, 1, 1))
    kid_p, mum_p = k.record("KID", "police"), k.record("MUM", "police")
    k.relate(mum_p, kid_p, "parent")
    days = (date(2025, 2, 1), date(2025, 5, 1), date(2025, 8, 1))
    first = [k.fact("police", "da_incident", d, (mum_p, "victim"), dash_grade="standard") for d in days]
    k.write(graph, neo4j_settings)
    t1 = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    run1 = patterns.run_patterns(graph, db, ["repeat_domestic_abuse"], REF, now=t1)
    assert run1.saved == alerts.SaveResult(created=1, updated=0, reopened=0, deactivated=0)
    run2 = patterns.run_patterns(
        graph, db, ["repeat_domestic_abuse"], REF, now=datetime(2026, 1, 31, 10, tzinfo=UTC)
    )
    assert run2.saved == alerts.SaveResult(created=0, updated=1, reopened=0, deactivated=0)
    [alert] = alerts.list_alerts(graph, db)
    assert (alert.status, alert.first_seen, alert.evidence_keys) == ("open", t1, tuple(sorted(first)))
    key = alert.alert_key
    assert key == f"repeat_domestic_abuse|KID|{first[0]}"
    with pytest.raises(alerts.AlertError):
        alerts.set_status(graph, db, key, "closed", "analyst 7", " ")
    closed = alerts.set_status(graph, db, key, "closed", "analyst 7", "MARAC referral made on 2025-08-04")
    assert closed.status == "closed" and closed.evidence_at_close == tuple(sorted(first))
    run3 = patterns.run_patterns(graph, db, ["repeat_domestic_abuse"], REF)
    assert run3.saved is not None and run3.saved.reopened == 0
    assert alerts.alerts_for(graph, db, ["KID"])[0].status == "closed"  # same evidence: stays closed
    # a fourth incident joins the cluster: new evidence reopens the alert, with the reason in its history
    k2 = Kit()  # a later extract: one more incident about the mother's existing record
    fourth = k2.fact("police", "da_incident", date(2025, 11, 1), (mum_p, "victim"), dash_grade="high")
    k2.write(graph, neo4j_settings)
    run4 = patterns.run_patterns(graph, db, ["repeat_domestic_abuse"], REF)
    assert run4.saved == alerts.SaveResult(created=0, updated=1, reopened=1, deactivated=0)
    [alert] = alerts.alerts_for(graph, db, ["KID"])
    assert alert.status == "open" and alert.reopen_count == 1 and fourth in (alert.status_reason or "")
    assert [h.split(" | ")[1] for h in alert.history] == ["open", "closed", "open"]
    assert alert.finding["evidence"][-1]["fact_key"] == fourth
    # run as at a date before the incidents: the finding is gone, the alert becomes inactive (status kept)
    run5 = patterns.run_patterns(graph, db, ["repeat_domestic_abuse"], date(2025, 1, 1))
    assert run5.saved is not None and run5.saved.deactivated == 1
    [alert] = alerts.list_alerts(graph, db)
    assert (alert.active, alert.status) == (False, "open")
    assert alerts.list_alerts(graph, db, active_only=True) == []
    json.dumps(run4.as_dict())  # the report is plain JSON


def test_unknown_pattern_names_are_refused(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    from graph.config import ConfigError

    with pytest.raises(ConfigError, match="unknown pattern"):
        patterns.run_patterns(graph, neo4j_settings.database, ["made_up"], REF, save=False)


def test_a_sweep_runs_the_patterns_sharing_adults_as_one_job_first() -> None:
    jobs = patterns.sweep_jobs(list(patterns.PATTERNS))
    assert jobs[0] == ["hidden_adult", "risky_adult_linked_children", "adult_around_households"]
    assert [n for job in jobs for n in job] == list(patterns.SHARING_ADULTS) + [
        n for n in patterns.PATTERNS if n not in patterns.SHARING_ADULTS
    ]
    assert all(len(job) == 1 for job in jobs[1:])
    assert patterns.sweep_jobs(["re_referral", "adult_around_households"]) == [
        ["adult_around_households"],
        ["re_referral"],
    ]
    assert patterns.sweep_jobs(["re_referral"]) == [["re_referral"]]


def test_sweep_workers_must_be_a_whole_number_of_at_least_one(tmp_path: Path) -> None:
    from graph.config import ConfigError
    from queries.settings import load_pattern_config

    text = (Path(patterns.__file__).parent / "config" / "patterns.yaml").read_text()
    assert "  workers: 2\n" in text
    for bad in ("0", "two", "1.5", "true"):
        path = tmp_path / f"patterns-{bad}.yaml"
        path.write_text(text.replace("  workers: 2\n", f"  workers: {bad}\n"))
        with pytest.raises(ConfigError, match="sweep.workers must be a whole number"):
            load_pattern_config(path)
    path = tmp_path / "patterns-none.yaml"
    path.write_text(text.replace("sweep:\n  workers: 2\n", ""))
    assert load_pattern_config(path).workers == 1


def test_a_pattern_that_fails_in_a_worker_fails_the_sweep(
    graph: neo4j.Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(s: patterns.Sweep) -> list[Finding]:
        raise RuntimeError("broken on purpose")

    monkeypatch.setitem(patterns.PATTERNS, "re_referral", broken)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        patterns.run_patterns(graph, neo4j_settings.database, reference_date=REF, save=False, workers=2)


def test_a_sweep_pauses_the_cyclic_collector_and_gives_it_back(
    graph: neo4j.Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def watching(s: patterns.Sweep) -> list[Finding]:
        seen.append(gc.isenabled())
        return []

    monkeypatch.setitem(patterns.PATTERNS, "re_referral", watching)
    assert gc.isenabled()
    patterns.run_patterns(graph, neo4j_settings.database, ["re_referral"], reference_date=REF, save=False)
    assert seen == [False] and gc.isenabled()

    def broken(s: patterns.Sweep) -> list[Finding]:
        raise RuntimeError("broken on purpose")

    monkeypatch.setitem(patterns.PATTERNS, "re_referral", broken)
    with pytest.raises(RuntimeError, match="broken on purpose"):
        patterns.run_patterns(graph, neo4j_settings.database, ["re_referral"], reference_date=REF, save=False)
    assert gc.isenabled()  # given back when a pattern fails too


def test_every_enabled_pattern_runs_on_an_empty_graph(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    report = patterns.run_patterns(graph, neo4j_settings.database, reference_date=REF)
    assert [r.pattern for r in report.results] == list(patterns.PATTERNS)
    assert report.findings == [] and report.saved == alerts.SaveResult(0, 0, 0, 0)


def test_children_missing_together_on_two_separate_occasions(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    recs = {}
    for pid in ("T1", "T2", "T3"):
        k.person(pid, date(2010, 6, 1))
        recs[pid] = k.record(pid, "police")

    def missing(pid: str, day: date, days: int = 1) -> str:
        return k.fact(
            "police", "missing_episode", day, (recs[pid], "subject"), ended_on=day + timedelta(days=days)
        )

    t1 = [missing("T1", date(2025, 3, 1)), missing("T1", date(2025, 6, 10), 2)]
    t2 = [missing("T2", date(2025, 3, 2)), missing("T2", date(2025, 6, 11))]
    missing("T3", date(2025, 3, 1))  # once only with the others: chance, not a pattern
    # two short episodes of T4 within one four-day absence of T5 (the synthetic county had one): one time
    # together, not two occasions
    for pid in ("T4", "T5"):
        k.person(pid, date(2010, 6, 1))
        recs[pid] = k.record(pid, "police")
    missing("T4", date(2025, 9, 13), 3)
    missing("T4", date(2025, 9, 16), 1)
    missing("T5", date(2025, 9, 16), 3)
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "co_occurring_missing")
    assert sorted(got) == [("T1", "T2"), ("T2", "T1")]
    assert sorted(evidence_keys(got[("T1", "T2")])) == sorted(t1 + t2)
    assert got[("T1", "T2")].detail["occasions"] == 2


def test_one_adult_around_children_in_three_households_but_not_a_father_of_three(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    k = Kit()
    k.person("VISITOR", date(1985, 1, 1))
    k.person("DAD", date(1980, 1, 1))
    visitor, dad = k.record("VISITOR", "police"), k.record("DAD", "police")
    incidents = []
    for n in (1, 2, 3):
        kid = f"K{n}"
        k.person(kid, date(2015 + n, 1, 1))
        rec = k.record(kid, "police")
        k.live(k.record(kid, "education"), address(f"{n} Home Street"), date(2018, 1, 1))
        incidents.append(k.fact("police", "police_incident", date(2025, n, 10), (visitor, "subject"), (rec, "present"),
                                children_present=True))  # fmt: skip
        k.relate(dad, rec, "parent")
        k.fact("police", "police_incident", date(2025, n + 3, 1), (dad, "subject"), (rec, "present"))
    k.write(graph, neo4j_settings)
    got = found(graph, neo4j_settings, "adult_around_households")
    assert sorted(got) == [("K1", "VISITOR"), ("K2", "VISITOR"), ("K3", "VISITOR")]
    f = got[("K2", "VISITOR")]
    assert evidence_keys(f) == [incidents[1]]
    assert "no recorded history" in f.summary and len(f.detail["households"]) == 3


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcd"), st.sampled_from("wxyz"), st.integers(0, 40), st.integers(0, 40)),
        min_size=1,
        max_size=8,
    ),
    st.integers(1, 4),
    st.integers(0, 3),
)
def test_a_pair_whose_days_fall_in_too_few_runs_never_has_enough_occasions(
    picks: list[tuple[str, str, int, int]], occasions: int, slack: int
) -> None:
    # co_occurring_missing skips pairs failing could_make_occasions before separating occasions: safe only if
    # such a pair could never reach the number of occasions anyway
    start = date(2025, 1, 1)
    overlaps = [
        {"fact_key": a, "other_key": b, "occurred_on": start + timedelta(days=d1),
         "other_on": start + timedelta(days=d2)}
        for a, b, d1, d2 in picks
    ]  # fmt: skip
    overlaps.sort(key=lambda x: (x["occurred_on"], x["fact_key"], x["other_key"]))
    if len(patterns.separate_occasions(overlaps, slack)) >= occasions:
        assert patterns.could_make_occasions(overlaps, occasions, slack)
    # every episode of the first child the same day: one run of days, so never two occasions
    same_days = [{**o, "occurred_on": start} for o in overlaps]
    assert patterns.could_make_occasions(same_days, 2, slack) is False


def test_missing_together_pairs_overlapping_episodes_of_different_children_without_a_database() -> None:
    def ep(key: str, child: str, on: date, end: date | None, *places: str) -> dict[str, Any]:
        return {
            "fact_key": key,
            "occurred_on": on,
            "ended_on": end,
            "person_id": child,
            "address_keys": list(places),
        }

    episodes = [
        ep("a1", "A", date(2025, 3, 1), date(2025, 3, 2), "home-a"),
        ep("b1", "B", date(2025, 3, 3), None),  # starts the day after A's ends: within a day's slack
        ep("a2", "A", date(2025, 6, 1), date(2025, 6, 1)),
        ep("b2", "B", date(2025, 6, 1), date(2025, 6, 4), "home-b", "town"),  # two places: two overlaps
        ep("a3", "A", date(2025, 9, 1), None),
        ep("c1", "C", date(2025, 9, 3), None),  # two days later: apart
        ep("a4", "A", date(2025, 12, 1), date(2025, 12, 2)),
        ep(
            "a4", "A", date(2025, 12, 1), date(2025, 12, 2)
        ),  # the same child twice on one episode: not a pair
    ]
    pairs = {
        (p["person_id"], p["other_id"]): p["overlaps"]
        for p in patterns.missing_together(episodes, 1, 60, None, 1)
    }
    assert sorted(pairs) == [("A", "B"), ("B", "A")]
    assert sorted((o["fact_key"], o["other_key"], o["other_address_key"]) for o in pairs[("A", "B")]) == [
        ("a1", "b1", None), ("a2", "b2", "home-b"), ("a2", "b2", "town"),
    ]  # fmt: skip
    assert [p["person_id"] for p in patterns.missing_together(episodes, 1, 60, date(2025, 5, 1), 1)] == [
        "A",
        "B",
    ]
    assert (
        patterns.missing_together(episodes, 1, 60, date(2025, 5, 1), 3) == []
    )  # A's one later episode: 2 rows
    assert patterns.missing_together(episodes, 0, 60, None, 1) != []  # a2 and b2 begin the same day
    assert ("A", "B") not in {
        (p["person_id"], p["other_id"]) for p in patterns.missing_together(episodes[:2], 0, 60, None, 1)
    }  # without the day's slack, a1 and b1 do not meet
