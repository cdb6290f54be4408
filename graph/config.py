"""Where Jigsaw's settings come from: the environment first, then a TOML config file, then defaults.

The config file is ``$JIGSAW_CONFIG`` or ``./jigsaw.toml``. Secrets never live in it by default: the local
server's generated password is kept in a 0600 file in the data dir.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NEO4J_VERSION = "5.26.31"


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _config_file() -> Path:
    return Path(os.environ.get("JIGSAW_CONFIG", "jigsaw.toml"))


def _load_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


@dataclass(frozen=True)
class ServerSettings:
    """The local Neo4j that Jigsaw starts itself when no NEO4J_URI is given."""

    data_dir: Path
    cache_dir: Path
    bolt_port: int = 7687
    heap: str = "2g"
    pagecache: str = "2g"

    @property
    def password_file(self) -> Path:
        return self.data_dir / "neo4j-password"


@dataclass(frozen=True)
class Settings:
    uri: str | None
    user: str
    password: str | None
    database: str
    server: ServerSettings
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def external(self) -> bool:
        """True when the user points Jigsaw at a server of their own (cluster, Aura, Docker)."""
        return self.uri is not None


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read the settings. ``env`` defaults to ``os.environ``; tests pass their own."""
    env = dict(os.environ) if env is None else env
    raw = _load_file(Path(env.get("JIGSAW_CONFIG", str(_config_file()))))
    neo = raw.get("neo4j", {})
    srv = raw.get("server", {})

    def pick(env_name: str, section: dict[str, Any], key: str, default: Any) -> Any:
        return env.get(env_name) or section.get(key) or default

    data_dir = Path(pick("JIGSAW_HOME", srv, "data_dir", ".jigsaw")).expanduser().resolve()
    cache_default = Path(env.get("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "jigsaw"
    cache_dir = Path(pick("JIGSAW_CACHE", srv, "cache_dir", cache_default)).expanduser().resolve()
    server = ServerSettings(
        data_dir=data_dir,
        cache_dir=cache_dir,
        bolt_port=_int(pick("JIGSAW_BOLT_PORT", srv, "bolt_port", 7687), "JIGSAW_BOLT_PORT"),
        heap=str(pick("JIGSAW_NEO4J_HEAP", srv, "heap", "2g")),
        pagecache=str(pick("JIGSAW_NEO4J_PAGECACHE", srv, "pagecache", "2g")),
    )
    uri = pick("NEO4J_URI", neo, "uri", None)
    return Settings(
        uri=uri,
        user=str(pick("NEO4J_USER", neo, "user", "neo4j")),
        password=pick("NEO4J_PASSWORD", neo, "password", None),
        database=str(pick("NEO4J_DATABASE", neo, "database", "neo4j")),
        server=server,
        extra={k: v for k, v in raw.items() if k not in {"neo4j", "server"}},
    )
