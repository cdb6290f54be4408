"""``resolve``: link every SourceRecord to exactly one Person, explainably, respecting analysts.

A run: read the records -> features -> deterministic pairs (the same valid identifier) -> the Splink
model (loaded, or trained and saved as a new version) scores candidate pairs -> guarded clustering with
the analysts' decisions -> stable person ids -> write only what changed (persons, links, the review
queue) -> record the run. Running it again on the same data changes nothing.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd
import pyarrow as pa

from graph.config import Settings
from ingest.memory import PeakRss, cyclic_gc_paused
from ingest.resolution.clustering import (
    IDENTIFIER_KINDS,
    METHOD_ANALYST,
    METHOD_PROBABILISTIC,
    Clusterer,
    Clustering,
    Edge,
    Guards,
    RecordFacts,
    assign_person_ids,
    deterministic_edges,
    pair_key,
)
from ingest.resolution.feature_workers import FeatureWorkers
from ingest.resolution.features import RecordColumns
from ingest.resolution.matcher import Matcher, ModelError, check_model, valid_memory_limit
from ingest.resolution.persons import (
    link_evidence,
    link_props,
    link_unchanged,
    new_link,
    persons_properties,
    same_person_props,
)
from ingest.resolution.relational import FEATURE_COLUMNS as RELATIONAL_FEATURES
from ingest.resolution.relational import relational_edges
from ingest.resolution.store import READ_PAGE, NewLinks, PersonCreator, ResolutionStore

log = logging.getLogger(__name__)

DECIDED = ("confirmed", "rejected")


class ResolutionError(Exception):
    """Entity resolution cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class ResolutionSettings:
    """How entity resolution runs. Thresholds are match probabilities (0-1)."""

    data_dir: Path  # models are saved under data_dir/models
    upper: float = 0.99  # at or above: the same person, linked automatically
    lower: float = 0.80  # between lower and upper: an analyst reviews the pair
    reference_date: date | None = None  # child or adult is judged at this date (default: today)
    retrain: bool = False  # train a new model version even when one exists
    model_file: Path | None = None  # use this trained model (JSON) instead of the graph's latest
    seed: int = 20260301
    max_pairs_u: float = 5e6  # random pairs sampled to estimate u
    # blocked pairs each expectation-maximisation blocking trains on: Splink samples records to stay near it.
    # Unbounded, blocking on the date of birth alone made ~10^8 pairs at 200,000 children and DuckDB grew
    # past 15 GB; a few million pairs estimate the m probabilities as well
    max_pairs_em: float = 5e6
    # DuckDB's own memory limit (it spills to a temporary folder past it), inside the 6 GiB a Jigsaw process has
    memory_limit: str = "3GB"
    min_records_to_train: int = 200
    generation_gap_years: int = 18
    conflicting_identifiers: tuple[str, ...] = IDENTIFIER_KINDS
    max_records_per_identifier: int = 20
    batch_size: int = 10_000
    run_by: str = field(default_factory=getpass.getuser)
    threads: int | None = None
    # worker processes that work out features while the records are read (0: in this process)
    feature_processes: int = 2
    read_page: int = READ_PAGE  # records per page of the paged reads

    def __post_init__(self) -> None:
        if not 0 < self.lower <= self.upper <= 1:
            raise ValueError(f"need 0 < lower <= upper <= 1, got lower={self.lower}, upper={self.upper}")
        if not valid_memory_limit(self.memory_limit):
            raise ValueError(f"memory_limit {self.memory_limit!r}: give a size such as 3GB or 512MB")
        if self.read_page < 1:
            raise ValueError(f"read_page must be at least 1, got {self.read_page}")
        if self.feature_processes < 0:
            raise ValueError(f"feature_processes must be 0 or more, got {self.feature_processes}")
        unknown = set(self.conflicting_identifiers) - set(IDENTIFIER_KINDS)
        if unknown:
            raise ValueError(f"unknown identifier kinds {sorted(unknown)}; known: {IDENTIFIER_KINDS}")

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ResolutionSettings:
        """From jigsaw.toml's [resolution] section (upper, lower, seed, ...) and the data dir; keyword
        arguments that are not None win."""
        section = dict(settings.extra.get("resolution", {}))
        known = set(cls.__dataclass_fields__)
        bad = set(section) - known
        if bad:
            raise ValueError(f"jigsaw.toml [resolution]: unknown setting(s) {sorted(bad)}")
        values: dict[str, Any] = {"data_dir": settings.server.data_dir / "resolution", **section}
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("data_dir", "model_file"):
            if isinstance(values.get(key), str):
                values[key] = Path(values[key])
        if isinstance(values.get("reference_date"), str):
            values["reference_date"] = date.fromisoformat(values["reference_date"])
        if isinstance(values.get("conflicting_identifiers"), list):
            values["conflicting_identifiers"] = tuple(values["conflicting_identifiers"])
        return cls(**values)

    @property
    def reference(self) -> date:
        return self.reference_date or datetime.now(UTC).date()

    @property
    def guards(self) -> Guards:
        return Guards(self.reference, self.generation_gap_years, self.conflicting_identifiers)


