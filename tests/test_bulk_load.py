"""The bulk first load (``neo4j-admin database import``, graph/bulk.py) writes the graph the transactional
ingest writes: node for node, link for link, property for property (values and their Neo4j types), with the
same report and the same quarantine; and a re-run through the transactional ingest changes nothing.

Two real servers: the session's (the transactional ingest) and one of this module's own, which the bulk
load stops and starts."""

from __future__ import annotations

import os
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j
import pytest

import ingest.adapters  # noqa: F401
from graph import schema
from graph.bulk import BulkLoadRefused, BulkWriter
from graph.config import Settings
from graph.connection import make_driver
from graph.model import (
    FactPlaceRow,
    FactRow,
    GraphRows,
    HouseholdMemberRow,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    WithdrawalRow,
)
from graph.server.local import LocalNeo4j
from graph.writer import GraphWriter
from ingest.framework import RunReport, run_ingest
from ingest.registry import plan
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate

LEARNT = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def bulk_server(
    tmp_path_factory: pytest.TempPathFactory, neo4j_settings: Settings
) -> Iterator[tuple[LocalNeo4j, Settings]]:
    if neo4j_settings.external:
        pytest.skip("the bulk load needs Jigsaw's own server (it stops it to import)")
    server_settings = replace(
        neo4j_settings.server, data_dir=tmp_path_factory.mktemp("bulk-home"), bolt_port=_free_port(),
        heap="512m", pagecache="256m",
    )  # fmt: skip
    server = LocalNeo4j(server_settings)
    server.start(die_with_parent=True)
    try:
        yield server, replace(neo4j_settings, server=server_settings)
    finally:
        server.stop()


@pytest.fixture()
def bulk_driver(bulk_server: tuple[LocalNeo4j, Settings]) -> Iterator[neo4j.Driver]:
    """A driver on the bulk server's graph, emptied (schema applied)."""
    _server, settings = bulk_server
    driver = make_driver(settings)
    schema.migrate(driver, settings.database)
    driver.execute_query("MATCH (n) WHERE NOT n:SchemaMigration DETACH DELETE n", database_=settings.database)
    yield driver
    driver.close()


def _bulk_writer(driver: neo4j.Driver, bulk_server: tuple[LocalNeo4j, Settings]) -> BulkWriter:
    server, settings = bulk_server
    return BulkWriter(
        driver, settings.database, server, lambda: make_driver(settings), restart_with_parent=True
    )


# every node and link, its labels or type, and each property's value and Neo4j type as text; the run ids
# (one per run) are replaced by a placeholder, and the run records (IngestRun) and the schema's left out
_NODES = """
MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:IngestRun
RETURN apoc.convert.toJson([apoc.coll.sort(labels(n)),
  [k IN apoc.coll.sort(keys(n)) | [k, apoc.meta.cypher.type(n[k]), apoc.convert.toJson(n[k])]]]) AS item
"""
_LINKS = """
MATCH (a)-[l]->(b)
WITH a, l, b, [n IN [a, b] | coalesce(n.record_key, n.fact_key, n.address_key, n.household_key, n.version_key,
  n.withdrawn_key)] AS ends
RETURN apoc.convert.toJson([type(l), ends,
  [k IN apoc.coll.sort(keys(l)) | [k, apoc.meta.cypher.type(l[k]), apoc.convert.toJson(l[k])]]]) AS item
"""


def dump(driver: neo4j.Driver, database: str) -> tuple[Counter[str], Counter[str]]:
    runs = [
        r["id"]
        for r in driver.execute_query("MATCH (r:IngestRun) RETURN r.run_id AS id", database_=database)[0]
    ]

    def items(query: str) -> Counter[str]:
        out: Counter[str] = Counter()
        for record in driver.execute_query(query, database_=database).records:
            text = record["item"]
            for run in runs:
                text = text.replace(run, "RUN")
            out[text] += 1
        return out

    return items(_NODES), items(_LINKS)


def _report(run: RunReport) -> list[tuple[Any, ...]]:
    return [(f.file, f.kind, f.read, f.loaded, f.quarantined, f.created, f.updated) for f in run.files]


def _quarantine(run: RunReport) -> list[tuple[Any, ...]]:
    return sorted((r.file, r.row, r.field, str(r.value), r.reason) for r in run.rejections)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("county")
    generate(SynthConfig(children=120, seed=11, out=root, bad_rows=True))
    return root


def _plan(county: Path) -> list[Any]:
    folders = [county]
    public = os.environ.get("JIGSAW_PUBLIC_DATA")
    if public:
        folders.append(Path(public))
    chosen, _unknown = plan(folders)
    return chosen


