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

from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import jellyfish
import numpy as np
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


_CLASS_NAMES = tuple(sorted(set(_CLASSES.values())))
_CLASS_CODE = {name: i for i, name in enumerate(_CLASS_NAMES)}
_OF_PERSON, _HAS_PERSON, _OF_ADDRESS = 0, 1, 2  # the three kinds of context
assert len(_CLASS_NAMES) <= 16, "a context number keeps 4 bits for the class"


def _context(kind: int, cls: int, target: int) -> int:
    """A context as one number: its kind, the relation class and the person (cluster) or address it names."""
    return (target * 16 + cls) * 4 + kind


def _context_item(code: int, place_name: Sequence[str]) -> tuple[str, str, str, str]:
    """(of|has, class, person|address, the cluster number as text or the address) of a context number."""
    kind, cls, target = code % 4, code // 4 % 16, code // 64
    name = _CLASS_NAMES[cls]
    if kind == _OF_ADDRESS:
        return ("of", name, "address", place_name[target])
    return ("of" if kind == _OF_PERSON else "has", name, "person", str(target))


class Name(NamedTuple):
    """What same_name compares of a record (a tuple: millions of records, and hashable, so records of one
    person that spell the name alike are told apart by equality)."""

    given: str | None
    given_groups: tuple[str, ...]
    given_ph: str | None
    family: str | None
    family_tokens: tuple[str, ...]
    family_ph: str | None
    dob: str | None
    dob_t: str | None
    sex: str | None


def _names(features: pa.Table, keys: Iterable[str]) -> dict[str, Name]:
    """unique_id -> its Name, for the given records only (built column by column, no dict per record)."""
    wanted = pa.array(list(keys), pa.string())
    chosen = features.filter(pc.is_in(features.column("unique_id"), value_set=wanted))
    # one Python object per distinct value, and per distinct Name: a name, a date or a whole Name repeats
    # across records (a string and a tuple per record took a gigabyte at 200,000 children)
    shared: dict[Any, Any] = {}
    columns = []
    for field in Name._fields:
        values = chosen.column(field).to_pylist()
        if field in ("given_groups", "family_tokens"):
            values = [tuple(v or ()) for v in values]
        columns.append([shared.setdefault(v, v) for v in values])
    same: dict[Name, Name] = {}
    names = [same.setdefault(name, name) for name in map(Name._make, zip(*columns, strict=True))]
    return dict(zip(chosen.column("unique_id").to_pylist(), names, strict=True))


def _given_level(a: Name, b: Name) -> str | None:
    x, y = a.given, b.given
    if not x or not y:
        return None
    if x == y:
        return "exact"
    if _shares(a.given_groups, b.given_groups):
        return "nickname"
    if jellyfish.jaro_winkler_similarity(x, y) >= 0.9:
        return "similar"
    if a.given_ph and a.given_ph == b.given_ph:
        return "phonetic"
    return None


def _family_level(a: Name, b: Name) -> str | None:
    x, y = a.family, b.family
    if not x or not y:
        return None
    if x == y:
        return "exact"
    if _shares(a.family_tokens, b.family_tokens):
        return "part of a double name"
    if jellyfish.jaro_winkler_similarity(x, y) >= 0.92:
        return "similar"
    if a.family_ph and a.family_ph == b.family_ph:
        return "phonetic"
    return None


def _compatible_dob(a: Name, b: Name) -> bool:
    x, y = a.dob, b.dob
    if not x or not y or x == y or x == b.dob_t:
        return True
    return jellyfish.damerau_levenshtein_distance(x, y) <= 1


def _shares(x: Sequence[str], y: Sequence[str]) -> bool:
    """Whether two short lists (a name's nickname groups or tokens, mostly one) have an item in common."""
    if len(x) == 1:
        return x[0] in y
    return not set(x).isdisjoint(y)