@dataclass
class ResolutionReport:
    run_id: str
    records: int = 0
    persons: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    persons_retired: int = 0
    links_written: int = 0
    links_unchanged: int = 0
    deterministic_pairs: int = 0
    relational_pairs: int = 0  # pairs the family-context rule found
    scored_pairs: int = 0
    auto_linked_records: int = 0  # records linked to at least one other (not singletons)
    reviews_pending: int = 0  # pending in the queue after the run
    reviews_new: int = 0
    reviews_withdrawn: int = 0
    conflicts: int = 0
    blocked: dict[str, int] = field(default_factory=dict)  # guard reason -> pairs refused
    suspicious_identifiers: list[tuple[str, str, int]] = field(default_factory=list)
    model_version: int | None = None
    model_trained: bool = False
    model_path: str | None = None
    probabilistic: bool = True  # False when there were too few records to train a model
    seconds: dict[str, float] = field(default_factory=dict)
    # the peak resident set size (MiB) of this process during each stage (sampled): which stage sets the peak
    peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return round(sum(self.seconds.values()), 2)


def record_facts(features: pa.Table) -> tuple[list[RecordFacts], list[RecordFacts]]:
    """(facts for the guards, facts for the deterministic rules). The guards see a UPN only when it is
    permanent (a temporary and a permanent UPN may both be the child's); the rules use any valid one."""
    cols = features.select(
        ["unique_id", "nhs_valid", "upn_valid", "upn_permanent", "la_valid", "pnc_valid", "stage", "dob_any"]
    ).to_pydict()
    guard_facts, rule_facts = [], []
    for i, key in enumerate(cols["unique_id"]):
        nhs, upn, upn_p, la, pnc = (
            cols[c][i] for c in ("nhs_valid", "upn_valid", "upn_permanent", "la_valid", "pnc_valid")
        )
        guard_ids = {k: v for k, v in (("nhs", nhs), ("upn", upn_p), ("la", la), ("pnc", pnc)) if v}
        rule_ids = {k: v for k, v in (("nhs", nhs), ("upn", upn), ("la", la), ("pnc", pnc)) if v}
        guard_facts.append(RecordFacts(key, guard_ids, cols["stage"][i], cols["dob_any"][i]))
        rule_facts.append(RecordFacts(key, rule_ids))
    return guard_facts, rule_facts


def may_auto_merge(detail: dict[str, Any]) -> bool:
    """A scored pair may link on its own unless the first names disagree outright: twins share a date
    of birth, a surname and an address, and only the first name tells them apart."""
    given = detail.get("given_name", {}).get("level")
    return given not in ("different", "loosely similar")


