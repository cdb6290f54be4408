"""Entity resolution's pure parts, without the database: names, identifiers, features, guards, clustering,
stable person ids, link history, accuracy metrics, the model's level labels."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.resolution import identifiers as ids
from ingest.resolution.clustering import (
    METHOD_PROBABILISTIC,
    Clusterer,
    Edge,
    Guards,
    RecordFacts,
    assign_person_ids,
    cluster,
    deterministic_edges,
    pair_conflict,
    pair_key,
)
from ingest.resolution.engine import ResolutionSettings, may_auto_merge, record_facts, review_id
from ingest.resolution.feature_workers import FeatureWorkers
from ingest.resolution.features import (
    FEATURE_SCHEMA,
    PAGE_COLUMNS,
    RECORD_COLUMNS,
    features_for,
    life_stage,
    normalise_sex,
    prepare_features,
    records_frame,
    transposed,
)
from ingest.resolution.matcher import (
    _SLOWER_SQL,
    COMPARISONS,
    Matcher,
    ModelError,
    _gammas,
    _numbered,
    comparison_detail,
    faster_levels,
    level_labels,
    level_weights,
    matched_fields,
    one_edit_apart,
    settings_dict,
)
from ingest.resolution.metrics import pairwise_precision_recall
from ingest.resolution.names import name_tokens, nickname_groups, phonetic
from ingest.resolution.persons import link_props, person_properties, persons_properties
from ingest.resolution.relational import relational_edges
from ingest.resolution.simulate import simulate

REF = date(2026, 3, 1)
GUARDS = Guards(REF)


def nhs(first_nine: str) -> str:
    total = sum(int(d) * w for d, w in zip(first_nine, (10, 9, 8, 7, 6, 5, 4, 3, 2), strict=True))
    check = 11 - total % 11
    assert check != 10, "pick other digits"
    return first_nine + str(0 if check == 11 else check)


# --- names ---------------------------------------------------------------------------------------------
def test_nicknames_and_spelling_variants_share_a_group() -> None:
    assert nickname_groups("dan") == ("daniel",)
    assert nickname_groups("bill") == ("william",)
    assert "kayleigh" in nickname_groups("kayley") and "kayleigh" in nickname_groups("kaylee")
    assert set(nickname_groups("alex")) == {"alexander", "alexandra"}
    assert nickname_groups("zebedee") == ("zebedee",)  # a name in no group stands for itself
    assert set(nickname_groups("peggy")) & set(nickname_groups("margaret"))


def test_phonetic_keys_and_tokens() -> None:
    assert phonetic("smyth") == phonetic("smith")
    assert phonetic("kayleigh") == phonetic("kayley")
    assert phonetic("jones") != phonetic("smith")
    assert name_tokens("Mary-Jane  O'Brien") == ["mary", "jane", "obrien"]
    assert name_tokens("Baby Smith") == ["smith"]
    assert name_tokens("Zoë") == ["zoe"]
    assert name_tokens(None) == []


# --- identifiers ---------------------------------------------------------------------------------------
def test_identifier_validity() -> None:
    good = nhs("943476591")
    assert ids.valid_nhs_number(good)
    assert not ids.valid_nhs_number(good[:-1] + str((int(good[-1]) + 1) % 10))
    assert not ids.valid_nhs_number("12345")
    assert ids.clean(" 943 476-5919 ") == "9434765919"
    assert ids.clean(float("nan")) is None
    assert ids.valid_pnc_id("2001/0123456" + "ZABCDEFGHJKLMNPQRTUVWXY"[int("010123456") % 23])
    assert not ids.valid_pnc_id(
        "2001/0123456A" if "ZABCDEFGHJKLMNPQRTUVWXY"[int("010123456") % 23] != "A" else "x"
    )
    assert ids.pnc_core("2001/0123456Z") == ids.pnc_core("01/123456Z") == "010123456"
    body = "801200011001"
    letter = "ABCDEFGHJKLMNPQRTUVWXYZ"[sum(w * int(c) for w, c in enumerate(body, start=2)) % 23]
    assert ids.valid_upn(letter + body)
    assert not ids.temporary_upn(letter + body)


# --- features ------------------------------------------------------------------------------------------
def test_dates_sex_and_life_stage() -> None:
    assert transposed(date(1990, 4, 3)) == date(1990, 3, 4)
    assert transposed(date(1990, 4, 13)) is None  # no 13th month
    assert transposed(date(1990, 4, 4)) is None
    assert normalise_sex("Male") == normalise_sex("1") == "m"
    assert normalise_sex("F") == "f" and normalise_sex("U") is None and normalise_sex(None) is None
    assert life_stage(date(2015, 1, 1), None, False, REF) == "child"
    assert life_stage(date(2008, 3, 1), None, False, REF) == "adult"  # 18 today
    assert life_stage(date(2008, 3, 2), None, False, REF) == "child"  # 18 tomorrow
    assert life_stage(None, date(2026, 6, 1), False, REF) == "unborn"
    assert life_stage(None, None, True, REF) == "child"  # a UPN and no date of birth
    assert life_stage(None, None, False, REF) is None


def test_features_are_typed_and_normalised() -> None:
    frame = pd.DataFrame([
        {"record_key": "police|persons|1", "agency": "police", "given_name": "Dan", "family_name": "Smyth",
         "date_of_birth": date(1990, 4, 3), "sex": "M", "pnc_id": "90/123456A", "postcode": "b86 0lf",
         "address_line": "12 High St", "history_postcodes": ["B87 1AA"], "history_lines": ["3 Mill Lane"]},
        {"record_key": "health|patients|2", "agency": "health", "given_name": "Daniel", "family_name": "Smith",
         "other_names": "James", "date_of_birth": "1990-03-04", "nhs_number": "943 476 5919"},
    ])  # fmt: skip
    table = prepare_features(frame, REF)
    assert table.schema == FEATURE_SCHEMA
    a, b = table.to_pylist()
    assert a["given_groups"] == b["given_groups"] == ["daniel"]
    assert a["family_ph"] == b["family_ph"]
    assert a["dob_t"] == b["dob"] == "1990-03-04"
    assert a["postcodes"] == ["B86 0LF", "B87 1AA"] and a["districts"] == ["B86", "B87"]
    assert a["addresses"] == ["12high st|B86 0LF", "3mill lane|B87 1AA"]
    assert b["names_all"] == ["daniel", "james"] and b["nhs"] == "9434765919"
    assert a["stage"] == b["stage"] == "adult"
    # a record at a time gives the same table as the whole frame at once
    assert prepare_features(frame, REF, chunk_rows=1).to_pylist() == table.to_pylist()
    assert prepare_features(frame.iloc[:0], REF).num_rows == 0
    with pytest.raises(ValueError, match="unique"):
        prepare_features(pd.concat([frame, frame]), REF)


# --- the model's labels ------------------------------------------------------------------------------
def test_gamma_values_map_to_labelled_levels() -> None:
    labels = level_labels()
    for name, levels in COMPARISONS.items():
        assert labels[name][-1].null
        assert labels[name][0].label in ("different", "different identifier")  # the last level is 0
        assert len(labels[name]) == len(levels)
    top = {name: max(labels[name]) for name in COMPARISONS}
    fields = matched_fields(top)
    assert "given_name:exact" in fields and "identifiers:same identifier" in fields
    assert matched_fields({"given_name": 0, "sex": -1}) == []
    detail = comparison_detail({"given_name": 0}, {"given_name": -7.5})
    assert detail == {"given_name": {"level": "different", "agrees": False, "match_weight": -7.5}}
    assert not may_auto_merge(detail)  # twins: everything agrees but the first name
    assert may_auto_merge({"given_name": {"level": "nickname"}}) and may_auto_merge({})


# --- guards and clustering -----------------------------------------------------------------------------
def facts(key: str, stage: str | None = "adult", dob: date | None = None, **identifiers: str) -> RecordFacts:
    return RecordFacts(key, identifiers, stage, dob)


def prob(a: str, b: str, p: float, auto: bool = True) -> Edge:
    return Edge(a, b, METHOD_PROBABILISTIC, p, ("given_name:exact",), may_auto_merge=auto)


def test_guards_refuse_child_adult_conflicting_ids_and_generation_gap() -> None:
    child = facts("c", "child", date(2015, 1, 1))
    adult = facts("a", "adult", date(1985, 1, 1))
    assert pair_conflict(child, adult, GUARDS) == "a child and an adult"
    assert pair_conflict(facts("u", "unborn"), adult, GUARDS) == "a child and an adult"
    assert (
        pair_conflict(facts("x", nhs="1"), facts("y", nhs="2"), GUARDS) == "different valid nhs_number values"
    )
    assert pair_conflict(facts("x", nhs="1"), facts("y", nhs="1"), GUARDS) is None
    father, son = facts("f", "adult", date(1970, 1, 1)), facts("s", "adult", date(1995, 1, 1))
    assert "years apart" in str(pair_conflict(father, son, GUARDS))
    assert pair_conflict(facts("p"), facts("q"), GUARDS, rejected=True) is not None
    assert pair_conflict(facts("p", None), facts("q", "child"), GUARDS) is None


def test_cluster_transitive_guard_reviews_and_evidence() -> None:
    ids_ = {"a": {"nhs": "1"}, "c": {"nhs": "2"}}
    records = [RecordFacts(k, ids_.get(k, {}), "adult") for k in "abcdeghi"]
    edges = [
        prob("a", "b", 0.999),
        prob("b", "c", 0.995),  # would put NHS 1 and 2 in one person: refused
        prob("e", "g", 0.999),
        prob("d", "e", 0.9),  # doubtful: review
        prob("d", "g", 0.85),  # a second doubtful pair between the same two persons: not queued again
        prob("h", "i", 0.999, auto=False),  # strong but the first names disagree: review, not linked
        prob("h", "d", 0.5),  # below the lower threshold: nothing
    ]
    result = cluster(records, edges, GUARDS, upper=0.99, lower=0.8)
    assert result.clusters == [["a", "b"], ["c"], ["d"], ["e", "g"], ["h"], ["i"]]
    assert [(e.pair_key, r) for e, r in result.blocked] == [
        (pair_key("b", "c"), "different valid nhs_number values")
    ]
    assert result.evidence["a"].right == "b" and "c" not in result.evidence and "h" not in result.evidence
    pending = sorted(c.edge.pair_key for c in result.reviews if c.status == "pending")
    assert pending == [pair_key("d", "e"), pair_key("h", "i")]


def test_joining_the_family_context_edges_in_a_second_step_equals_joining_everything_at_once() -> None:
    ids_ = {"a": {"nhs": "1"}, "c": {"nhs": "2"}}
    records = [RecordFacts(k, ids_.get(k, {}), "child" if k == "k" else "adult") for k in "abcdeghijk"]
    first = [
        prob("a", "b", 0.999),
        prob("b", "c", 0.995),  # refused: two NHS numbers
        prob("d", "e", 0.9),  # review, unless the second step joins them
        prob("h", "i", 0.95),  # review
        *deterministic_edges([facts("g", nhs="3"), facts("j", nhs="3")])[0],
    ]
    # the family-context rule's edges (method relational, ranked last)
    second = [
        Edge("d", "e", "relational", None, ("given_name:exact", "same relative")),
        Edge("b", "c", "relational", None, ("given_name:exact", "same relative")),  # still refused
        Edge("i", "k", "relational", None, ("given_name:exact", "same relative")),  # a child and an adult
        Edge("g", "i", "relational", None, ("given_name:exact", "same relative")),
    ]
    at_once = cluster(records, [*first, *second], GUARDS, 0.99, 0.8)
    stepwise = Clusterer(records, GUARDS, 0.99, 0.8).join(first)
    before = stepwise.result()
    assert before.clusters == [["a", "b"], ["c"], ["d"], ["e"], ["g", "j"], ["h"], ["i"], ["k"]]
    after = stepwise.join(second).result()
    assert (
        after.clusters == at_once.clusters == [["a", "b"], ["c"], ["d", "e"], ["g", "i", "j"], ["h"], ["k"]]
    )
    assert after.evidence == at_once.evidence and after.evidence["d"].method == "relational"
    assert after.reviews == at_once.reviews
    assert [c.edge.pair_key for c in after.reviews] == [pair_key("h", "i")]  # d-e joined: no longer asked
    assert after.blocked == at_once.blocked
    assert [(e.method, r) for e, r in after.blocked] == [
        ("probabilistic", "different valid nhs_number values"),
        ("relational", "different valid nhs_number values"),
        ("relational", "a child and an adult"),
    ]
    with pytest.raises(ValueError, match="outrank"):  # a step may not bring edges stronger than before
        Clusterer(records, GUARDS, 0.99, 0.8).join(second).join(first)


def test_evidence_taken_while_joining_equals_evidence_taken_from_the_final_persons() -> None:
    """The clusterer keeps each record's evidence as it joins; taking, after the fact, the first automatic
    edge (in rank order) whose records ended in one person gives the same, guards and cannot-links included."""
    import random

    rng = random.Random(11)
    keys = [f"r{i:02d}" for i in range(30)]
    for trial in range(30):
        records = [
            RecordFacts(k, {"nhs": rng.choice("123")} if rng.random() < 0.3 else {},
                        rng.choice(["child", "adult", None]), date(rng.choice([1980, 1990, 2015]), 1, 1))
            for k in keys
        ]  # fmt: skip

        def two() -> tuple[str, str]:
            a, b = rng.sample(keys, 2)
            return a, b

        edges = [prob(*two(), round(rng.uniform(0.8, 1.0), 3), auto=rng.random() < 0.9) for _ in range(60)]
        later = [Edge(*two(), "relational", None, ("same relative",)) for _ in range(10)]
        rejects = [two() for _ in range(3)]
        clusterer = Clusterer(records, GUARDS, 0.97, 0.8, rejects).join(edges).join(later)
        got = clusterer.result()
        person = {k: i for i, members in enumerate(got.clusters) for k in members}
        expected: dict[str, Edge] = {}
        for edge in sorted(edges, key=Edge.rank) + sorted(later, key=Edge.rank):
            automatic = edge.method != METHOD_PROBABILISTIC or (
                edge.may_auto_merge and (edge.probability or 0.0) >= 0.97
            )
            if automatic and person[edge.left] == person[edge.right]:
                expected.setdefault(edge.left, edge)
                expected.setdefault(edge.right, edge)
        assert got.evidence == expected, trial
        assert got.blocked, "the trials should exercise the guards"


def test_analyst_decisions_and_deterministic_rules_in_order() -> None:
    records = [facts(k) for k in "abcd"]
    det, suspicious = deterministic_edges([facts("a", nhs="9"), facts("b", nhs="9"), facts("c", la="7")])
    assert [(e.left, e.right, e.method) for e in det] == [("a", "b", "deterministic:nhs_number")]
    assert suspicious == []
    confirm = Edge("c", "d", "analyst", 0.5, ("analyst confirmed",), decided_by="ana")
    result = cluster(records, [*det, confirm], GUARDS, 0.99, 0.8, cannot_link=[("a", "b")])
    assert result.clusters == [["a"], ["b"], ["c", "d"]]  # the rejection beats the shared NHS number
    assert result.evidence["c"].method == "analyst"
    assert all(c.status != "conflict" for c in result.reviews)  # an analyst's no is not a data conflict
    # a shared identifier against a guard is a data problem: it is queued as a conflict
    clash = cluster([facts("x", "child", nhs="5"), facts("y", "adult", nhs="5")],
                    deterministic_edges([facts("x", nhs="5"), facts("y", nhs="5")])[0], GUARDS, 0.99, 0.8)  # fmt: skip
    assert clash.clusters == [["x"], ["y"]]
    assert [(c.status, c.reason) for c in clash.reviews] == [("conflict", "a child and an adult")]


def test_a_placeholder_identifier_links_nobody() -> None:
    many = [facts(f"r{i}", nhs="0000000000") for i in range(25)]
    edges, suspicious = deterministic_edges(many, max_group=20)
    assert edges == [] and suspicious == [("nhs", "0000000000", 25)]


def test_person_ids_are_stable_and_new_clusters_get_new_ids() -> None:
    previous = {"a": "P1", "b": "P1", "c": "P2", "d": "P3"}
    counter = iter(range(100))
    ids_, retired = assign_person_ids([["a", "b"], ["c"], ["d"]], previous, lambda: f"N{next(counter)}")
    assert ids_ == ["P1", "P2", "P3"] and retired == {}
    # b and c join, a splits off: P1 stays with the larger share, the tie goes to the earlier cluster
    ids_, retired = assign_person_ids([["a"], ["b", "c", "e"], ["d"]], previous, lambda: f"N{next(counter)}")
    assert ids_ == ["P1", "P2", "P3"]
    ids_, retired = assign_person_ids([["a", "b", "c", "d"]], previous, lambda: "new")
    assert ids_ == ["P1"] and retired == {"P2": "P1", "P3": "P1"}
    ids_, _ = assign_person_ids([["x"]], {}, None)
    assert ids_[0].startswith("P-") and len(ids_[0]) == 34


def test_link_props_keep_history_and_linked_at() -> None:
    t1, t2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    evidence = {"method": "deterministic:nhs_number", "match_probability": 1.0, "matched_fields": ["nhs_number"],
                "matched_with": "b", "decided_by": "jigsaw"}  # fmt: skip
    first = link_props("a", "P1", evidence, None, t1, "run1")
    assert first is not None and "history" not in first and first["linked_at"] == t1  # no earlier links
    assert link_props("a", "P1", evidence, ("P1", first), t2, "run2") is None  # nothing changed
    moved = link_props("a", "P2", {**evidence, "method": "analyst"}, ("P1", first), t2, "run2", "split")
    assert moved is not None and moved["linked_at"] == t2 and moved["reason"] == "split"
    (old,) = [json.loads(h) for h in moved["history"]]
    assert old["person_id"] == "P1" and old["method"] == "deterministic:nhs_number"


def test_person_properties_take_the_most_common_values() -> None:
    props, unborn = person_properties([
        {"agency": "police", "given_name": "Dan", "family_name": "Smyth", "date_of_birth": date(1990, 4, 3), "sex": "M"},
        {"agency": "health", "given_name": "Daniel", "family_name": "Smith", "date_of_birth": date(1990, 3, 4), "sex": "1"},
        {"agency": "health", "given_name": "Daniel", "family_name": "Smith", "date_of_birth": date(1990, 3, 4)},
    ])  # fmt: skip
    assert props["date_of_birth"] == date(1990, 3, 4) and props["sex"] == "M"
    assert props["display_name"] == "Daniel Smith" and props["agencies"] == ["health", "police"]
    assert props["record_count"] == 3 and not unborn
    props, unborn = person_properties([{"agency": "health", "expected_date_of_birth": "2026-06-01"}])
    assert unborn and props["expected_date_of_birth"] == date(2026, 6, 1) and props["date_of_birth"] is None


def test_persons_properties_column_by_column_equal_person_properties_record_by_record() -> None:
    import random

    rng = random.Random(7)
    choice = rng.choice
    columns: dict[str, list[Any]] = {c: [] for c in
                                     ("record_key", "given_name", "family_name", "date_of_birth",
                                      "expected_date_of_birth", "sex", "agency")}  # fmt: skip
    clusters: list[list[str]] = []
    for p in range(400):
        members = []
        for r in range(rng.randint(1, 5)):  # ties are common: two records, two values
            key = f"rec-{p}-{r}"
            members.append(key)
            row = {"record_key": key, "given_name": choice(["Dan", "Daniel", " ", None, "Kim "]),
                   "family_name": choice(["Smith", "Smyth", "", None]),
                   "date_of_birth": choice(["1990-03-04", "1990-04-03", None, "not a date"]),
                   "expected_date_of_birth": choice(["2026-06-01", None, "2026-05-30"]),
                   "sex": choice(["M", "1", "Female", "2", None, "not stated"]),
                   "agency": choice(["police", "health", " ", None])}  # fmt: skip
            for c in columns:
                columns[c].append(row[c])
        clusters.append(sorted(members))
    order = list(range(len(columns["record_key"])))
    rng.shuffle(order)  # the people table is in record order, not cluster order
    people = pa.table({c: [v[i] for i in order] for c, v in columns.items()})
    rows = {k: {c: columns[c][i] for c in columns} for i, k in enumerate(columns["record_key"])}
    got = list(persons_properties(people, clusters))
    assert len(got) == len(clusters)
    for members, (props, unborn) in zip(clusters, got, strict=True):
        assert (props, unborn) == person_properties([rows[k] for k in members]), members


def test_pairwise_precision_recall() -> None:
    truth = pd.DataFrame({"record_key": list("abcde"), "true_person_id": ["1", "1", "1", "2", "3"]})
    links = pd.DataFrame({"record_key": list("abcdf"), "person_id": ["x", "x", "y", "y", "z"]})
    pr = pairwise_precision_recall(links, truth)
    # predicted pairs ab, cd; true pairs ab, ac, bc; correct ab
    assert (pr.predicted_pairs, pr.true_pairs, pr.correct_pairs) == (2, 3, 1)
    assert pr.precision == 0.5 and pr.recall == pytest.approx(1 / 3)
    assert pr.missing_from_links == 1 and pr.missing_from_truth == 1
    with pytest.raises(ValueError, match="missing column"):
        pairwise_precision_recall(links.rename(columns={"person_id": "p"}), truth)


def _as_pages(records: pd.DataFrame, size: int) -> list[list[list[Any]]]:
    """A records frame as the store's pages: lists in PAGE_COLUMNS, lived_at as [postcode, line] pairs."""
    rows = [
        [*(row[c] for c in PAGE_COLUMNS[:-1]),
         [list(p) for p in zip(row["history_postcodes"], row["history_lines"], strict=True)]]
        for row in records.reindex(columns=list(RECORD_COLUMNS)).to_dict("records")
    ]  # fmt: skip
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def test_features_worked_out_page_by_page_in_worker_processes_equal_the_whole_frames() -> None:
    sim = simulate(60, 3, REF)
    pages = _as_pages(sim.records, 50)
    assert len(pages) > 3
    frame = records_frame(pages)
    assert frame["record_key"].tolist() == sim.records["record_key"].tolist()
    assert frame["history_postcodes"].tolist() == sim.records["history_postcodes"].tolist()
    expected = prepare_features(frame, REF).to_pylist()
    for processes in (0, 1, 2):
        with FeatureWorkers(REF, processes) as workers:
            for page in pages:
                workers.add(page)
            assert workers.table().to_pylist() == expected
            assert workers.started == (processes > 0)
    with FeatureWorkers(REF) as workers:  # one page: worked in this process, no worker started
        workers.add(pages[0])
        assert workers.table().to_pylist() == expected[:50]
        assert not workers.started
    with FeatureWorkers(REF) as workers:
        assert workers.table().num_rows == 0
        workers.add([])
        assert workers.table().schema == FEATURE_SCHEMA
    with FeatureWorkers(REF) as workers, pytest.raises(ValueError, match="unique, repeated"):
        workers.add(pages[0])
        workers.add(pages[0][:5])
        workers.table()
    with pytest.raises(ValueError, match="feature processes"):
        FeatureWorkers(REF, -1)


