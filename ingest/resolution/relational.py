"""The family-context rule: the same name, and the same relative (pure).

Agencies often record a parent only as someone's relative: a school's pupil contact, a GP's FHIR
RelatedPerson, maternity's partner of the mother. Such a record may carry a name and nothing else, so the
model cannot link it. But two records with compatible names (exact, nickname, phonetic or similar; dates of
birth and sex not contradicting) that are both the parent (or partner, grandparent, ...) of the same
person, or of someone living at the same address, are the same person: the rule links them after a first
clustering has found who the relatives are. Its links carry ``deterministic:name_and_relative`` and say
which relationship they shared; the guards apply as to every link.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import jellyfish
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.resolution.clustering import Edge

METHOD_RELATIONAL = "deterministic:name_and_relative"
_CLASSES = {
    "parent": "parent", "step_parent": "parent", "carer": "parent", "partner": "partner",
    "ex_partner": "partner", "sibling": "sibling", "half_sibling": "sibling", "grandparent": "grandparent",
    "aunt_uncle": "aunt_uncle", "child": "child",
}  # fmt: skip
# the features the rule reads: the names and dates same_name compares, and the addresses
FEATURE_COLUMNS = ("unique_id", "given", "given_groups", "given_ph", "family", "family_tokens", "family_ph", "dob",
                   "dob_t", "sex", "addresses")  # fmt: skip
MAX_CLUSTERS_PER_CONTEXT = 8  # a relative shared by more clusters than this is not telling


def relation_class(kind: str | None) -> str | None:
    return _CLASSES.get(kind or "")


def _given_level(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    x, y = a["given"], b["given"]
    if not x or not y:
        return None
    if x == y:
        return "exact"
    if _shares(a["given_groups"], b["given_groups"]):
        return "nickname"
    if jellyfish.jaro_winkler_similarity(x, y) >= 0.9:
        return "similar"
    if a["given_ph"] and a["given_ph"] == b["given_ph"]:
        return "phonetic"
    return None


def _family_level(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    x, y = a["family"], b["family"]
    if not x or not y:
        return None
    if x == y:
        return "exact"
    if _shares(a["family_tokens"], b["family_tokens"]):
        return "part of a double name"
    if jellyfish.jaro_winkler_similarity(x, y) >= 0.92:
        return "similar"
    if a["family_ph"] and a["family_ph"] == b["family_ph"]:
        return "phonetic"
    return None


def _compatible_dob(a: dict[str, Any], b: dict[str, Any]) -> bool:
    x, y = a["dob"], b["dob"]
    if not x or not y or x == y or x == b["dob_t"]:
        return True
    return jellyfish.damerau_levenshtein_distance(x, y) <= 1


def _shares(x: Sequence[str], y: Sequence[str]) -> bool:
    """Whether two short lists (a name's nickname groups or tokens, mostly one) have an item in common."""
    if len(x) == 1:
        return x[0] in y
    return not set(x).isdisjoint(y)


def same_name(a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...] | None:
    """The agreeing name fields when the two records may be one person by name, dates and sex."""
    if a["sex"] and b["sex"] and a["sex"] != b["sex"]:  # the cheap refusals first: millions of pairs
        return None
    given = _given_level(a, b)
    if given is None:
        return None
    family = _family_level(a, b)
    if family is None or not _compatible_dob(a, b):
        return None
    return (f"given_name:{given}", f"family_name:{family}")


_COMPARED = ("given", "given_groups", "given_ph", "family", "family_tokens", "family_ph", "dob", "dob_t",
             "sex")  # fmt: skip
_signature = operator.itemgetter(*_COMPARED)


def _distinct(members: Sequence[str], rows: dict[str, dict[str, Any]]) -> list[str]:
    """The members, in order, without those whose compared fields equal an earlier member's: same_name says
    the same of both, so the first pair ``_best_pair`` finds is the same without them (a person's records
    often spell the name alike)."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for key in members:
        row = rows[key]
        signature = tuple(tuple(v) if isinstance(v, list) else v for v in _signature(row))
        if signature not in seen:
            seen.add(signature)
            out.append(key)
    return out


def relational_edges(
    features: pa.Table,
    relations: Iterable[tuple[str, str, str | None]],
    clusters: Sequence[Sequence[str]],
) -> list[Edge]:
    """Edges between records of different clusters that share a relative (see the module docstring).

    ``relations`` are (from record, to record, type): the first is <type> of the second.
    """
    cols = [c for c in FEATURE_COLUMNS if c != "addresses"]  # what same_name compares
    relations = list(relations)
    cluster_of = {key: i for i, members in enumerate(clusters) for key in members}
    # Python values only for the records that need them (at 200,000 children, most persons have a relative,
    # and every record's row as a dict took 3.5 GB): the addresses of the persons someone is related to,
    # then the names of the persons that share a relative with another
    related_to = {cluster_of[dst] for src, dst, _ in relations if src in cluster_of and dst in cluster_of}
    addresses = _rows(features, ["unique_id", "addresses"], (k for i in related_to for k in clusters[i]))
    places: dict[int, set[str]] = defaultdict(set)
    for key, row in addresses.items():
        places[cluster_of[key]].update(row["addresses"] or [])
    del addresses
    # each context as one text ("of|parent|person|17", "of|parent|address|<address>") with the cluster that
    # has it, grouped by pandas: a set per context took gigabytes at 200,000 children, and most contexts
    # belong to one cluster alone (not telling)
    keys: list[str] = []
    owners: list[int] = []
    for src, dst, kind in relations:
        cls = relation_class(kind)
        cs, cd = cluster_of.get(src), cluster_of.get(dst)
        if cls is None or cs is None or cd is None or cs == cd:
            continue
        keys += (f"of|{cls}|person|{cd}", f"has|{cls}|person|{cs}")
        owners += (cs, cd)
        for place in places[cd]:
            keys.append(f"of|{cls}|address|{place}")
            owners.append(cs)
    pairs = pd.DataFrame({"key": keys, "cluster": owners}).drop_duplicates()
    del keys, owners
    size = pairs.groupby("key")["cluster"].transform("size")
    pairs = pairs[(size > 1) & (size <= MAX_CLUSTERS_PER_CONTEXT)]
    pairs = pairs.sort_values(["key", "cluster"])
    keys_sorted, owners_sorted = pairs["key"].to_numpy(dtype=object), pairs["cluster"].to_numpy().tolist()
    # where each context's run of (sorted) rows starts, and the end
    bounds = [i for i in range(len(keys_sorted)) if i == 0 or keys_sorted[i] != keys_sorted[i - 1]]
    bounds.append(len(keys_sorted))
    context: dict[tuple[str, ...], list[int]] = {
        tuple(str(keys_sorted[a]).split("|", 3)): owners_sorted[a:b]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    }
    del pairs
    sharing = {c for members in context.values() for c in members}
    rows = _rows(features, cols, (k for i in sharing for k in clusters[i]))
    for row in rows.values():
        row["given_groups"] = row["given_groups"] or []
        row["family_tokens"] = row["family_tokens"] or []
    distinct = {i: _distinct(clusters[i], rows) for i in sharing}
    edges: dict[tuple[int, int], Edge] = {}
    for item in sorted(context, key=lambda it: (it[2] != "person", it)):  # a shared person says most
        members = context[item]
        found: dict[tuple[int, int], Edge] = {}
        for i, ci in enumerate(members):
            for cj in members[i + 1 :]:
                edge = _best_pair(distinct[ci], distinct[cj], rows, item)
                if edge is not None:
                    found[(ci, cj)] = edge
        for group in _components(found):
            if any((a, b) not in found for a in group for b in group if a < b):
                continue  # ambiguous: a Kim who could be either of two different Kimberleys links neither
            for pair, edge in found.items():
                if pair[0] in group:
                    edges.setdefault(pair, edge)
    return list(edges.values())


def _rows(features: pa.Table, cols: list[str], keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """unique_id -> the row's ``cols`` as Python values, for the given records only."""
    wanted = pa.array(list(keys), pa.string())
    chosen = features.filter(pc.is_in(features.column("unique_id"), value_set=wanted)).select(cols)
    return {row["unique_id"]: row for row in chosen.to_pylist()}


def _components(pairs: dict[tuple[int, int], Edge]) -> list[set[int]]:
    """The groups of clusters joined by the pairs (a mother's two records; the father's two, apart)."""
    groups: list[set[int]] = []
    for a, b in pairs:
        touching = [g for g in groups if a in g or b in g]
        merged = {a, b}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return groups


def _best_pair(
    left: Sequence[str], right: Sequence[str], rows: dict[str, dict[str, Any]], item: tuple[str, ...]
) -> Edge | None:
    direction, cls, what, _ = item
    shared = f"same relative: {cls} {'of' if direction == 'of' else 'is'} " + (
        "the same person" if what == "person" else "someone at the same address"
    )
    for a in left:
        for b in right:
            fields = same_name(rows[a], rows[b])
            if fields is not None:
                x, y = sorted((a, b))
                return Edge(x, y, METHOD_RELATIONAL, None, (*fields, shared))
    return None
