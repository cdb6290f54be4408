"""From scored pairs to persons: guarded clustering, the evidence for each link, stable person ids.

Pure: no database, no Splink. The rules, in order of strength:

1. an analyst's *reject* (or split) is a cannot-link: those two records are never in one person;
2. guards: never one person with two different valid identifiers of a kind (NHS number, permanent UPN,
   LA child id, PNC id), with a child and an adult (at the reference date; a record with no date of birth
   but a child-only identifier such as a UPN counts as a child), or with dates of birth a generation apart;
3. an analyst's *confirm* joins two records' persons (subject to 1 and 2);
4. deterministic rules (the same valid identifier) join;
5. probabilistic pairs at or above the upper threshold join, strongest first, unless the first names
   disagree outright (twins share a date of birth, a surname and an address: such a pair goes to review);
6. pairs between the thresholds, and strong pairs that may not auto-join, go to the review queue,
   one per pair of persons.
"""

from __future__ import annotations

import functools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

IDENTIFIER_KINDS: tuple[str, ...] = ("nhs", "upn", "la", "pnc")
IDENTIFIER_FIELDS = {"nhs": "nhs_number", "upn": "upn", "la": "la_child_id", "pnc": "pnc_id"}

METHOD_ANALYST = "analyst"
METHOD_PROBABILISTIC = "probabilistic"
METHOD_SINGLETON = "singleton"


def deterministic_method(kind: str) -> str:
    return f"deterministic:{IDENTIFIER_FIELDS[kind]}"


@dataclass(frozen=True)
class RecordFacts:
    """What the guards need to know about one record."""

    key: str
    identifiers: dict[str, str] = field(default_factory=dict)  # kind -> valid value
    stage: str | None = None  # child / adult / unborn / None
    dob: date | None = None  # date of birth, else expected date


@dataclass(frozen=True, slots=True)  # millions of them at 200,000 children: no __dict__ each
class Edge:
    """Evidence that two records are one person."""

    left: str
    right: str
    method: str  # analyst | deterministic:<field> | probabilistic
    probability: float | None
    matched_fields: tuple[str, ...] = ()
    decided_by: str = "jigsaw"
    may_auto_merge: bool = True  # False: strong but doubtful (first names disagree), review instead
    detail: dict[str, Any] | None = None

    @property
    def pair_key(self) -> str:
        return pair_key(self.left, self.right)

    def rank(self) -> tuple[int, float, str, str]:
        if self.method == METHOD_ANALYST:
            order = 0
        elif self.method.startswith("deterministic:") and self.method[14:] in IDENTIFIER_FIELDS.values():
            order = 1  # the same valid identifier
        elif self.method == METHOD_PROBABILISTIC:
            order = 2
        else:
            order = 3  # other rules (the family-context rule)
        return (order, -(self.probability or 0.0), *sorted((self.left, self.right)))  # type: ignore[return-value]


@functools.cache
def _method_order(method: str) -> int:
    """The first part of ``Edge.rank`` (it depends on the method alone)."""
    return Edge("", "", method, None).rank()[0]


def pair_key(a: str, b: str) -> str:
    """One key for an unordered pair of records."""
    first, second = sorted((a, b))
    return f"{first}||{second}"


@dataclass(frozen=True)
class Guards:
    reference: date
    generation_gap_years: int = 18
    conflicting_identifiers: tuple[str, ...] = IDENTIFIER_KINDS

    @property
    def gap_days(self) -> int:
        return int(self.generation_gap_years * 365.25)


class _Group:
    __slots__ = ("members", "ids", "stages", "dob_min", "dob_max", "forbidden")

    def __init__(self, facts: RecordFacts, forbidden: set[str]) -> None:
        self.members = [facts.key]
        self.ids = {k: {v} for k, v in facts.identifiers.items()}
        self.stages = {facts.stage} if facts.stage else set()
        self.dob_min = facts.dob
        self.dob_max = facts.dob
        self.forbidden = forbidden


