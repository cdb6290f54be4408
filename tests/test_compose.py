"""docker-compose.yml is for users with Docker; this machine has no engine, so check its shape here."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_has_neo4j_app_and_scheduler_without_secrets() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"neo4j", "app", "scheduler"}
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert "healthcheck" in services["neo4j"]
    for name in ("app", "scheduler"):
        assert services[name]["depends_on"]["neo4j"]["condition"] == "service_healthy"
        assert services[name]["environment"]["NEO4J_PASSWORD"].startswith("${")
    assert services["neo4j"]["environment"]["NEO4J_AUTH"].startswith("neo4j/${")
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), port
    assert set(compose["volumes"]) >= {"neo4j-data"}