def probabilistic_edges(pairs: pd.DataFrame) -> list[Edge]:
    edges = []
    # a pair's fields and detail are shared by every pair with the same levels (Matcher.predict): so are
    # their tuples and auto-merge verdicts (column by column, not a dict per pair: millions of pairs)
    shared: dict[tuple[int, int], tuple[tuple[str, ...], bool]] = {}
    for left, right, probability, fields, detail in zip(
        pairs["left_key"].tolist(), pairs["right_key"].tolist(), pairs["match_probability"].tolist(),
        pairs["matched_fields"].tolist(), pairs["detail"].tolist(), strict=True,
    ):  # fmt: skip
        key = (id(fields), id(detail))  # both alive in ``pairs``, so their ids are theirs alone
        known = shared.get(key)
        if known is None:
            known = shared[key] = (tuple(fields), may_auto_merge(detail))
        edges.append(
            Edge(str(left), str(right), METHOD_PROBABILISTIC, float(probability), known[0],
                 may_auto_merge=known[1], detail=detail)
        )  # fmt: skip
    return edges


def review_id(key: str) -> str:
    """A short, stable id for a pair's review (what an analyst types)."""
    return "R-" + hashlib.sha1(key.encode()).hexdigest()[:10]


def decision_edges(reviews: list[dict[str, Any]]) -> tuple[list[Edge], list[tuple[str, str]]]:
    """Analysts' confirmations (edges that come first) and rejections (pairs never joined)."""
    confirms, rejects = [], []
    for r in reviews:
        if r["status"] == "confirmed":
            confirms.append(Edge(r["left"], r["right"], METHOD_ANALYST, r.get("probability"),
                                 ("analyst confirmed",), decided_by=r.get("decided_by") or "analyst"))  # fmt: skip
        elif r["status"] == "rejected":
            rejects.append((r["left"], r["right"]))
    return confirms, rejects


class _Timer:
    def __init__(
        self, report: ResolutionReport, progress: Callable[[str], None] | None, memory: PeakRss | None = None
    ) -> None:
        self.report = report
        self.progress = progress
        self.memory = memory
        self.stage: str | None = None
        self.start = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self.stage:
            self.report.seconds[self.stage] = round(now - self.start, 3)
            if self.memory is not None:
                self.report.peak_rss_mb[self.stage] = round(self.memory.take() / 2**20, 1)
        elif self.memory is not None:
            self.memory.take()  # what came before the run is not its first stage's
        self.stage, self.start = stage, now
        if stage != "done":
            log.debug("resolution: %s", stage)
            if self.progress:
                self.progress(stage)


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _model(
    store: ResolutionStore, settings: ResolutionSettings, features: pa.Table, report: ResolutionReport
) -> Matcher | None:
    """The matcher over these features with a trained model: the given file, the graph's latest model,
    or a newly trained and recorded version. None when there are too few records to train one."""
    models = store.read_models()
    latest = models[0] if models else None
    model: dict[str, Any] | None = None
    if settings.model_file is not None:
        model = _read_model(settings.model_file)
        sha = _file_sha256(settings.model_file)
        known = next((m for m in models if m["props"].get("sha256") == sha), None)
        if known is None:
            version = (latest["version"] if latest else 0) + 1
            store.record_model(
                version, {**_model_props(model, settings.model_file, sha), "source": "given file"}
            )
        else:
            version = known["version"]
        report.model_version, report.model_path = version, str(settings.model_file)
        return Matcher(features, model, settings.threads, settings.memory_limit)
    if latest is not None and not settings.retrain:
        path = Path(latest["props"].get("path", ""))
        if path.is_file() and _file_sha256(path) == latest["props"].get("sha256"):
            try:
                model = _read_model(path)
                report.model_version, report.model_path = latest["version"], str(path)
                return Matcher(features, model, settings.threads, settings.memory_limit)
            except ModelError as exc:
                log.warning("model v%s cannot be used (%s): training a new version", latest["version"], exc)
        else:
            log.warning(
                "model v%s's file %s is missing or changed: training a new version", latest["version"], path
            )
    if features.num_rows < settings.min_records_to_train:
        report.probabilistic = False
        log.warning(
            "%d records are too few to train the matching model (need %d): deterministic rules only",
            features.num_rows, settings.min_records_to_train,
        )  # fmt: skip
        return None
    matcher = Matcher(features, None, settings.threads, settings.memory_limit)
    matcher.train(seed=settings.seed, max_pairs_u=settings.max_pairs_u, max_pairs_em=settings.max_pairs_em)
    version = (latest["version"] if latest else 0) + 1
    trained_at = datetime.now(UTC)
    model = matcher.model({"version": version, "trained_at": trained_at.isoformat(), "records": features.num_rows,
                           "seed": settings.seed})  # fmt: skip
    folder = settings.data_dir / "models"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"model-v{version:04d}-{trained_at:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(model, indent=2, sort_keys=True), encoding="utf-8")
    store.record_model(version, _model_props(model, path, _file_sha256(path)))
    report.model_version, report.model_trained, report.model_path = version, True, str(path)
    return matcher


