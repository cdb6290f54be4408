"""The synthetic county (300 children) for health, education, early help, probation, housing and third
sector: every file loads with read = loaded + quarantined, every person-bearing record the truth lists lands,
re-ingesting creates nothing, and with planted bad rows exactly the unloadable ones are quarantined while
doubtful values (e.g. an NHS number failing its check digit) load flagged."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate

AGENCIES = ("health", "education", "early_help", "probation", "housing", "third_sector")
CHILDREN = 300


def county(root: Path, bad_rows: bool) -> Path:
    generate(SynthConfig(children=CHILDREN, seed=7, out=root, bad_rows=bad_rows))
    return root


@pytest.fixture(scope="module")
def clean_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return county(tmp_path_factory.mktemp("county"), bad_rows=False)


@pytest.fixture(scope="module")
def bad_county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return county(tmp_path_factory.mktemp("bad-county"), bad_rows=True)


def load(graph: neo4j.Driver, settings: Settings, folder: Path, qdir: Path) -> RunReport:
    chosen, unknown = plan([folder / agency for agency in AGENCIES if (folder / agency).exists()])
    assert not unknown, unknown
    return run_ingest(chosen, GraphWriter(graph, settings.database), qdir)


def count(graph: neo4j.Driver, db: str, query: str) -> int:
    return int(graph.execute_query(query, database_=db).records[0][0])


def truth_rows(folder: Path, name: str) -> Iterator[dict[str, str]]:
    path = folder / "truth" / name
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            yield from csv.DictReader(fh)


def test_synthetic_county_loads_for_every_file(
    graph: neo4j.Driver, neo4j_settings: Settings, clean_county: Path, tmp_path: Path
) -> None:
    db = neo4j_settings.database
    run = load(graph, neo4j_settings, clean_county, tmp_path)
    assert not run.bad_files
    kinds = {f.kind for f in run.files}
    assert {"health.fhir_patient", "health.fhir_related_person", "health.fhir_encounter", "health.fhir_flag",
            "health.gp_registrations", "health.maternity", "education.pupils", "education.pupil_contacts",
            "education.attendance", "education.exclusions", "education.children_missing_education",
            "early_help.clients", "early_help.episodes", "probation.people", "probation.supervisions",
            "housing.tenancies", "housing.occupants", "housing.tenancy_events", "third_sector.concerns",
            "third_sector.concern_persons"} == kinds  # fmt: skip
    for f in run.files:
        assert f.balanced, f
        assert f.quarantined == 0, [r for r in run.rejections if r.file == f.file][:3]
        if f.read:
            assert f.created > 0, f
    # every person-bearing record of these agencies that the truth lists is in the graph
    expected = {
        r["record_key"]
        for r in truth_rows(clean_county, "persons.csv")
        if r["record_key"].split("|")[0] in AGENCIES
    }
    found = {
        r["k"]
        for r in graph.execute_query(
            "MATCH (s:SourceRecord) WHERE s.agency IN $agencies RETURN s.record_key AS k", {"agencies": list(AGENCIES)},
            database_=db,
        ).records
    }  # fmt: skip
    assert expected and expected <= found, sorted(expected - found)[:5]
    # every fact and every relationship ingest wrote carries its provenance
    assert count(graph, db, "MATCH (f:Fact) WHERE f.agency IS NULL OR f.basis IS NULL OR f.ingest_run_id IS NULL "
                            "OR f.source_record_id IS NULL RETURN count(f)") == 0  # fmt: skip
    assert count(graph, db, "MATCH ()-[r:INVOLVED_IN|RELATED_TO|LIVED_AT|MEMBER_OF]->() WHERE r.basis IS NULL "
                            "OR r.ingest_run_id IS NULL RETURN count(r)") == 0  # fmt: skip
    nodes = count(graph, db, "MATCH (n) WHERE NOT n:IngestRun RETURN count(n)")
    rels = count(graph, db, "MATCH ()-[r]->() RETURN count(r)")
    again = load(graph, neo4j_settings, clean_county, tmp_path)
    assert sum(f.created + f.updated for f in again.files) == 0
    assert count(graph, db, "MATCH (n) WHERE NOT n:IngestRun RETURN count(n)") == nodes
    assert count(graph, db, "MATCH ()-[r]->() RETURN count(r)") == rels


DOUBTFUL_WORDS = ("doubtful", "flagged", "check digit", "check letter", "loads flagged")


def planted(folder: Path) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(unloadable, doubtful) planted rows of these agencies, as (file relative to the county, row)."""
    unloadable: set[tuple[str, int]] = set()
    doubtful: set[tuple[str, int]] = set()
    for r in truth_rows(folder, "bad_rows.csv"):
        if r["file"].split("/")[0] not in AGENCIES:
            continue
        where = (r["file"], int(r["row"]))
        outcome = (r.get("outcome") or r.get("expect") or "").lower()
        if outcome in ("flagged", "doubtful", "load", "loaded") or (
            not outcome and any(w in r["reason"].lower() for w in DOUBTFUL_WORDS)
        ):
            doubtful.add(where)
        else:
            unloadable.add(where)
    return unloadable, doubtful


def test_planted_bad_rows_are_exactly_the_quarantined_ones(
    graph: neo4j.Driver, neo4j_settings: Settings, bad_county: Path, tmp_path: Path
) -> None:
    run = load(graph, neo4j_settings, bad_county, tmp_path)
    assert all(f.balanced for f in run.files)
    unloadable, doubtful = planted(bad_county)
    quarantined = {(Path(r.file).relative_to(bad_county).as_posix(), r.row) for r in run.rejections}
    bad_files = {Path(str(e.path)).relative_to(bad_county).as_posix() for e in run.bad_files}
    assert quarantined == {u for u in unloadable if u[0] not in bad_files}
    assert not doubtful & quarantined
    assert sum(f.quarantined for f in run.files) == len(quarantined)