def test_bulk_load_writes_the_graph_the_ingest_writes(
    graph: neo4j.Driver,
    neo4j_settings: Settings,
    bulk_driver: neo4j.Driver,
    bulk_server: tuple[LocalNeo4j, Settings],
    county: Path,
    tmp_path: Path,
) -> None:
    chosen = _plan(county)
    database = neo4j_settings.database
    by_cypher = run_ingest(chosen, GraphWriter(graph, database), tmp_path / "q1", learnt_at=LEARNT)
    writer = _bulk_writer(bulk_driver, bulk_server)
    writer.check_empty()
    by_import = run_ingest(chosen, writer, tmp_path / "q2", learnt_at=LEARNT)

    assert writer.completed and writer.staged_lines > 0
    assert not writer.staging.folder.exists()  # the CSV files are removed once imported
    bulk_driver = make_driver(
        bulk_server[1]
    )  # the one from before the import holds the old database's bookmarks
    assert by_import.quarantined > 0  # the planted bad rows
    assert _report(by_import) == _report(by_cypher)
    assert _quarantine(by_import) == _quarantine(by_cypher)
    expected_nodes, expected_links = dump(graph, database)
    nodes, links = dump(bulk_driver, database)
    assert sum(expected_nodes.values()) > 1000 and sum(expected_links.values()) > 1000
    assert nodes == expected_nodes
    assert links == expected_links
    assert schema.is_current(bulk_driver, database)  # constraints and indexes applied after the import

    # a re-run through the transactional ingest finds everything already there
    again = run_ingest(chosen, GraphWriter(bulk_driver, database), tmp_path / "q3", learnt_at=LEARNT)
    assert sum(f.created for f in again.files) == 0 and sum(f.updated for f in again.files) == 0
    assert dump(bulk_driver, database) == (nodes, links)
    bulk_driver.close()


def _prov(table: str, rid: str) -> Provenance:
    return Provenance("police", table, rid, "niche", date(2026, 1, 5), "officer", "fact", LEARNT, "RUN-A")


def _record(rid: str, given: str, **extra: Any) -> SourceRecordRow:
    return SourceRecordRow(
        provenance=_prov("persons", rid), given_name=given, family_name="Smyth", date_of_birth=date(1990, 4, 3),
        raw={"id": rid, "given": given, **extra}, extra=extra,
    )  # fmt: skip


def _edge_cases() -> list[GraphRows]:
    """Rows the CSV files cannot say alone: a key again with other content, a link again with other values,
    an empty list, a list holding the array delimiter, and links to and from all of these."""
    address = {"address_key": "addr|1", "postcode": "AB1 2CD", "line": "1 High St"}
    first = GraphRows(
        source_records=[_record("1", "Dan"), _record("2", "Ann", tags=[]), _record("3", "Bo", tags=["a\x1fb"]),
                        _record("4", "Cy", tags=["Cyrus", "C"], score=1.5, flagged=True, count=3)],
        facts=[FactRow(provenance=_prov("occurrences", "F1"), fact_type="da_incident",
                       occurred_on=date(2025, 6, 1), summary="said \"no\",\nthen left", raw={"id": "F1"})],
        involvements=[InvolvementRow("police|persons|1", "police|occurrences|F1", "suspect", _prov("op", "1")),
                      InvolvementRow("police|persons|2", "police|occurrences|F1", "victim", _prov("op", "2"))],
        person_links=[PersonLinkRow("police|persons|1", "police|persons|3", "partner", _prov("links", "L1")),
                      PersonLinkRow("police|persons|1", "police|persons|9", "partner", _prov("links", "L2"))],
        residences=[ResidenceRow("police|persons|1", address, _prov("persons", "1"), date(2020, 1, 1)),
                    ResidenceRow("police|persons|2", {**address, "line": "other"}, _prov("persons", "2"))],
        fact_places=[FactPlaceRow("police|occurrences|F1", address)],
        household_members=[HouseholdMemberRow("police|persons|4", "hh|1", _prov("persons", "4"), "head")],
    )  # fmt: skip
    second = GraphRows(
        source_records=[_record("1", "Daniel"), _record("4", "Cy", tags=["Cyrus", "C"], score=1.5, flagged=True, count=3)],
        involvements=[InvolvementRow("police|persons|1", "police|occurrences|F1", "suspect", _prov("op", "1b")),
                      InvolvementRow("police|persons|2", "police|occurrences|F1", "victim", _prov("op", "2"))],
        household_members=[HouseholdMemberRow("police|persons|2", "hh|1", _prov("persons", "2"))],
    )  # fmt: skip
    return [first, second]


def test_bulk_load_writes_what_csv_cannot_say_through_cypher(
    graph: neo4j.Driver, neo4j_settings: Settings, bulk_driver: neo4j.Driver,
    bulk_server: tuple[LocalNeo4j, Settings],
) -> None:  # fmt: skip
    database = neo4j_settings.database
    cypher = GraphWriter(graph, database)
    expected = [cypher.write(rows) for rows in _edge_cases()]
    writer = _bulk_writer(bulk_driver, bulk_server)
    staged = [writer.write(rows) for rows in _edge_cases()]
    writer.complete()
    writer.close()
    writer.record_run({"run_id": "RUN-A"})
    cypher.record_run({"run_id": "RUN-A"})
    bulk_driver = make_driver(bulk_server[1])
    for want, got in zip(expected, staged, strict=True):
        assert (got.created, got.updated, got.links_written) == (
            want.created,
            want.updated,
            want.links_written,
        )
        assert [(u.kind, u.idx, u.key, u.reason) for u in got.unlinked] == [
            (u.kind, u.idx, u.key, u.reason) for u in want.unlinked
        ]
    assert expected[1].updated == 1 and expected[0].unlinked  # the cases happened: a version, a missing end
    assert dump(bulk_driver, database) == dump(graph, database)
    versions = bulk_driver.execute_query("MATCH (v:RecordVersion) RETURN count(v) AS n", database_=database)
    assert versions.records[0]["n"] >= 2  # the record's and the involvement's earlier versions
    bulk_driver.close()