def _read_model(path: Path) -> dict[str, Any]:
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResolutionError(f"{path}: cannot read the model ({exc})") from exc
    try:
        check_model(model)
    except ModelError as exc:
        raise ResolutionError(f"{path}: {exc}") from exc
    return dict(model)


def _model_props(model: dict[str, Any], path: Path, sha: str) -> dict[str, Any]:
    meta = model["jigsaw"]
    trained = meta.get("trained_at")
    return {
        "trained_at": datetime.fromisoformat(trained) if isinstance(trained, str) else None,
        "path": str(path.resolve()),
        "sha256": sha,
        "splink_version": meta.get("splink_version"),
        "feature_version": meta.get("feature_version"),
        "records": meta.get("records"),
        "seed": meta.get("seed"),
        "probability_two_random_records_match": model["splink"].get("probability_two_random_records_match"),
    }


def resolve(
    driver: neo4j.Driver,
    database: str,
    settings: ResolutionSettings,
    progress: Callable[[str], None] | None = None,
) -> ResolutionReport:
    """Link every SourceRecord to exactly one Person (see the module docstring)."""
    # millions of records, pairs and links are alive at once, and the cyclic collector's full passes walk
    # them all (a fifth of clustering's time at 200,000 children); they make no reference cycles
    with cyclic_gc_paused(), PeakRss(interval=0.1) as memory:
        return _resolve(driver, database, settings, progress, memory)


# the properties a person takes from its records (persons.person_properties)
_PERSON_COLUMNS = ["given_name", "family_name", "date_of_birth", "expected_date_of_birth", "sex", "agency"]


