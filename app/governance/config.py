"""Governance settings: where the users file and the audit log live, session timeouts, the roles file,
OpenID Connect and retention. Environment variables win over ``[governance]`` in jigsaw.toml.

| variable | jigsaw.toml | default |
|---|---|---|
| ``JIGSAW_SESSION_IDLE_MINUTES`` | ``[governance] session_idle_minutes`` | 30 |
| ``JIGSAW_SESSION_MAX_HOURS`` | ``[governance] session_max_hours`` | 12 |
| ``JIGSAW_ROLES_FILE`` | ``[governance] roles_file`` | the shipped roles |
| | ``[governance.retention] default_years``, ``agency_years`` | 6, none |
| | ``[governance.oidc]`` | off |

The files themselves are in ``<data dir>/governance/`` (folder 0700, files 0600).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.governance.errors import PolicyError, describe_validation
from app.governance.oidc import OIDCConfig
from app.governance.retention import RetentionPolicy
from graph.config import Settings, load_settings


@dataclass(frozen=True)
class GovernanceSettings:
    home: Path
    idle_timeout: timedelta = timedelta(minutes=30)
    max_session_age: timedelta = timedelta(hours=12)
    roles_file: Path | None = None
    oidc: OIDCConfig | None = None
    retention: RetentionPolicy = RetentionPolicy()

    @property
    def users_file(self) -> Path:
        return self.home / "users.json"

    @property
    def audit_file(self) -> Path:
        return self.home / "audit.jsonl"


def _positive(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PolicyError(f"{name} must be a number, got {value!r}") from None
    if number <= 0:
        raise PolicyError(f"{name} must be more than 0, got {value!r}")
    return number


def load_governance_settings(
    settings: Settings | None = None, env: Mapping[str, str] | None = None
) -> GovernanceSettings:
    env = os.environ if env is None else env
    settings = settings or load_settings(dict(env))
    raw = settings.extra.get("governance", {})
    if not isinstance(raw, dict):
        raise PolicyError("[governance] in jigsaw.toml must be a table")
    idle = _positive(
        env.get("JIGSAW_SESSION_IDLE_MINUTES") or raw.get("session_idle_minutes", 30), "session_idle_minutes"
    )
    max_hours = _positive(
        env.get("JIGSAW_SESSION_MAX_HOURS") or raw.get("session_max_hours", 12), "session_max_hours"
    )
    roles_file = env.get("JIGSAW_ROLES_FILE") or raw.get("roles_file")
    oidc = None
    if "oidc" in raw:
        try:
            oidc = OIDCConfig.model_validate(raw["oidc"])
        except ValidationError as exc:
            raise PolicyError(f"[governance.oidc] in jigsaw.toml: {describe_validation(exc)}") from None
    ret = raw.get("retention", {})
    try:
        retention = RetentionPolicy(
            default_years=ret.get("default_years", 6), agency_years=dict(ret.get("agency_years", {}))
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise PolicyError(f"[governance.retention] in jigsaw.toml: {exc}") from None
    return GovernanceSettings(
        home=settings.server.data_dir / "governance",
        idle_timeout=timedelta(minutes=idle),
        max_session_age=timedelta(hours=max_hours),
        roles_file=Path(roles_file).expanduser() if roles_file else None,
        oidc=oidc,
        retention=retention,
    )