def test_bulk_load_refuses_a_graph_with_data_and_a_withdrawal(
    bulk_driver: neo4j.Driver, bulk_server: tuple[LocalNeo4j, Settings], neo4j_settings: Settings
) -> None:
    database = neo4j_settings.database
    writer = _bulk_writer(bulk_driver, bulk_server)
    with pytest.raises(BulkLoadRefused, match="withdraws records"):
        writer.write(
            GraphRows(withdrawals=[WithdrawalRow("police|persons|1", _prov("w", "1"), None, "error")])
        )
    writer.close()
    assert not writer.staging.folder.exists()
    bulk_driver.execute_query("CREATE (:Address {address_key: 'x'})", database_=database)
    refused = _bulk_writer(bulk_driver, bulk_server)
    with pytest.raises(BulkLoadRefused, match="already holds data"):
        refused.check_empty()
    assert not refused.staging.folder.exists()


def test_ingest_bulk_refuses_a_server_jigsaw_does_not_run(cli_home: Path, county: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["ingest", "--bulk", str(county / "police")])  # NEO4J_URI is set here
    assert result.exit_code != 0
    assert "--bulk needs Jigsaw's own Neo4j server" in result.output
    assert "Traceback" not in result.output


def test_ingest_bulk_loads_on_jigsaws_own_server(
    bulk_driver: neo4j.Driver,
    bulk_server: tuple[LocalNeo4j, Settings],
    county: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from app.cli import cli

    _server, settings = bulk_server
    monkeypatch.chdir(tmp_path)
    for name in ("NEO4J_URI", "NEO4J_PASSWORD", "NEO4J_USER", "NEO4J_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JIGSAW_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("JIGSAW_HOME", str(settings.server.data_dir))
    monkeypatch.setenv("JIGSAW_BOLT_PORT", str(settings.server.bolt_port))
    monkeypatch.setenv("JIGSAW_NEO4J_HEAP", settings.server.heap)
    monkeypatch.setenv("JIGSAW_NEO4J_PAGECACHE", settings.server.pagecache)
    folder = county / "police"
    result = CliRunner().invoke(cli, ["ingest", "--bulk", "--allow-rejects", str(folder)])
    assert result.exit_code == 0, result.output
    with make_driver(settings) as driver:  # the server was restarted: a new driver
        runs = driver.execute_query(
            "MATCH (r:IngestRun) RETURN r.loaded AS loaded, r.read AS read", database_=settings.database
        ).records
        records = driver.execute_query(
            "MATCH (n:SourceRecord {agency: 'police'}) RETURN count(n) AS n", database_=settings.database
        ).records
        assert len(runs) == 1 and runs[0]["loaded"] > 0
        assert records[0]["n"] > 0
        assert schema.is_current(driver, settings.database)
    again = CliRunner().invoke(cli, ["ingest", "--bulk", str(folder)])  # a second bulk load is refused
    assert again.exit_code != 0 and "already holds data" in again.output, again.output


def test_bench_ingest_with_bulk_measures_the_bulk_load(
    bulk_driver: neo4j.Driver, bulk_server: tuple[LocalNeo4j, Settings], tmp_path: Path
) -> None:
    """``bench-ingest --bulk`` (not a timing test): the import replaces whatever the graph held, the steps of the
    bulk load are reported, and the graph holds what the transactional bench's would."""
    from ingest.bench import BASELINE_LABEL, run_bench

    server, settings = bulk_server
    database = settings.database
    folder = tmp_path / "county"
    generate(SynthConfig(children=60, seed=3, out=folder))
    bulk_driver.execute_query("CREATE (:Leftover {from_an_earlier_run: true})", database_=database)
    result = run_bench(
        bulk_driver, database, folder, children=60, seed=3, bulk=(server, lambda: make_driver(settings))
    )
    assert result.method == "bulk import"
    assert set(result.bulk_seconds) == {"import", "schema", "after import"}
    assert result.records == result.loaded + result.quarantined > 0 and result.baseline_rows == result.records
    with make_driver(settings) as driver:
        held = driver.execute_query(
            f"MATCH (n) WHERE n:Leftover OR n:{BASELINE_LABEL} RETURN count(n) AS n", database_=database
        ).records[0]["n"]
        nodes = driver.execute_query("MATCH (n) RETURN count(n) AS n", database_=database).records[0]["n"]
    assert held == 0 and result.nodes == nodes > result.records / 2
