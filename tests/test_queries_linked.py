"""Linked children (same adult, same address, same incident, overlapping missing episodes), connected groups
and adults central to several households, on a small hand-built county."""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import date

import neo4j
import pytest

from graph.config import Settings
from queries import catalog, linked
from queries.adults import ChildLink
from queries.model import Link, Window
from tests.test_queries_graphkit import Kit, address

REF = date(2026, 1, 31)
WINDOW = Window(date(2023, 2, 1), REF, REF)
HOME_X = address("1 Oak Road", "JG1 2AB")
HOME_Y = address("7 Ash Close", "JG4 4DD")
HOME_W = address("22 Birch Way", "JG1 5XY")  # same postcode district as X's home


@pytest.fixture()
def county(graph: neo4j.Driver, neo4j_settings: Settings) -> dict[str, str]:
    k = Kit()
    for pid, dob in (("X", date(2010, 5, 1)), ("S", date(2013, 1, 1)), ("Y", date(2016, 1, 1)),
                     ("Z", date(2011, 1, 1)), ("W", date(2010, 9, 9)), ("V", date(2012, 2, 2)),
                     ("M", date(1985, 1, 1)), ("P", date(1982, 1, 1))):  # fmt: skip
        k.person(pid, dob)
    x, s, y = k.record("X", "csc"), k.record("S", "csc"), k.record("Y", "police")
    z, w, v = k.record("Z", "police"), k.record("W", "police"), k.record("V", "education")
    xp, m, p = k.record("X", "police"), k.record("M", "csc"), k.record("P", "police")
    mp = k.record("M", "police")
    k.relate(m, x, "parent")
    k.relate(m, s, "parent")
    k.relate(p, mp, "partner", date(2024, 5, 1))
    k.relate(p, y, "parent")
    k.live(x, HOME_X, date(2024, 1, 1))
    k.live(s, HOME_X, date(2020, 1, 1))
    k.live(m, HOME_X, date(2020, 1, 1))
    k.live(v, HOME_X, date(2018, 1, 1), date(2019, 12, 31))  # before X: outside the window
    k.live(
        k.record("V", "health"), HOME_X, date(2023, 3, 1), date(2023, 6, 30)
    )  # a health address in the window
    k.live(y, HOME_Y, date(2016, 1, 1))
    k.live(p, HOME_Y, date(2016, 1, 1))
    keys = {
        "marker": k.fact("police", "offending_marker", date(2020, 1, 1), (p, "subject"), marker="violence"),
        "fight": k.fact("police", "crime", date(2025, 3, 3), (xp, "victim"), (z, "suspect"),
                        crime_category="violence_against_person"),
        "x_missing": k.fact("police", "missing_episode", date(2025, 7, 1), (xp, "subject"), ended_on=date(2025, 7, 3),
                            at=HOME_X),
        "w_missing": k.fact("police", "missing_episode", date(2025, 7, 2), (w, "subject"), ended_on=date(2025, 7, 2),
                            at=HOME_W),
        "w_later": k.fact("police", "missing_episode", date(2025, 9, 1), (w, "subject"), at=HOME_W),
    }  # fmt: skip
    k.write(graph, neo4j_settings)
    return keys


def test_linked_children_each_with_the_record_behind_the_link_strongest_first(
    graph: neo4j.Driver, neo4j_settings: Settings, county: dict[str, str]
) -> None:
    got = linked.linked_children(graph, neo4j_settings.database, "X", WINDOW)
    assert [(c.person_id, c.kinds) for c in got] == [
        ("S", ["same_address", "same_adult"]),  # sister: same home, same mother, and the mother's partner
        ("Y", ["same_adult"]),  # the mother's partner's child
        ("Z", ["same_incident"]),
        ("W", ["missing_overlap"]),
        ("V", ["same_address", "same_adult"]),  # lived at the address before X, with X's mother
    ]
    assert [c.strength for c in got] == [103.0, 103.0, 50, 40, 20]
    y = got[1].links[0]
    assert (y.via_adult, y.adult_history_points, y.adult_history) == (
        "P",
        3.0,
        ("Violence (marker, crime as suspect, or probation)",),
    )
    assert {(x.via_adult, x.detail["kind"], x.detail.get("type")) for x in got[1].links} == {
        ("P", "related_to", "parent"),
        ("P", "lived_at", "same_address"),
        ("M", "carer_related_to", "partner"),
    }
    z = got[2].links[0].detail
    assert (z["fact_key"], z["role"], z["child_role"]) == (county["fight"], "suspect", "victim")
    w = got[3].links[0].detail
    assert (w["fact_key"], w["other_fact_key"], w["place"]) == (
        county["x_missing"],
        county["w_missing"],
        "same area",
    )
    assert ("same_address", True) in {(x.kind, x.detail.get("overlapping")) for x in got[0].links}
    assert [(x.kind, x.detail.get("overlapping"), x.via_adult) for x in got[4].links] == [
        ("same_adult", None, "M"),
        ("same_address", False, None),
    ]


