"""The child's picture, chronology and cumulative risk on a small hand-built family, on the real server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import neo4j
import pytest

from graph.config import Settings
from queries import picture, risk
from queries.model import Window, instant
from queries.settings import load_risk_config
from tests.test_queries_graphkit import LEARNT, Kit, address

HOME = address("12 High St")
OLD_HOME = address("3 Low Rd", "JG2 9ZZ")
WINDOW = Window(date(2023, 1, 1), date(2025, 12, 31), date(2025, 12, 31))


def build_family() -> tuple[Kit, dict[str, str]]:
    """Kayla (3) lives with her mother and sister; mother's partner (violence marker, police only) moved in
    in June 2024; her father is recorded by CSC; a DA incident at home with Kayla present."""
    k = Kit()
    k.person("C", date(2022, 3, 1), name="Kayla")
    k.person("M", date(1998, 7, 9), name="Mum")
    k.person("S", date(2019, 5, 5), name="Sister")
    k.person("F", date(1995, 1, 1), name="Father")
    k.person("P", date(1990, 2, 2), name="Partner")
    k.person("G", date(1960, 1, 1), name="Gran")
    k.person("N", date(1980, 1, 1), name="Neighbour")
    k.person("O", date(1970, 1, 1), name="Old lodger")
    r = {
        "c_csc": k.record("C", "csc"),
        "c_health": k.record("C", "health"),
        "c_police": k.record("C", "police"),
        "m_csc": k.record("M", "csc"),
        "m_police": k.record("M", "police"),
        "s_csc": k.record("S", "csc"),
        "s_edu": k.record("S", "education"),
        "f_csc": k.record("F", "csc"),
        "p_police": k.record("P", "police"),
        "g_csc": k.record("G", "csc"),
        "n_police": k.record("N", "police"),
        "o_police": k.record("O", "police"),
    }
    k.relate(r["m_csc"], r["c_csc"], "parent")
    k.relate(r["m_csc"], r["s_csc"], "parent")
    k.relate(r["c_csc"], r["f_csc"], "child")  # Kayla is the child of F: F is a parent
    k.relate(r["g_csc"], r["c_csc"], "grandparent")
    k.relate(r["n_police"], r["c_police"], "neighbour")
    k.relate(r["p_police"], r["m_police"], "partner", date(2024, 1, 1))
    k.live(r["c_csc"], HOME, date(2023, 1, 1))
    k.live(r["m_csc"], HOME, date(2023, 1, 1))
    k.live(r["s_csc"], HOME, date(2023, 1, 1))
    k.live(r["p_police"], HOME, date(2024, 6, 1))
    k.live(r["o_police"], HOME, date(2020, 1, 1), date(2021, 6, 30))
    k.live(r["c_health"], OLD_HOME, date(2022, 3, 1), date(2022, 12, 31))
    facts = {
        "da": k.fact(
            "police",
            "da_incident",
            date(2025, 2, 10),
            (r["m_police"], "victim"),
            (r["p_police"], "suspect"),
            (r["c_police"], "present"),
            at=HOME,
            dash_grade="medium",
            basis="opinion",
            summary="Argument, partner pushed mother, Kayla present",
        ),
        "wnb": k.fact("health", "was_not_brought", date(2025, 3, 1), (r["c_health"], "subject")),
        "referral": k.fact("csc", "referral", date(2025, 2, 12), (r["c_csc"], "subject"), source_code="6"),
        "assessment": k.fact(
            "csc", "assessment", date(2025, 3, 10), (r["c_csc"], "subject"), ended_on=date(2025, 4, 20)
        ),
        "marker": k.fact(
            "police", "offending_marker", date(2015, 6, 1), (r["p_police"], "subject"), marker="violence"
        ),
        "old_crime": k.fact(
            "police",
            "crime",
            date(2019, 8, 1),
            (r["p_police"], "suspect"),
            crime_category="violence_against_person",
        ),
        "sister_absence": k.fact("education", "absence", date(2025, 1, 20), (r["s_edu"], "subject")),
        "noise": k.fact(
            "police",
            "police_incident",
            date(2025, 4, 1),
            (r["n_police"], "reporter"),
            at=HOME,
            summary="Noise complaint at the address",
        ),
        "future": k.fact("health", "ae_attendance", date(2026, 2, 1), (r["c_health"], "subject")),
    }
    facts["factor"] = k.fact(  # as CSC sends it: no date of its own, dated by its assessment's authorisation
        "csc",
        "assessment_factor",
        None,
        (r["c_csc"], "subject"),
        part_of=facts["assessment"],
        code="3B",
        attaches_to="parent_carer",
    )
    return k, {**r, **facts}


@pytest.fixture()
def family(graph: neo4j.Driver, neo4j_settings: Settings) -> dict[str, str]:
    kit, keys = build_family()
    kit.write(graph, neo4j_settings)
    return keys


def test_circle_has_exactly_the_people_around_the_child_with_their_relations(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    pic = picture.child_picture(graph, neo4j_settings.database, "C", WINDOW)
    relations = {pid: sorted(p.relations) for pid, p in pic.people.items()}
    assert relations == {
        "M": ["household_member", "parent"],
        "S": ["household_member", "sibling"],
        "F": ["parent"],
        "P": ["household_member", "partner_of_carer"],
        "G": ["wider_family"],
        "N": ["associate"],
    }  # the lodger of 2020-21 is outside the window
    partner_links = {(x.kind, x.type, x.via_person_id) for x in pic.people["P"].relations["partner_of_carer"]}
    assert partner_links == {("carer_related_to", "partner", "M"), ("carer_fact_role", "suspect", "M")}
    assert pic.people["P"].relations["household_member"][0].record_key == family["p_police"]
    assert {g: [p.person_id for p in ps] for g, ps in pic.groups.items()} == {
        "household": ["M", "P", "S"],
        "parents": ["F", "M"],
        "partners_of_carers": ["P"],
        "siblings": ["S"],
        "wider_family": ["G"],
        "associates": ["N"],
    }
    assert pic.age == 3 and pic.people["S"].is_child and pic.people["P"].is_adult
    assert [(a.address_key, a.start) for a in pic.addresses] == [(HOME["address_key"], date(2023, 1, 1))]


def test_an_undated_partnership_counts_from_when_it_was_recorded_and_an_undated_parent_always(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    """A maternity booking of 2025 names the mother's partner, without a start date: he is around the child from
    then, not in 2024 (the 10,000-child county's early help closure of 2024 weighed his record). The father,
    recorded undated in 2025 too, is the child's parent whatever the window."""
    from queries import people

    k = Kit()
    k.person("C", date(2018, 3, 1))
    k.person("M", date(1990, 7, 9))
    k.person("P", date(1988, 2, 2))
    k.person("F", date(1987, 1, 1))
    c, m = k.record("C", "health"), k.record("M", "health")
    p, f = k.record("P", "health"), k.record("F", "health")
    k.relate(m, c, "parent")
    k.relate(p, m, "partner", recorded_on=date(2025, 5, 1))
    k.relate(p, c, "partner", recorded_on=date(2025, 5, 1))  # a partner link on the child's own record too
    k.relate(f, c, "parent", recorded_on=date(2025, 5, 1))
    k.write(graph, neo4j_settings)
    db = neo4j_settings.database

    def around(end: date) -> dict[str, list[str]]:
        circle = people.circle(graph, db, "C", Window(date(end.year - 1, end.month, end.day), end, end))
        return {pid: sorted(person.relations) for pid, person in circle.items()}

    assert around(date(2024, 6, 5)) == {"M": ["parent"], "F": ["parent"]}
    assert around(date(2025, 6, 5)) == {
        "M": ["parent"],
        "F": ["parent"],
        "P": ["partner", "partner_of_carer"],
    }
    # and the other way round: the children around him (adults.children_around)
    from queries.adults import children_around

    def children(end: date) -> list[str]:
        window = Window(date(end.year - 1, end.month, end.day), end, end)
        return sorted(children_around(graph, db, {"P": window}, end)["P"])

    assert children(date(2024, 6, 5)) == []
    assert children(date(2025, 6, 5)) == ["C"]


def test_picture_sections_hold_the_facts_with_their_sources(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    pic = picture.child_picture(graph, neo4j_settings.database, "C", WINDOW)
    keys = {name: [f.fact_key for f in facts] for name, facts in pic.sections.items()}
    assert keys == {
        "incidents": [family["sister_absence"], family["da"], family["wnb"], family["noise"]],
        "referrals": [family["referral"]],
        "assessments": [family["assessment"], family["factor"]],
        "episodes": [],
        "flags": [family["marker"]],  # the partner's standing violence marker (set 2015, still open)
        "child_views": [],
    }  # the 2019 crime is before the window, the 2026 A&E after it
    da = next(f for f in pic.facts if f.fact_key == family["da"])
    assert (da.agency, da.source_table, da.recorded_by_role, da.basis) == (
        "police",
        "da_incidents",
        "PC",
        "opinion",
    )
    assert {(i.person_id, i.relation, i.role) for i in da.involvements} == {
        ("C", "child", "present"),
        ("M", "parent", "victim"),
        ("M", "household_member", "victim"),
        ("P", "partner_of_carer", "suspect"),
        ("P", "household_member", "suspect"),
        (None, "at_address", None),
    }
    noise = next(f for f in pic.facts if f.fact_key == family["noise"])
    assert [(i.relation, i.role) for i in noise.involvements] == [("at_address", None), ("other", "reporter")]


def test_chronology_is_in_date_order_with_agency_source_recorder_and_basis(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    items = picture.chronology(graph, neo4j_settings.database, "C", WINDOW)
    assert [e.fact_key for e in items] == [
        family["marker"],
        family["sister_absence"],
        family["da"],
        family["referral"],
        family["wnb"],
        family["assessment"],
        family["noise"],
        family["factor"],
    ]
    frame = picture.chronology_frame(items)
    row = frame[frame["fact_key"] == family["da"]].iloc[0]
    assert (row["agency"], row["recorded_by"], row["basis"], row["event"]) == (
        "police",
        "PC",
        "opinion",
        "da_incident",
    )
    assert (
        "child: Kayla (present)" in row["about"] and "partner_of_carer: Partner [P] (suspect)" in row["about"]
    )
    assert row["source"].startswith("police pole da_incidents")
    assert frame.iloc[0]["date"] == date(2015, 6, 1)


def test_cumulative_risk_lists_every_contribution_and_suggests_a_level(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    config = load_risk_config()
    result = risk.cumulative_risk(graph, neo4j_settings.database, "C", WINDOW, config)
    got = {
        c.fact.fact_key: (c.indicator, c.weight, c.age_days, c.person_id, c.relation)
        for c in result.contributions
    }
    assert got == {
        family["marker"]: ("adult_violence", 3.0, 0, "P", "household_member"),
        family["da"]: ("da_incident_medium", 3.0, 324, "C", "child"),
        family["factor"]: ("cin_domestic_abuse", 3.0, 255, "C", "child"),
        family["wnb"]: ("was_not_brought", 1.0, 305, "C", "child"),
    }
    expected = 3 + 3 * 0.5 ** (324 / 365) + 3 * 0.5 ** (255 / 365) + 0.5 ** (305 / 365)
    assert result.score == pytest.approx(expected)
    assert result.contributions[0].fact.fact_key == family["marker"]  # biggest first
    assert (
        next(c for c in result.contributions if c.indicator == "cin_domestic_abuse").attaches_to
        == "parent_carer"
    )
    factor = next(c for c in result.contributions if c.indicator == "cin_domestic_abuse").fact
    assert factor.occurred_on == date(2025, 4, 20) and factor.properties["dated_by"] == family["assessment"]
    assert result.score == pytest.approx(7.03, abs=0.01)
    assert result.level_by_score == 3 and result.suggested_level == 3 and not result.floors  # 6 <= score < 12
    assert "suggestion" in result.suggestion_label and result.config_version == config.version
    frame = result.to_frame()
    assert list(frame["fact_key"]) == [c.fact.fact_key for c in result.contributions]
    assert set(frame["source"]) == {c.fact.source for c in result.contributions}


def test_an_open_child_protection_plan_sets_a_floor_under_the_suggestion(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    kit = Kit()
    kit.person("C", date(2022, 3, 1))
    plan = kit.fact("csc", "cp_plan", date(2025, 6, 1), (family["c_csc"], "subject"), category="NEG")
    graph_rows = kit.rows  # only the plan and its involvement: the child's record exists already
    kit.rows = type(graph_rows)(facts=graph_rows.facts, involvements=graph_rows.involvements)
    kit.persons, kit.record_of = {}, []
    kit.write(graph, neo4j_settings)
    result = risk.cumulative_risk(graph, neo4j_settings.database, "C", WINDOW)
    assert [(f.level, f.fact.fact_key) for f in result.floors] == [(4, plan)]
    assert result.suggested_level == 4 and result.level_by_score == 3


def test_an_unknown_child_is_reported(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    with pytest.raises(picture.NotFound):
        picture.child_picture(graph, neo4j_settings.database, "nobody", WINDOW)


def test_a_fact_says_when_jigsaw_learnt_it_at_the_same_instant(
    graph: neo4j.Driver, neo4j_settings: Settings, family: dict[str, str]
) -> None:
    # read as text (the driver's own datetime conversion is slow): a zone name and nanoseconds must survive
    graph.execute_query(
        "MATCH (f:Fact {fact_key: $key}) SET f.learnt_at = datetime('2025-07-11T09:30:15.123456789[Europe/London]')",
        {"key": family["da"]},
        database_=neo4j_settings.database,
    )
    pic = picture.child_picture(graph, neo4j_settings.database, "C", WINDOW)
    facts = {f.fact_key: f for f in pic.facts}
    learnt = facts[family["da"]].properties["learnt_at"]
    assert learnt == datetime(2025, 7, 11, 8, 30, 15, 123456, tzinfo=UTC)
    assert learnt.utcoffset() == timedelta(hours=1)  # British Summer Time, as recorded
    assert facts[family["wnb"]].properties["learnt_at"] == LEARNT  # as the writer wrote it


def test_instant_reads_what_cypher_writes() -> None:
    assert instant(None) is None
    assert instant("2026-12-07T09:09:29.481474Z") == datetime(2026, 12, 7, 9, 9, 29, 481474, tzinfo=UTC)
    assert instant("2026-12-07T09:09Z") == datetime(2026, 12, 7, 9, 9, tzinfo=UTC)
    assert instant("2015-07-21T21:40:32.142+01:00[Europe/London]") == datetime(
        2015, 7, 21, 20, 40, 32, 142000, tzinfo=UTC
    )