def _resolve(
    driver: neo4j.Driver,
    database: str,
    settings: ResolutionSettings,
    progress: Callable[[str], None] | None,
    memory: PeakRss | None = None,
) -> ResolutionReport:
    # a pandas Timestamp takes the driver's fast path for zoned date-times (it is on every link written)
    now = pd.Timestamp(datetime.now(UTC))
    report = ResolutionReport(run_id=f"resolve-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}")
    timer = _Timer(report, progress, memory)
    store = ResolutionStore(driver, database, settings.batch_size, settings.read_page)

    timer("reading records")
    # each page's features are worked out in worker processes while the next page is read
    with FeatureWorkers(settings.reference, settings.feature_processes) as workers:
        columns = RecordColumns()
        for rows in store.iter_record_pages():
            workers.add(rows)
            columns.add(rows)
        records = columns.frame()
        del columns
        report.records = len(records)
        if records.empty:
            timer("done")
            return report
        timer("preparing features")  # what is left of it once the last page is read
        features = workers.table()
    # what persons take from their records, kept as Arrow columns (not a dict per record) until the writing:
    # the rest of the records is not needed again
    people = pa.Table.from_pandas(records[["record_key", *_PERSON_COLUMNS]], preserve_index=False)
    del records
    guard_facts, rule_facts = record_facts(features)

    timer("deterministic rules")
    det_edges, report.suspicious_identifiers = deterministic_edges(
        rule_facts, settings.max_records_per_identifier
    )
    report.deterministic_pairs = len(det_edges)
    del rule_facts  # a RecordFacts per record: the guards keep their own

    timer("model")
    matcher = _model(store, settings, features, report)
    prob_edges: list[Edge] = []
    if matcher is not None:
        timer("scoring pairs")
        try:
            pairs = matcher.predict(settings.lower)
        finally:
            matcher.close()
        report.scored_pairs = len(pairs)
        prob_edges = probabilistic_edges(pairs)
        del pairs  # the edges hold what clustering needs of it
    features = features.select(list(RELATIONAL_FEATURES))  # the rest of the columns is not read again

    timer("clustering")
    # the relations the family-context rule reads next are read while clustering works: the server is idle
    # then, and this thread mostly waits on it (at 200,000 children 827,474 relations, 13 s, 2 s of it Jigsaw's)
    with ThreadPoolExecutor(1, thread_name_prefix="jigsaw-relations") as reader:
        relations = reader.submit(store.read_relations)
        reviews = store.read_reviews()
        confirms, rejects = decision_edges(reviews)
        clusterer = Clusterer(guard_facts, settings.guards, settings.upper, settings.lower, rejects)
        clusterer.join([*confirms, *det_edges, *prob_edges])
        del det_edges, prob_edges
        timer("family-context rule")
        # a second step: same-named records that share a relative found by the first
        rel_edges = relational_edges(features, relations.result(), clusterer.clusters.clusters())
        del relations
    report.relational_pairs = len(rel_edges)
    clusterer.join(rel_edges)  # they rank last, so this is what joining them with the others gives
    del rel_edges, features  # what is left to do needs neither
    timer("persons and their ids")
    result = clusterer.result()
    del clusterer, guard_facts  # every edge joined, and the union-find: the result holds what is needed
    for _, reason in result.blocked:
        report.blocked[reason] = report.blocked.get(reason, 0) + 1
    links = store.read_links()
    previous = {k: pid for k, (pid, _) in links.items()}
    # the matches rest on what Jigsaw had learnt by then: for a history loaded from past extracts, the
    # latest extract's date, not the day the run happened ("as known at", docs/graph-model.md)
    in_force = pd.Timestamp(min(now, store.read_known_at() or now))
    person_ids, retired = assign_person_ids(result.clusters, previous)
    report.persons = len(result.clusters)

    timer("writing persons and links")
    properties = persons_properties(people, result.clusters)  # a generator: one person's at a time
    del people
    existing = store.read_persons()
    automatic_by = (
        f"jigsaw resolve (model v{report.model_version})" if report.model_version else "jigsaw resolve"
    )
    person_rows: list[dict[str, Any]] = []
    changed: list[tuple[str, str, dict[str, Any]]] = []
    # new persons are written while the next are worked out
    with store.person_creator(NewLinks(now, report.run_id, in_force)) as creator:
        _plan_persons(result, person_ids, properties, existing, links, automatic_by, now, report, creator,
                      person_rows, changed)  # fmt: skip
    # the whole of each changed link (its history and times), read for those links only
    whole = store.read_links_by_key([key for key, _, _ in changed if key in links])
    link_rows = []
    for key, pid, evidence in changed:
        new = link_props(key, pid, evidence, whole.get(key), now, report.run_id, in_force=in_force)
        if new is None:  # only if the link changed since it was read
            report.links_unchanged += 1
        else:
            link_rows.append({"record_key": key, "person_id": pid, "props": new})
    store.write_persons(person_rows)
    report.links_written = store.write_links(link_rows) + creator.links_written
    kept = set(person_ids)
    gone = [pid for pid in existing if pid not in kept]
    report.persons_retired = store.retire_persons(
        [{"person_id": pid, "to_person_id": retired.get(pid), "at": now,
          "reason": f"its records now belong to another person ({report.run_id})"} for pid in gone]
    )  # fmt: skip

    timer("writing the review queue")
    _write_reviews(store, result.reviews, reviews, report, now)
    timer("done")
    store.record_run(report.run_id, _run_props(report, settings, now))
    return report