class Clusters:
    """Union-find over records whose unions are refused when a guard or a cannot-link says so."""

    def __init__(
        self, records: Iterable[RecordFacts], guards: Guards, cannot_link: Iterable[tuple[str, str]] = ()
    ):
        self.guards = guards
        self.forbidden: dict[str, set[str]] = {}
        for a, b in cannot_link:
            self.forbidden.setdefault(a, set()).add(b)
            self.forbidden.setdefault(b, set()).add(a)
        self.facts = {facts.key: facts for facts in records}
        self.parent: dict[str, str] = {key: key for key in self.facts}
        # a person's group is made when a join first asks about it: most records stay alone, and a group
        # for each of 1.8 million records took 1.6 GB (tracemalloc)
        self.groups: dict[str, _Group] = {}

    def _group(self, root: str) -> _Group:
        group = self.groups.get(root)
        if group is None:
            group = self.groups[root] = _Group(self.facts[root], set(self.forbidden.get(root, ())))
        return group

    def find(self, key: str) -> str:
        parent = self.parent
        root = key
        while parent[root] != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    def same(self, a: str, b: str) -> bool:
        return self.find(a) == self.find(b)

    def conflict(self, a: str, b: str) -> str | None:
        """Why the persons of a and b may not be one (None when they may)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        return _conflict(self._group(ra), self._group(rb), self.guards)

    def union(self, a: str, b: str) -> str | None:
        """Join the persons of a and b; returns the reason when a guard refuses."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        ga, gb = self._group(ra), self._group(rb)
        reason = _conflict(ga, gb, self.guards)
        if reason:
            return reason
        if len(ga.members) < len(gb.members):
            ra, rb, ga, gb = rb, ra, gb, ga
        self.parent[rb] = ra
        ga.members.extend(gb.members)
        for kind, values in gb.ids.items():
            ga.ids.setdefault(kind, set()).update(values)
        ga.stages |= gb.stages
        ga.dob_min = _min(ga.dob_min, gb.dob_min)
        ga.dob_max = _max(ga.dob_max, gb.dob_max)
        ga.forbidden |= gb.forbidden
        del self.groups[rb]
        return None

    def clusters(self) -> list[list[str]]:
        """The persons, each a sorted list of record keys, in a stable order."""
        out = [sorted(g.members) for g in self.groups.values()]
        out.extend([key] for key, root in self.parent.items() if key == root and key not in self.groups)
        out.sort()
        return out


