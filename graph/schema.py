"""Schema migrations: versioned, idempotent ``.cypher`` files in ``graph/migrations``.

Each file ``NNNN_name.cypher`` holds one or more schema statements separated by ``;`` at line end.
Applying a migration records ``(:SchemaMigration {version, name, checksum, applied_at})`` so that
``jigsaw db status`` can say whether the schema is current.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import neo4j

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.cypher$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def statements(self) -> list[str]:
        """The statements, split on ';' at end of line; '//' comment lines are dropped."""
        body = "\n".join(line for line in self.text.splitlines() if not line.lstrip().startswith("//"))
        return [s.strip() for s in re.split(r";\s*$", body, flags=re.MULTILINE) if s.strip()]


def migrations() -> list[Migration]:
    found = []
    for entry in resources.files("graph.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"two migrations share a version number: {versions}")
    return found


def applied_versions(driver: neo4j.Driver, database: str) -> dict[int, str]:
    records, _, _ = driver.execute_query(
        "MATCH (m:SchemaMigration) RETURN m.version AS version, m.checksum AS checksum",
        database_=database,
        routing_=neo4j.RoutingControl.READ,
    )
    return {int(r["version"]): str(r["checksum"]) for r in records}


def pending(driver: neo4j.Driver, database: str) -> list[Migration]:
    done = applied_versions(driver, database)
    return [m for m in migrations() if m.version not in done]


def migrate(driver: neo4j.Driver, database: str) -> list[Migration]:
    """Apply every migration not yet recorded; returns those applied. Safe to run again."""
    applied = []
    for migration in pending(driver, database):
        for statement in migration.statements():
            # schema commands cannot share a transaction with writes: run each on its own
            driver.execute_query(statement, database_=database)
        driver.execute_query(
            "MERGE (m:SchemaMigration {version: $version}) "
            "SET m.name = $name, m.checksum = $checksum, m.applied_at = datetime()",
            version=migration.version,
            name=migration.name,
            checksum=migration.checksum,
            database_=database,
        )
        applied.append(migration)
    return applied


def is_current(driver: neo4j.Driver, database: str) -> bool:
    return not pending(driver, database)