def test_simulation_is_reproducible_and_facts_follow_features() -> None:
    a, b = simulate(20, 3, REF), simulate(20, 3, REF)
    assert a.records.drop(columns=["history_postcodes", "history_lines"]).equals(
        b.records.drop(columns=["history_postcodes", "history_lines"])
    )
    assert a.truth["record_key"].is_unique
    table = prepare_features(a.records, REF)
    by_row = [features_for(row, REF) for row in a.records.to_dict("records")]  # the row-wise definition
    assert table.to_pylist() == by_row
    guard_facts, rule_facts = record_facts(table)
    assert len(guard_facts) == len(a.records)
    assert all(set(f.identifiers) <= {"nhs", "upn", "la", "pnc"} for f in rule_facts)
    assert review_id(pair_key("a", "b")) == review_id(pair_key("b", "a"))


def test_family_context_rule_links_same_named_parents_of_one_child() -> None:
    frame = pd.DataFrame([
        {"record_key": "health|fhir|Patient/c", "given_name": "Poppy", "family_name": "Parsons",
         "date_of_birth": date(2015, 5, 1), "postcode": "JW36 6BP", "address_line": "42 Robson Way"},
        {"record_key": "education|pupils|c", "given_name": "Poppy", "family_name": "Parsons",
         "date_of_birth": date(2015, 5, 1)},
        {"record_key": "health|fhir|RelatedPerson/m", "given_name": "Kimberley", "family_name": "Parsons", "sex": "F"},
        {"record_key": "education|pupil_contacts|m", "given_name": "Kim", "family_name": "Parsons"},
        {"record_key": "education|pupil_contacts|g", "given_name": "Kimberley", "family_name": "Parsons",
         "date_of_birth": date(1950, 1, 1)},
        {"record_key": "health|fhir|RelatedPerson/x", "given_name": "Kevin", "family_name": "Parsons", "sex": "M"},
    ])  # fmt: skip
    features = prepare_features(frame, REF)
    clusters = [["education|pupils|c", "health|fhir|Patient/c"], ["health|fhir|RelatedPerson/m"],
                ["education|pupil_contacts|m"], ["education|pupil_contacts|g"], ["health|fhir|RelatedPerson/x"]]  # fmt: skip
    relations = [
        ("health|fhir|RelatedPerson/m", "health|fhir|Patient/c", "parent"),
        ("education|pupil_contacts|m", "education|pupils|c", "parent"),
        ("education|pupil_contacts|g", "education|pupils|c", "grandparent"),  # another relationship
        ("health|fhir|RelatedPerson/x", "health|fhir|Patient/c", "step_parent"),  # a parent, another name
    ]
    edges = relational_edges(features, relations, clusters)
    assert [(e.left, e.right, e.method) for e in edges] == [
        ("education|pupil_contacts|m", "health|fhir|RelatedPerson/m", "deterministic:name_and_relative")
    ]
    assert edges[0].matched_fields == (
        "given_name:nickname",
        "family_name:exact",
        "same relative: parent of the same person",
    )
    # a parent of a child at the same address also counts (the children need not be one person)
    edges = relational_edges(features, [relations[0], ("education|pupil_contacts|m", "health|fhir|Patient/c", "parent")],
                             [[k] for k in frame["record_key"]])  # fmt: skip
    assert len(edges) == 1
    # the father's two records link too, apart from the mother's
    dad = pd.concat([frame, pd.DataFrame([{"record_key": "education|pupil_contacts|x", "given_name": "Kev",
                                           "family_name": "Parsons"}])])  # fmt: skip
    both = relational_edges(prepare_features(dad, REF),
                            [*relations, ("education|pupil_contacts|x", "education|pupils|c", "parent")],
                            [*clusters, ["education|pupil_contacts|x"]])  # fmt: skip
    assert sorted((e.left, e.right) for e in both) == [
        ("education|pupil_contacts|m", "health|fhir|RelatedPerson/m"),
        ("education|pupil_contacts|x", "health|fhir|RelatedPerson/x"),
    ]
    # ambiguous: Kim could be the female Kimberley or a male one, who cannot be one person: link neither
    male = frame.copy()
    male.loc[male["record_key"] == "health|fhir|RelatedPerson/x", "given_name"] = "Kimberley"
    assert relational_edges(prepare_features(male, REF), relations, clusters) == []


