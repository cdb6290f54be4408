"""Test fixtures: one real Neo4j 5.26 for the whole session, and a clean graph for each test.

With NEO4J_URI (and NEO4J_PASSWORD) set, the tests use that server; otherwise they start a throwaway
local server (the product's own LocalNeo4j) in a temporary data dir on a free port, and stop it at the end.
No test mocks the database.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import neo4j
import pytest

from app.governance import Governance
from app.governance.service import operator_actor
from graph import schema
from graph.config import Settings, load_settings
from graph.connection import make_driver
from graph.server.local import LocalNeo4j


# The public real-format samples live beside the project (../shared/data/public), not in it. When the
# tests run from a clone elsewhere, find them where this workplace keeps them, or take JIGSAW_PUBLIC_DATA.
def _public_data() -> Path | None:
    root = Path(__file__).resolve().parents[1]
    for candidate in (os.environ.get("JIGSAW_PUBLIC_DATA"), root.parent / "shared" / "data" / "public",
                      Path("/work/shared/data/public")):  # fmt: skip
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


_PUBLIC = _public_data()
if _PUBLIC is not None:
    os.environ.setdefault("JIGSAW_PUBLIC_DATA", str(_PUBLIC))
    os.environ.setdefault("JIGSAW_CIN_XSD", str(_PUBLIC / "cin-census" / "CIN_schema_2026.xsd"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = load_settings()
    if settings.external:
        yield settings
        return
    home = tmp_path_factory.mktemp("neo4j-home")
    server_settings = replace(
        settings.server,
        data_dir=Path(home),
        bolt_port=_free_port(),
        heap=os.environ.get("JIGSAW_TEST_NEO4J_HEAP", "1g"),
        pagecache=os.environ.get("JIGSAW_TEST_NEO4J_PAGECACHE", "512m"),
    )
    server = LocalNeo4j(server_settings)
    server.start(die_with_parent=True)
    try:
        yield replace(settings, server=server_settings)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def driver(neo4j_settings: Settings) -> Iterator[neo4j.Driver]:
    drv = make_driver(neo4j_settings)
    schema.migrate(drv, neo4j_settings.database)
    yield drv
    drv.close()


@pytest.fixture()
def graph(driver: neo4j.Driver, neo4j_settings: Settings) -> Iterator[neo4j.Driver]:
    """A driver on an empty graph (schema kept): every test starts from nothing."""
    with driver.session(database=neo4j_settings.database) as session:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction, hence session.run
        session.run(
            "MATCH (n) WHERE NOT n:SchemaMigration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    yield driver


CLI_PASSWORD = "correct horse battery staple"


@pytest.fixture()
def cli_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, neo4j_settings: Settings) -> Path:
    """A Jigsaw home for the CLI on the test server, with a supervisor (sup1) and a health user (nurse1)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JIGSAW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JIGSAW_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("JIGSAW_ROLES_FILE", "JIGSAW_USER"):
        monkeypatch.delenv(name, raising=False)
    if neo4j_settings.external:
        assert neo4j_settings.uri and neo4j_settings.password
        uri, password = neo4j_settings.uri, neo4j_settings.password
    else:
        local = LocalNeo4j(neo4j_settings.server)
        uri, password = local.bolt_uri, local.password()
    monkeypatch.setenv("NEO4J_URI", uri)
    monkeypatch.setenv("NEO4J_PASSWORD", password)
    monkeypatch.setenv("NEO4J_USER", "neo4j")
    monkeypatch.setenv("NEO4J_DATABASE", neo4j_settings.database)
    gov = Governance.open()
    gov.add_user(operator_actor(), "sup1", "supervisor", CLI_PASSWORD)
    gov.add_user(operator_actor(), "nurse1", "health", CLI_PASSWORD)
    return tmp_path / "home"