def _min(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _conflict(ga: _Group, gb: _Group, guards: Guards) -> str | None:
    small, big = (ga, gb) if len(ga.members) <= len(gb.members) else (gb, ga)
    if any(m in big.forbidden for m in small.members):
        return "an analyst decided these records are different people"
    for kind in guards.conflicting_identifiers:
        va, vb = ga.ids.get(kind), gb.ids.get(kind)
        if va and vb and va != vb:
            return f"different valid {IDENTIFIER_FIELDS[kind]} values"
    stages = ga.stages | gb.stages
    if "adult" in stages and ("child" in stages or "unborn" in stages):
        return "a child and an adult"
    low, high = _min(ga.dob_min, gb.dob_min), _max(ga.dob_max, gb.dob_max)
    if low is not None and high is not None and (high - low).days >= guards.gap_days:
        return f"dates of birth {guards.generation_gap_years} or more years apart"
    return None


def pair_conflict(a: RecordFacts, b: RecordFacts, guards: Guards, rejected: bool = False) -> str | None:
    """The guard that forbids these two records being one person, if any."""
    clusters = Clusters([a, b], guards, [(a.key, b.key)] if rejected else [])
    return clusters.conflict(a.key, b.key)


@dataclass(frozen=True)
class ReviewCandidate:
    edge: Edge
    status: str  # pending | conflict
    reason: str | None = None


@dataclass
class Clustering:
    clusters: list[list[str]]
    evidence: dict[str, Edge]  # record key -> the strongest edge that holds it in its person
    reviews: list[ReviewCandidate]
    blocked: list[tuple[Edge, str]]  # edges a guard or an analyst refused


class Clusterer:
    """Guarded clustering in steps: ``join`` edges (a later step's edges must not outrank an earlier
    step's), then ``result``. Joining in two steps gives what joining all the edges at once would: the
    family-context rule's edges rank last, so a second pass adds them to the first pass's persons instead
    of clustering every record again.

    A record's evidence (the strongest automatic edge within its person) is taken as the edges are joined, not
    from every edge kept to the end (millions at 200,000 children): an edge whose records are one person when
    it is joined stays so, and one a guard refuses stays refused, since a person's guards only ever add up
    (more identifiers, stages, a wider span of dates of birth, more cannot-links)."""

    def __init__(
        self,
        records: Sequence[RecordFacts],
        guards: Guards,
        upper: float,
        lower: float,
        cannot_link: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.clusters = Clusters(records, guards, cannot_link)
        self.upper = upper
        self.lower = lower
        self.last_rank: tuple[int, float, str, str] | None = None  # of the last edge joined so far
        self.evidence: dict[
            str, Edge
        ] = {}  # record key -> the first automatic edge that holds it in its person
        self.blocked: list[tuple[Edge, str]] = []  # edges a guard or an analyst refused while joining
        self.candidates: list[Edge] = []  # probabilistic edges for review, strongest first
        self._places: dict[str, int] | None = None  # record key -> its place in key order (``_by_rank``)

    def _auto(self, edge: Edge) -> bool:
        return edge.method != METHOD_PROBABILISTIC or (
            edge.may_auto_merge and (edge.probability or 0.0) >= self.upper
        )

    def join(self, edges: Iterable[Edge]) -> Clusterer:
        known = self.clusters.parent
        ordered = self._by_rank(
            [e for e in edges if e.left in known and e.right in known and e.left != e.right]
        )
        if ordered and self.last_rank is not None and ordered[0].rank() < self.last_rank:
            raise ValueError("edges joined in a later step must not outrank those of an earlier step")
        evidence = self.evidence
        for edge in ordered:
            if not self._auto(edge):
                if (edge.probability or 0.0) >= self.lower:
                    self.candidates.append(edge)
                continue
            reason = self.clusters.union(edge.left, edge.right)
            if reason:
                self.blocked.append((edge, reason))
            else:  # joined now, or one person already
                evidence.setdefault(edge.left, edge)
                evidence.setdefault(edge.right, edge)
        if ordered:
            self.last_rank = ordered[-1].rank()
        return self

    def _by_rank(self, edges: list[Edge]) -> list[Edge]:
        """``sorted(edges, key=Edge.rank)``, sorted as numbers: a method's order, the probability, and each
        record's place in key order for its key (a tuple per edge and Python's sort took a fifth of
        clustering's time at 200,000 children, 3.7 million edges)."""
        if len(edges) < 2:
            return edges
        if self._places is None:
            self._places = {key: i for i, key in enumerate(sorted(self.clusters.parent))}
        place, n = self._places, len(edges)
        order = np.fromiter((_method_order(e.method) for e in edges), np.int8, n)
        probability = np.fromiter((-(e.probability or 0.0) for e in edges), np.float64, n)
        left = np.fromiter((place[e.left] for e in edges), np.int64, n)
        right = np.fromiter((place[e.right] for e in edges), np.int64, n)
        by_rank = np.lexsort((np.maximum(left, right), np.minimum(left, right), probability, order))  # stable
        return [edges[i] for i in by_rank.tolist()]

    def result(self) -> Clustering:
        clusters = self.clusters
        evidence = dict(self.evidence)
        blocked = list(self.blocked)
        reviews: list[ReviewCandidate] = []
        seen: set[tuple[str, str]] = set()
        for edge in self.candidates:  # strongest first, one per pair of persons
            if clusters.same(edge.left, edge.right):
                continue
            roots = tuple(sorted((clusters.find(edge.left), clusters.find(edge.right))))
            if roots in seen:
                continue
            reason = clusters.conflict(edge.left, edge.right)
            if reason:
                blocked.append((edge, reason))
                continue
            seen.add(roots)  # type: ignore[arg-type]
            reviews.append(ReviewCandidate(edge, "pending"))
        for edge, reason in blocked:  # identifiers that say "same person" against a guard: a data problem
            if edge.method.startswith("deterministic") and not reason.startswith("an analyst"):
                reviews.append(ReviewCandidate(edge, "conflict", reason))
        return Clustering(clusters.clusters(), evidence, reviews, blocked)


def cluster(
    records: Sequence[RecordFacts],
    edges: Iterable[Edge],
    guards: Guards,
    upper: float,
    lower: float,
    cannot_link: Iterable[tuple[str, str]] = (),
) -> Clustering:
    """Join records into persons (see the module docstring for the order of the rules)."""
    return Clusterer(records, guards, upper, lower, cannot_link).join(edges).result()


def deterministic_edges(
    facts: Sequence[RecordFacts], max_group: int = 20
) -> tuple[list[Edge], list[tuple[str, str, int]]]:
    """Pairs of records that share a valid identifier; a value on more than ``max_group`` records is a
    placeholder or a data error, not a person, and is returned as (kind, value, count) instead."""
    by_value: dict[tuple[str, str], list[str]] = {}
    for f in facts:
        for kind, value in f.identifiers.items():
            by_value.setdefault((kind, value), []).append(f.key)
    edges: list[Edge] = []
    suspicious: list[tuple[str, str, int]] = []
    for (kind, value), keys in sorted(by_value.items()):
        if len(keys) < 2:
            continue
        if len(keys) > max_group:
            suspicious.append((kind, value, len(keys)))
            continue
        keys = sorted(keys)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                edges.append(Edge(a, b, deterministic_method(kind), 1.0, (IDENTIFIER_FIELDS[kind],)))
    return edges, suspicious


def assign_person_ids(
    clusters: Sequence[Sequence[str]],
    previous: dict[str, str],
    new_id: Callable[[], str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """A person id for each cluster, keeping ids stable.

    An existing id goes to the cluster holding most of its records (largest overlap first; ties by
    cluster order then id), each id to one cluster at most; other clusters get a new uuid-based id.
    Returns the ids, and for every previous id no longer used, the id that took most of its records.
    """
    make = new_id or (lambda: f"P-{uuid.uuid4().hex}")
    candidates: list[tuple[int, int, str]] = []
    for idx, members in enumerate(clusters):
        counts = Counter(previous[k] for k in members if k in previous)
        candidates.extend((-n, idx, pid) for pid, n in counts.items())
    candidates.sort()
    ids: list[str | None] = [None] * len(clusters)
    taken: set[str] = set()
    for _, idx, pid in candidates:
        if ids[idx] is None and pid not in taken:
            ids[idx] = pid
            taken.add(pid)
    final = [pid if pid is not None else make() for pid in ids]
    retired: dict[str, str] = {}
    old_ids = set(previous.values()) - taken
    if old_ids:
        best: dict[str, tuple[int, str]] = {}
        for idx, members in enumerate(clusters):
            counts = Counter(previous[k] for k in members if k in previous and previous[k] in old_ids)
            for pid, n in counts.items():
                if pid not in best or n > best[pid][0]:
                    best[pid] = (n, final[idx])
        retired = {pid: target for pid, (_, target) in best.items()}
    return final, retired
