"""The foundation: the real server, its schema, and the configuration rules."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import neo4j
import pytest

from graph import schema
from graph.config import ConfigError, Settings, load_settings
from graph.connection import server_components
from graph.dates import python_date, use_python_dates
from graph.server.local import LocalNeo4j, ServerError, _size_ok


def test_server_is_neo4j_5_26_community(driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    version, edition = server_components(driver, neo4j_settings.database)
    assert version.startswith("5.26."), version
    assert edition == "community"


def test_apoc_core_is_loaded(driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    records, _, _ = driver.execute_query("RETURN apoc.version() AS v", database_=neo4j_settings.database)
    assert records[0]["v"].startswith("5.26")


def test_dates_are_read_as_python_dates(driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    # graph/dates.py: if a driver release moves its date hydration, this fails instead of the reads slowing
    assert use_python_dates() is True
    records, _, _ = driver.execute_query(
        "RETURN date('2024-02-29') AS leap, [date('0001-01-01'), date('9999-12-31')] AS ends, "
        "{on: date('1970-01-01')} AS nested, datetime('2024-01-01T00:00Z') AS instant",
        database_=neo4j_settings.database,
    )
    row = records[0]
    assert type(row["leap"]) is date and row["leap"] == date(2024, 2, 29)
    assert row["ends"] == [date(1, 1, 1), date(9999, 12, 31)] and all(type(d) is date for d in row["ends"])
    assert type(row["nested"]["on"]) is date and row["nested"]["on"] == date(1970, 1, 1)
    assert isinstance(row["instant"], neo4j.time.DateTime)  # datetimes keep the driver's own type


def test_a_date_python_cannot_hold_goes_to_the_drivers_own_conversion() -> None:
    assert python_date(0, lambda d: ("driver", d)) == date(1970, 1, 1)
    assert python_date(-719_163, lambda d: ("driver", d)) == ("driver", -719_163)  # ordinal 0: year 0
    assert python_date(3_000_000, lambda d: ("driver", d)) == ("driver", 3_000_000)  # after 9999


def test_every_migration_is_recorded_and_rerun_changes_nothing(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    assert schema.is_current(graph, db)
    assert set(schema.applied_versions(graph, db)) == {m.version for m in schema.migrations()}
    assert schema.migrate(graph, db) == []


def test_constraints_exist_for_merge_keys(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    records, _, _ = graph.execute_query(
        "SHOW CONSTRAINTS YIELD labelsOrTypes, properties RETURN labelsOrTypes[0] AS label, properties[0] AS prop",
        database_=neo4j_settings.database,
    )
    found = {(r["label"], r["prop"]) for r in records}
    assert {("Person", "person_id"), ("SourceRecord", "record_key"), ("Fact", "fact_key")} <= found


def test_uniqueness_constraint_rejects_duplicate_source_record(
    graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    graph.execute_query("CREATE (:SourceRecord {record_key: 'police|nominal|1'})", database_=db)
    with pytest.raises(neo4j.exceptions.ConstraintError):
        graph.execute_query("CREATE (:SourceRecord {record_key: 'police|nominal|1'})", database_=db)


def test_each_test_starts_with_an_empty_graph(graph: neo4j.Driver, neo4j_settings: Settings) -> None:
    records, _, _ = graph.execute_query(
        "MATCH (n) WHERE NOT n:SchemaMigration RETURN count(n) AS c", database_=neo4j_settings.database
    )
    assert records[0]["c"] == 0


def test_local_password_file_is_private(neo4j_settings: Settings) -> None:
    if neo4j_settings.external:
        pytest.skip("the server is external (NEO4J_URI); Jigsaw made no password file")
    mode = stat.S_IMODE(os.stat(neo4j_settings.server.password_file).st_mode)
    assert mode == 0o600


def test_second_start_is_a_no_op(neo4j_settings: Settings) -> None:
    if neo4j_settings.external:
        pytest.skip("the server is external (NEO4J_URI)")
    server = LocalNeo4j(neo4j_settings.server)
    pid_before = server.state().pid
    state = server.start()
    assert state.pid == pid_before and state.running


def test_start_refuses_a_port_taken_by_another_program(tmp_path: Path, neo4j_settings: Settings) -> None:
    if neo4j_settings.external:
        pytest.skip("the server is external (NEO4J_URI)")
    from dataclasses import replace

    # a second data dir pointed at the running server's port: the port is taken by "another program"
    other = LocalNeo4j(replace(neo4j_settings.server, data_dir=tmp_path / "other"))
    with pytest.raises(ServerError, match="port .* is taken"):
        other.start()


def test_settings_env_wins_and_uri_means_external(tmp_path: Path) -> None:
    cfg = tmp_path / "jigsaw.toml"
    cfg.write_text(
        '[neo4j]\nuri = "neo4j://cluster.example:7687"\nuser = "file-user"\n[server]\nbolt_port = 7700\n'
    )
    settings = load_settings({"JIGSAW_CONFIG": str(cfg), "NEO4J_USER": "env-user"})
    assert settings.external and settings.uri == "neo4j://cluster.example:7687"
    assert settings.user == "env-user"
    assert settings.server.bolt_port == 7700


def test_bad_settings_give_clear_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "jigsaw.toml"
    cfg.write_text("[neo4j\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"JIGSAW_CONFIG": str(cfg)})
    with pytest.raises(ConfigError, match="whole number"):
        load_settings({"JIGSAW_CONFIG": str(tmp_path / "none.toml"), "JIGSAW_BOLT_PORT": "seven"})
    with pytest.raises(ServerError, match="512m or 2g"):
        _size_ok("lots")


def test_migration_files_split_into_statements() -> None:
    for migration in schema.migrations():
        statements = migration.statements()
        assert statements, migration.name
        assert all(s.upper().startswith("CREATE ") for s in statements), migration.name