def _plan_persons(
    result: Clustering,
    person_ids: list[str],
    properties: Iterable[tuple[dict[str, Any], bool]],
    existing: dict[str, dict[str, Any]],
    links: dict[str, tuple[str, dict[str, Any]]],
    automatic_by: str,
    now: datetime,
    report: ResolutionReport,
    creator: PersonCreator,
    person_rows: list[dict[str, Any]],
    changed: list[tuple[str, str, dict[str, Any]]],
) -> None:
    """Each person's properties (``properties``, in cluster order) and links: a new person with new records goes to ``creator`` (CREATE);
    changed persons go to ``person_rows``, and the links to write to ``changed`` as (record key, person id,
    evidence); the report counts them."""
    for members, pid, (props, unborn) in zip(result.clusters, person_ids, properties, strict=True):
        if pid not in existing and not any(k in links for k in members):  # new person, new records: CREATE
            report.persons_created += 1
            if len(members) > 1:
                report.auto_linked_records += len(members)
            # the evidence alone: the run's time, id and in-force time go once per batch (creator.run)
            new_links = [
                new_link(key, link_evidence(key, result.evidence.get(key), automatic_by)) for key in members
            ]
            creator.add({"person_id": pid, "props": props, "labels": ["Person", "Unborn"] if unborn else ["Person"],
                         "links": new_links})  # fmt: skip
            continue
        if not same_person_props(existing.get(pid), props, unborn):
            person_rows.append({"person_id": pid, "props": {**props, "updated_at": now, "run_id": report.run_id},
                                "unborn": unborn})  # fmt: skip
            if pid in existing:
                report.persons_updated += 1
            else:
                report.persons_created += 1
        if len(members) > 1:
            report.auto_linked_records += len(members)
        for key in members:
            evidence = link_evidence(key, result.evidence.get(key), automatic_by)
            before = links.get(key)
            if (
                key not in result.evidence
                and before
                and before[0] == pid
                and before[1].get("method") == METHOD_ANALYST
            ):
                evidence = {k: before[1].get(k) for k in evidence}  # an analyst's split stands as it was made
            if link_unchanged(pid, evidence, before):  # ``before`` holds the evidence only: all this needs
                report.links_unchanged += 1
            else:
                changed.append((key, pid, evidence))


def _write_reviews(
    store: ResolutionStore,
    candidates: list[Any],
    existing: list[dict[str, Any]],
    report: ResolutionReport,
    now: datetime,
) -> None:
    rows = []
    for cand in candidates:
        edge = cand.edge
        left, right = sorted((edge.left, edge.right))
        key = pair_key(left, right)
        rows.append({
            "pair_key": key, "review_id": review_id(key), "status": cand.status, "at": now,
            "props": {"left": left, "right": right, "probability": edge.probability,
                      "matched_fields": list(edge.matched_fields), "method": edge.method,
                      "comparison": json.dumps(edge.detail or {}, sort_keys=True), "reason": cand.reason,
                      "run_id": report.run_id},
        })  # fmt: skip
    status = {r["pair_key"]: r["status"] for r in existing}
    report.reviews_new = sum(1 for r in rows if r["pair_key"] not in status)
    report.conflicts = sum(1 for r in rows if r["status"] == "conflict")
    store.write_reviews(rows)
    raised = {r["pair_key"] for r in rows}
    stale = [{"pair_key": k, "at": now, "reason": f"not raised by {report.run_id}"}
             for k, s in status.items() if s in ("pending", "conflict") and k not in raised]  # fmt: skip
    report.reviews_withdrawn = store.withdraw_reviews(stale)
    report.reviews_pending = sum(
        1 for r in rows if r["status"] == "pending" and status.get(r["pair_key"]) not in DECIDED
    )


def _run_props(report: ResolutionReport, settings: ResolutionSettings, now: datetime) -> dict[str, Any]:
    return {
        "started_at": now,
        "finished_at": datetime.now(UTC),
        "run_by": settings.run_by,
        "model_version": report.model_version,
        "model_trained": report.model_trained,
        "upper": settings.upper,
        "lower": settings.lower,
        "reference_date": settings.reference,
        "records": report.records,
        "persons": report.persons,
        "persons_created": report.persons_created,
        "persons_retired": report.persons_retired,
        "links_written": report.links_written,
        "deterministic_pairs": report.deterministic_pairs,
        "relational_pairs": report.relational_pairs,
        "scored_pairs": report.scored_pairs,
        "reviews_pending": report.reviews_pending,
        "reviews_new": report.reviews_new,
        "conflicts": report.conflicts,
        "seconds": report.total_seconds,
    }