def test_family_context_rule_picks_the_first_agreeing_pair_when_a_persons_records_repeat_a_name() -> None:
    """Records of one person that spell the name alike are compared once (relational._distinct); the pair
    linked is still the first agreeing one in record order, and a later, different record still counts."""
    rows = [("c", "Poppy", "Parsons", date(2015, 5, 1)), ("m1", "Bob", "Jones", None), ("m2", "Bob", "Jones", None),
            ("m3", "Kim", "Parsons", None), ("m4", "Kim", "Parsons", None), ("n1", "Kimberley", "Parsons", None),
            ("n2", "Kimberley", "Parsons", None)]  # fmt: skip
    frame = pd.DataFrame(
        [{"record_key": k, "given_name": g, "family_name": f, "date_of_birth": d} for k, g, f, d in rows]
    )
    clusters = [["c"], ["m1", "m2", "m3", "m4"], ["n1", "n2"]]
    relations = [("m1", "c", "parent"), ("n2", "c", "parent")]
    edges = relational_edges(prepare_features(frame, REF), relations, clusters)
    assert [(e.left, e.right, e.matched_fields[:2]) for e in edges] == [
        ("m3", "n1", ("given_name:nickname", "family_name:exact"))
    ]
    assert relational_edges(prepare_features(frame, REF), relations[:1], clusters) == []  # nobody shares
    assert relational_edges(prepare_features(frame, REF), [], clusters) == []


