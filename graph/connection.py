"""The one way Jigsaw talks to Neo4j: a driver for the configured server (external or the local one)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import neo4j
from neo4j import GraphDatabase

from graph.config import Settings
from graph.server.local import LocalNeo4j, ServerError

log = logging.getLogger(__name__)


def connection_details(settings: Settings) -> tuple[str, tuple[str, str]]:
    """The URI and credentials to use: NEO4J_URI when set (Jigsaw starts nothing), else the local server."""
    if settings.uri:
        if settings.password is None:
            raise ServerError(
                "NEO4J_URI is set but NEO4J_PASSWORD is not: set it in the environment or jigsaw.toml"
            )
        return settings.uri, (settings.user, settings.password)
    local = LocalNeo4j(settings.server)
    return local.bolt_uri, ("neo4j", local.password())


def make_driver(settings: Settings) -> neo4j.Driver:
    """A driver for the configured server. ``neo4j://`` URIs route (cluster, Aura); ``bolt://`` is direct."""
    uri, auth = connection_details(settings)
    driver = GraphDatabase.driver(uri, auth=auth, user_agent="jigsaw")
    try:
        driver.verify_connectivity()
    except neo4j.exceptions.AuthError as exc:
        driver.close()
        raise ServerError(f"Neo4j at {uri} refused the credentials for user {auth[0]!r}") from exc
    except neo4j.exceptions.ServiceUnavailable as exc:
        driver.close()
        hint = "" if settings.uri else " Start it with `jigsaw db start`."
        raise ServerError(f"Neo4j at {uri} is not answering.{hint}") from exc
    return driver


@contextmanager
def open_driver(settings: Settings) -> Iterator[neo4j.Driver]:
    driver = make_driver(settings)
    try:
        yield driver
    finally:
        driver.close()


def server_components(driver: neo4j.Driver, database: str) -> tuple[str, str]:
    """(version, edition) of the server, from ``dbms.components()``."""
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS version, edition",
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return str(records[0]["version"]), str(records[0]["edition"])
