"""The synthetic county (300 children) for health, education, early help, probation, housing and third
sector: every file loads with read = loaded + quarantined, every person-bearing record the truth lists lands,
re-ingesting creates nothing, and with planted bad rows exactly the unloadable ones are quarantined while
doubtful values (e.g. an NHS number failing its check digit) load flagged."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.adapters.base import DOUBTFUL_KINDS
from ingest.contract import FILES
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


def doubtful_column(rel: str, fld: str, reason: str) -> bool:
    """A planted defect the contract treats as doubtful (an optional identifier or postcode): loads flagged."""
    if rel.endswith(".ndjson"):
        return fld == "identifier" and "NHS" in reason or fld.startswith("address") and "postalCode" in fld
    spec = next((s for s in FILES.values() if rel in s.paths), None)
    col = next((c for c in spec.columns if c.name == fld), None) if spec else None
    return col is not None and col.kind in DOUBTFUL_KINDS and not col.required


def record_key_at(folder: Path, rel: str, line: int) -> str | None:
    """The key of the record on a physical line of a county file (even a broken line keeps its id)."""
    text = (folder / rel).read_text(encoding="utf-8").split("\n")[line - 1]
    if rel.endswith(".ndjson"):
        found = re.search(r'"id":"([^"]+)"', text)
        return f"health|fhir|{Path(rel).stem}/{found.group(1)}" if found else None
    spec = next(s for s in FILES.values() if rel in s.paths)
    values = dict(zip(spec.column_names, next(csv.reader([text])), strict=False))
    return (
        spec.record_key(spec.source_record_id(values)) if all(c in values for c in spec.source_id) else None
    )


def planted(folder: Path) -> tuple[dict[tuple[str, int], str | None], set[tuple[str, int]]]:
    """Planted rows of these agencies: ({unloadable (file, row): its record key}, {doubtful (file, row)})."""
    unloadable: dict[tuple[str, int], str | None] = {}
    doubtful: set[tuple[str, int]] = set()
    for r in truth_rows(folder, "bad_rows.csv"):
        if r["file"].split("/")[0] not in AGENCIES:
            continue
        where = (r["file"], int(r["row"]))
        if doubtful_column(r["file"], r["field"], r["reason"]):
            doubtful.add(where)
        else:
            unloadable[where] = record_key_at(folder, *where)
    return unloadable, doubtful


def test_planted_bad_rows_are_exactly_the_quarantined_ones(
    graph: neo4j.Driver, neo4j_settings: Settings, bad_county: Path, tmp_path: Path
) -> None:
    """Every planted unloadable row is quarantined, every planted doubtful value loads flagged, and the only
    other rows quarantined are those whose person or fact is a planted row (e.g. the attendance of a pupil
    whose record was refused): the quarantine names that record."""
    db = neo4j_settings.database
    run = load(graph, neo4j_settings, bad_county, tmp_path)
    assert not run.bad_files
    assert all(f.balanced for f in run.files)
    unloadable, doubtful = planted(bad_county)
    assert unloadable and doubtful
    reasons: dict[tuple[str, int], list[str]] = {}
    for r in run.rejections:
        reasons.setdefault((Path(r.file).relative_to(bad_county).as_posix(), r.row), []).append(r.reason)
    assert set(unloadable) <= set(reasons), sorted(set(unloadable) - set(reasons))
    assert not doubtful & set(reasons)
    planted_keys = [k for k in unloadable.values() if k]
    cascaded = {where: why for where, why in reasons.items() if where not in unloadable}
    unexplained = {w: why for w, why in cascaded.items() if not any(k in " ".join(why) for k in planted_keys)}
    assert not unexplained
    assert sum(f.quarantined for f in run.files) == len(reasons)
    # the doubtful values are on the loaded records, flagged
    flagged = graph.execute_query(
        "MATCH (r:SourceRecord) WHERE r.agency IN $agencies AND r.doubtful_reasons IS NOT NULL "
        "RETURN r.source_table AS t, r.source_record_id AS id",
        {"agencies": list(AGENCIES)},
        database_=db,
    ).records
    assert len(flagged) >= len(doubtful)