def test_levels_read_back_from_match_weights_equal_splinks_own_levels() -> None:
    sim = simulate(150, seed=5, reference=REF)
    matcher = Matcher(prepare_features(sim.records, REF), memory_limit="1GB")
    try:
        matcher.train(seed=1, max_pairs_u=3e5, max_pairs_em=5e3)
        assert level_weights(matcher.linker.misc.save_model_to_json()) is not None  # the fast path is taken
        from_weights = matcher.predict(0.5)
        from_splink = matcher.predict(0.5, gammas_from_weights=False)
    finally:
        matcher.close()
    assert len(from_weights) > 100
    key = ["left_key", "right_key"]
    a = from_weights.sort_values(key).reset_index(drop=True)
    b = from_splink.sort_values(key).reset_index(drop=True)
    assert a[key].equals(b[key]) and (a["match_probability"] - b["match_probability"]).abs().max() < 1e-12
    assert a["matched_fields"].tolist() == b["matched_fields"].tolist()
    assert a["detail"].tolist() == b["detail"].tolist()
    levels = {str(d["given_name"]["level"]) for d in a["detail"]}
    assert len(levels) > 2  # several levels were told apart, not one


def test_a_weight_no_level_has_is_refused_and_close_levels_fall_back() -> None:
    model: dict[str, Any] = {"comparisons": [{"output_column_name": "sex", "comparison_levels": [
        {"is_null_level": True}, {"m_probability": 0.9, "u_probability": 0.5}, {"m_probability": 0.1, "u_probability": 0.5}]}]}  # fmt: skip
    levels = level_weights(model)
    assert levels is not None
    weights = np.array([0.0, math.log2(0.9 / 0.5), math.log2(0.1 / 0.5)])
    assert _gammas(weights, levels["sex"], "sex").tolist() == [-1, 1, 0]
    with pytest.raises(ModelError, match="no level's weight"):
        _gammas(np.array([0.3]), levels["sex"], "sex")
    model["comparisons"][0]["comparison_levels"][2] = {"m_probability": 0.9, "u_probability": 0.5}
    assert level_weights(model) is None  # two levels with one weight: Splink's own levels are used