def same_name(a: Name, b: Name) -> tuple[str, ...] | None:
    """The agreeing name fields when the two records may be one person by name, dates and sex."""
    if a.sex and b.sex and a.sex != b.sex:  # the cheap refusals first: millions of pairs
        return None
    given = _given_level(a, b)
    if given is None:
        return None
    family = _family_level(a, b)
    if family is None or not _compatible_dob(a, b):
        return None
    return (f"given_name:{given}", f"family_name:{family}")


def _distinct(members: Sequence[str], rows: dict[str, Name]) -> list[str]:
    """The members, in order, without those whose Name equals an earlier member's: same_name says the same of
    both, so the first pair ``_best_pair`` finds is the same without them (a person's records often spell
    the name alike)."""
    seen: set[Name] = set()
    out = []
    for key in members:
        if rows[key] not in seen:
            seen.add(rows[key])
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
    cluster_of = {key: i for i, members in enumerate(clusters) for key in members}
    # the relations as numbers as they come (cluster of the one, cluster of the other, class): three strings
    # per relation held to the end took a quarter of a gigabyte at 200,000 children
    links: list[tuple[int, int, int]] = []
    for src, dst, kind in relations:
        cls = _CLASS_CODE.get(relation_class(kind) or "")
        cs, cd = cluster_of.get(src), cluster_of.get(dst)
        if cls is not None and cs is not None and cd is not None and cs != cd:
            links.append((cs, cd, cls))
    # Python values only for the records that need them (at 200,000 children, most persons have a relative,
    # and every record's row as a dict took 3.5 GB): the addresses of the persons someone is related to,
    # then the names of the persons that share a relative with another
    related_to = {cd for _, cd, _ in links}
    addresses = _rows(features, ["unique_id", "addresses"], (k for i in related_to for k in clusters[i]))
    place_id: dict[str, int] = {}
    places: dict[int, set[int]] = defaultdict(set)
    for key, row in addresses.items():
        places[cluster_of[key]].update(place_id.setdefault(a, len(place_id)) for a in row["addresses"] or [])
    del addresses, cluster_of
    place_name = list(place_id)
    del place_id
    # each context as one number (what: the person related to, the person who has the relative, or the
    # address of the person related to; the class; which person or address) with the cluster that has it,
    # grouped by pandas: a set per context took gigabytes at 200,000 children, and most contexts belong to
    # one cluster alone (not telling)
    keys, owners = array("q"), array("q")
    for cs, cd, cls in links:
        keys.extend((_context(_OF_PERSON, cls, cd), _context(_HAS_PERSON, cls, cs)))
        owners.extend((cs, cd))
        for place in places.get(cd, ()):
            keys.append(_context(_OF_ADDRESS, cls, place))
            owners.append(cs)
    del links, places
    pairs = pd.DataFrame({"key": np.frombuffer(keys, np.int64), "cluster": np.frombuffer(owners, np.int64)})
    pairs = pairs.drop_duplicates()
    del keys, owners
    size = pairs.groupby("key")["cluster"].transform("size")
    pairs = pairs[(size > 1) & (size <= MAX_CLUSTERS_PER_CONTEXT)].sort_values(["key", "cluster"])
    keys_sorted, owners_sorted = pairs["key"].to_numpy().tolist(), pairs["cluster"].to_numpy().tolist()
    del pairs
    # where each context's run of (sorted) rows starts, and the end
    bounds = [i for i in range(len(keys_sorted)) if i == 0 or keys_sorted[i] != keys_sorted[i - 1]]
    bounds.append(len(keys_sorted))
    context: dict[tuple[str, ...], list[int]] = {
        _context_item(keys_sorted[a], place_name): owners_sorted[a:b]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    }
    sharing = {c for members in context.values() for c in members}
    rows = _names(features, (k for i in sharing for k in clusters[i]))
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
    left: Sequence[str], right: Sequence[str], rows: dict[str, Name], item: tuple[str, ...]
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
