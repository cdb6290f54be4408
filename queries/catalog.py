"""The query catalog: every ``queries/*.cypher`` file, loaded by name, and one way to run them.

Each file holds one read (or, for alerts, write) statement after a ``//`` header that says what it is for,
which part of the NPCC guidance or which review it serves, its parameters and the columns it returns.
Every value reaches Neo4j as a parameter; Python never splices values into Cypher text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import neo4j
import neo4j.time

from graph import cypher_files
from graph.dates import use_python_dates

T = TypeVar("T")
PACKAGE = "queries"
# The server's notifications (an unknown label on a graph that has no such facts yet...) are for developers;
# tests/test_queries_catalog.py runs EXPLAIN on every file and fails on the ones that matter.
QUIET: dict[str, Any] = {"notifications_min_severity": neo4j.NotificationMinimumSeverity.OFF}


def load(name: str) -> str:
    """The text of ``queries/<name>.cypher``; a typo fails loudly (KeyError)."""
    return cypher_files.load(name, PACKAGE)


def names() -> list[str]:
    return cypher_files.names(PACKAGE)


def header(name: str) -> str:
    return cypher_files.header(load(name))


_TEMPORAL = (neo4j.time.Date, neo4j.time.DateTime)
_PYTHON_DATES = use_python_dates()  # False if a driver release moved the hook: then every row is walked
_PLAIN = frozenset({str, int, float, bool, type(None)})


def native(value: Any) -> Any:
    """Neo4j temporal values (and lists/maps of them) as Python ``date``/``datetime``. Called on every value a
    sweep reads (millions at 200,000 children): the exact-type checks come first because they are cheap."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list:
        return [native(v) for v in value]
    if kind is dict:
        return {k: native(v) for k, v in value.items()}
    if isinstance(value, _TEMPORAL):
        return value.to_native()
    return value


def to_param(value: Any) -> Any:
    """Python values ready to be query parameters (dates stay dates; nested maps and lists converted)."""
    if isinstance(value, date | datetime) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): to_param(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_param(v) for v in value]
    return value


# Where a read runs: a driver (its own session and transaction) or a transaction already open (several reads
# of one answer in one round of transactions: see picture.child_picture).
# A neo4j.Transaction is the explicit one ``queries.known_at`` opens (and always rolls back).
Reader = neo4j.Driver | neo4j.ManagedTransaction | neo4j.Transaction
_IN_TRANSACTION = (neo4j.ManagedTransaction, neo4j.Transaction)


def read(
    reader: Reader, database: str, name: str, params: Mapping[str, Any], *, plain: bool = False
) -> list[dict[str, Any]]:
    """Run a read query by name; rows as dicts of native Python values. ``plain``: the query returns no
    temporal values but dates (which the driver already reads as Python dates: graph/dates.py), so the rows are
    taken as the driver gives them, without a walk through every value (hundreds of thousands in a sweep)."""
    query = load(name)
    parameters = to_param(params)

    def work(tx: neo4j.ManagedTransaction | neo4j.Transaction) -> list[dict[str, Any]]:
        result = tx.run(query, parameters)
        keys = result.keys()
        if plain and _PYTHON_DATES:
            return [dict(zip(keys, record.values(), strict=True)) for record in result]
        return [dict(zip(keys, [native(v) for v in record.values()], strict=True)) for record in result]

    if isinstance(reader, _IN_TRANSACTION):
        return work(reader)
    with reader.session(database=database, **QUIET) as session:
        return session.execute_read(work)


def in_one_transaction(
    driver: Reader, database: str, work: Callable[[neo4j.ManagedTransaction | neo4j.Transaction], T]
) -> T:
    """Run several reads in one read transaction (one round trip to open it, one snapshot of the graph); in the
    transaction given, if given one (e.g. the graph as known at a past time)."""
    if isinstance(driver, _IN_TRANSACTION):
        return work(driver)
    with driver.session(database=database, **QUIET) as session:
        return session.execute_read(work)


def write(driver: neo4j.Driver, database: str, name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a write query by name in one managed (retried) transaction; rows as dicts."""
    query = load(name)
    parameters = to_param(params)

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [{key: native(record[key]) for key in record.keys()} for record in tx.run(query, parameters)]

    with driver.session(database=database, **QUIET) as session:
        return session.execute_write(work)