def test_duckdb_memory_limit_is_checked_and_its_spill_folder_removed() -> None:
    sim = simulate(20, seed=2, reference=date(2026, 3, 1))
    features = prepare_features(sim.records, date(2026, 3, 1))
    with pytest.raises(ValueError, match="memory limit"):
        Matcher(features, memory_limit="3GB'; DROP TABLE x; --")
    matcher = Matcher(features, memory_limit="512MB")
    spill = Path(matcher._spill.name) if matcher._spill else None
    assert spill is not None and spill.is_dir()
    row = matcher.con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert row is not None and row[0] in ("488.2 MiB", "512.0 MB")
    matcher.close()
    assert not spill.exists()


def test_a_memory_limit_that_is_not_a_size_is_refused_in_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="memory_limit 'lots'"):
        ResolutionSettings(data_dir=tmp_path, memory_limit="lots")
    assert ResolutionSettings(data_dir=tmp_path, memory_limit="1.5GiB").memory_limit == "1.5GiB"


# identifiers and dates: a few characters, so that pairs one edit apart (and transpositions) come up often
_CHARS = st.text(alphabet="012é", max_size=6) | st.none()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_CHARS, _CHARS), min_size=1, max_size=200))
def test_one_edit_apart_equals_damerau_levenshtein_within_one(
    pairs: list[tuple[str | None, str | None]],
) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE p (x_l VARCHAR, x_r VARCHAR)")
        con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
        # inside a CASE's condition, as Splink writes each level, NULL (unknown) kept apart from false; the
        # condition twice, so that DuckDB computes it for every row before either branch (hamming must not raise)
        got = con.execute(
            f"SELECT CASE WHEN {one_edit_apart('x')} THEN 1 WHEN NOT {one_edit_apart('x')} THEN 0 END, "
            "CASE WHEN damerau_levenshtein(x_l, x_r) <= 1 THEN 1 WHEN NOT damerau_levenshtein(x_l, x_r) <= 1 "
            "THEN 0 END FROM p"
        ).fetchall()
    finally:
        con.close()
    assert [new for new, _ in got] == [old for _, old in got]