def test_adults_around_children_in_several_households_and_connected_groups(
    graph: neo4j.Driver, neo4j_settings: Settings, county: dict[str, str]
) -> None:
    db = neo4j_settings.database
    central = linked.central_adults(graph, db, REF, min_history_points=3.0, min_households=2)
    assert [(a.person_id, sorted(map(sorted, a.households.values()))) for a in central] == [
        ("P", [["S", "X"], ["Y"]])
    ]
    groups = linked.linked_groups(graph, db, REF, min_children=3)
    assert [(g.children, g.adults) for g in groups] == [(("S", "W", "X", "Y", "Z"), ("P",))]
    kinds = {e[2] for e in groups[0].edges}
    assert kinds == {"same_adult", "same_incident", "missing_overlap"}


def test_the_adult_reader_reads_each_adult_once_and_answers_as_the_direct_queries(
    graph: neo4j.Driver, neo4j_settings: Settings, county: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from queries import adults, catalog, people

    db = neo4j_settings.database
    direct_history = adults.histories(graph, db, ["P", "M"], REF)
    direct_around = adults.children_around(graph, db, {"P": WINDOW, "M": WINDOW}, REF)
    direct_homes = people.residences(graph, db, {"X": WINDOW, "Y": WINDOW})
    reads: list[str] = []
    real_read = catalog.read

    def counted(
        d: catalog.Reader, b: str, name: str, p: dict[str, object], **kw: bool
    ) -> list[dict[str, object]]:
        reads.append(name)
        return real_read(d, b, name, p, **kw)

    monkeypatch.setattr(catalog, "read", counted)
    reader = adults.AdultReader(graph, db, REF, batch_size=1)
    assert reader.candidates() == ["P"]  # P's violence marker; M has no history
    assert reader.histories(["P", "M"]) == direct_history
    assert reader.children_around(["P", "M"], WINDOW) == direct_around
    assert reader.residences(["X", "Y"], WINDOW) == direct_homes
    first = list(reads)
    assert first.count("find_adult_history_facts") == 2  # batch_size 1: one read per adult
    # asked again, in another order or in part: nothing is read again
    assert reader.candidates() == ["P"]
    assert reader.histories(["M", "P"]) == {"M": direct_history["M"], "P": direct_history["P"]}
    assert reader.children_around(["M"], WINDOW) == {"M": direct_around["M"]}
    assert reader.residences(["Y"], WINDOW) == {"Y": direct_homes["Y"]}
    assert reads == first
    # another window is another question
    narrow = Window(date(2025, 1, 1), REF, REF)
    assert reader.children_around(["P"], narrow) == adults.children_around(graph, db, {"P": narrow}, REF)
    assert central_is_the_same_with_a_shared_reader(graph, db, reader)
    with pytest.raises(ValueError, match="as at"):  # a reader of another date is refused, not read past
        adults.hidden_adults_for(
            graph, db, {"X": narrow}, reader=adults.AdultReader(graph, db, date(2025, 1, 1))
        )
    shared = adults.hidden_adults_for(graph, db, {"X": WINDOW}, reader=reader)
    assert shared == adults.hidden_adults_for(graph, db, {"X": WINDOW})


def central_is_the_same_with_a_shared_reader(graph: neo4j.Driver, db: str, reader: object) -> bool:
    from queries import adults

    assert isinstance(reader, adults.AdultReader)
    shared = linked.central_adults(graph, db, REF, min_history_points=3.0, min_households=2, reader=reader)
    alone = linked.central_adults(graph, db, REF, min_history_points=3.0, min_households=2)
    with pytest.raises(ValueError, match="as at"):
        linked.central_adults(graph, db, date(2025, 1, 1), reader=reader)
    return shared == alone and [a.person_id for a in shared] == ["P"]


@pytest.mark.parametrize(
    ("query", "cls", "column", "branches"),
    [("find_children_around_adults", ChildLink, "how", 8), ("find_child_circles", Link, "link", 8)],
)
def test_links_read_the_query_lists_in_their_order(query: str, cls: type, column: str, branches: int) -> None:
    # these queries return each link as a list (cheaper to read than a map); Link(*list) and ChildLink(*list)
    # are right only while the classes' fields keep the order the query's header gives
    header = " ".join(catalog.header(query).split())
    listed = re.search(r"each a list in this ?order: \[([^\]]+)\]", header)
    assert listed is not None
    assert [x.strip() for x in listed.group(1).split(",")] == [f.name for f in fields(cls)]
    text = catalog.load(query)
    found = re.findall(rf"\[([^\[\]]*)\] AS {column}\b", text)
    assert len(found) == branches  # every branch gives the whole list
    for branch in found:
        assert len(branch.split(",")) == len(fields(cls)), branch