def test_one_edit_apart_on_dates_a_substitution_and_a_transposition() -> None:
    con = duckdb.connect()
    rows = [("2011-03-04", "2011-03-04"), ("2011-03-04", "2011-03-05"), ("2011-03-04", "2011-30-04"),
            ("2011-03-04", "2011-04-03"), ("2011-03-04", "2012-03-05"), ("2011-03-04", None)]  # fmt: skip
    con.execute("CREATE TABLE p (dob_l VARCHAR, dob_r VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?)", rows)
    got = con.execute(f"SELECT CASE WHEN {one_edit_apart('dob')} THEN 1 ELSE 0 END FROM p")
    assert [r[0] for r in got.fetchall()] == [1, 1, 1, 0, 0, 0]  # equal, substitution, transposition
    con.close()


def test_a_model_saved_with_the_slower_levels_scores_with_the_faster_ones() -> None:
    current = settings_dict()
    saved = json.loads(json.dumps(current))
    slower = {new: old for old, new in _SLOWER_SQL.items()}
    replaced = 0
    for comparison in saved["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"] in slower:
                level["sql_condition"] = slower[level["sql_condition"]]
                level["m_probability"], level["u_probability"] = 0.25, 0.001
                replaced += 1
    assert replaced == 2  # the date of birth's and the identifiers' "one edit apart" levels
    faster = faster_levels(saved)
    conditions = [lv["sql_condition"] for c in faster["comparisons"] for lv in c["comparison_levels"]]
    assert conditions == [
        lv["sql_condition"] for c in current["comparisons"] for lv in c["comparison_levels"]
    ]
    kept = [lv for c in faster["comparisons"] for lv in c["comparison_levels"] if "u_probability" in lv]
    assert len(kept) == 2 and all(lv["m_probability"] == 0.25 for lv in kept)  # trained values untouched


def test_records_numbered_in_key_order_and_turned_back_into_keys() -> None:
    table = pa.table({"unique_id": ["police|b", "csc|z", "police|a", "health|é"], "x": [1, 2, 3, 4]})
    numbered, keys = _numbered(table)
    places = numbered.column("unique_id").to_pylist()
    assert keys.to_pylist() == sorted(table.column("unique_id").to_pylist())  # key order (bytes, as DuckDB)
    assert [keys[p].as_py() for p in places] == table.column("unique_id").to_pylist()
    assert numbered.column("x").to_pylist() == [1, 2, 3, 4]  # the rest of each row as it was
    # a pair keeps its orientation: the smaller place is the smaller key
    for a, b in [(0, 1), (1, 2), (2, 3), (0, 3)]:
        key_a, key_b = table.column("unique_id")[a].as_py(), table.column("unique_id")[b].as_py()
        assert (places[a] < places[b]) == (key_a.encode() < key_b.encode())


_EDGE_KEYS = st.sampled_from(["a", "b", "c", "ab", "b|2", "z", "Z", "é"])
_EDGES = st.lists(
    st.builds(
        Edge,
        _EDGE_KEYS,
        _EDGE_KEYS,
        st.sampled_from(
            [
                "analyst",
                "deterministic:nhs_number",
                "deterministic:name_and_relative",
                METHOD_PROBABILISTIC,
                "deterministic:unknown",
            ]
        ),  # fmt: skip
        st.one_of(st.none(), st.sampled_from([0.0, 0.5, 0.8, 0.99, 1.0]), st.floats(0, 1)),
    ),
    max_size=60,
)


@given(_EDGES)
@settings(max_examples=300, deadline=None)
def test_edges_are_joined_in_rank_order(edges: list[Edge]) -> None:
    # Clusterer._by_rank sorts with numbers: the order must be Edge.rank's, ties kept in their given order
    records = [RecordFacts(k) for k in ["a", "b", "c", "ab", "b|2", "z", "Z", "é"]]
    clusterer = Clusterer(records, Guards(date(2026, 3, 31)), 0.99, 0.8)
    assert clusterer._by_rank(list(edges)) == sorted(edges, key=Edge.rank)
    assert [id(e) for e in clusterer._by_rank(list(edges))] == [id(e) for e in sorted(edges, key=Edge.rank)]
