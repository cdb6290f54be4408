"""The query layer's configuration: versioned YAML files in ``queries/config/``, replaceable per MASH.

``risk_weights.yaml``: cumulative risk indicators, weights, recency decay and the continuum suggestion.
``patterns.yaml``: the scheduled patterns' parameters (days, working days, bank holidays) and the schedule.
A local copy can replace either: ``[queries] risk_config = "path"`` / ``patterns_config = "path"`` in
jigsaw.toml, or the ``path`` argument of the loaders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from graph.config import ConfigError, load_settings

RELATION_ALIASES: dict[str, frozenset[str]] = {
    "child": frozenset({"child"}),
    "parent_carer": frozenset({"parent", "step_parent", "carer"}),
    # a man who harmed a parent or carer at the child's home counts as her partner would
    "partner_of_carer": frozenset({"partner_of_carer", "suspect_at_home"}),
    "household_member": frozenset({"household_member"}),
    "sibling": frozenset({"sibling"}),
    "at_address": frozenset({"at_address"}),
}


def _read(name: str, path: Path | str | None, setting: str) -> tuple[dict[str, Any], str]:
    if path is None:
        configured = load_settings().extra.get("queries", {}).get(setting)
        path = Path(configured) if configured else None
    if path is None:
        text = (resources.files("queries") / "config" / name).read_text(encoding="utf-8")
        where = f"queries/config/{name}"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping at the top")
    return data, where


def _lower(values: Any) -> frozenset[str]:
    if values is None:
        return frozenset()
    if not isinstance(values, list):
        values = [values]
    return frozenset(str(v).casefold() for v in values)


@dataclass(frozen=True)
class Indicator:
    id: str
    label: str
    weight: float
    fact_types: frozenset[str]
    relations: frozenset[str]  # circle relations (aliases expanded); empty = any
    roles: frozenset[str]  # empty = any
    adult: bool
    properties: dict[str, frozenset[str]]  # casefolded values; empty = any


@dataclass(frozen=True)
class Floor:
    fact_types: frozenset[str]
    level: int


@dataclass(frozen=True)
class RiskConfig:
    version: str
    name: str
    source: str
    half_life_days: float
    window_years: int
    thresholds: dict[int, float]
    level_label: str
    floors: tuple[Floor, ...]
    indicators: tuple[Indicator, ...]
    history_half_life_days: float = 1825.0
    adult_history: tuple[Indicator, ...] = ()


def _indicators(items: list[dict[str, Any]], where: str, section: str) -> tuple[Indicator, ...]:
    indicators = []
    seen: set[str] = set()
    for item in items:
        if item["id"] in seen:
            raise ConfigError(f"{where}: {section}: {item['id']!r} appears twice")
        seen.add(item["id"])
        relations: set[str] = set()
        for rel in item.get("relations") or []:
            if rel not in RELATION_ALIASES:
                raise ConfigError(f"{where}: {section} {item['id']}: unknown relation {rel!r}")
            relations |= RELATION_ALIASES[rel]
        weight = float(item["weight"])
        if weight < 0:
            raise ConfigError(f"{where}: {section} {item['id']}: weight must not be negative")
        indicators.append(
            Indicator(
                id=str(item["id"]),
                label=str(item.get("label", item["id"])),
                weight=weight,
                fact_types=frozenset(item["fact_types"]),
                relations=frozenset(relations),
                roles=frozenset(item.get("roles") or []),
                adult=bool(item.get("adult", False)),
                properties={str(k): _lower(v) for k, v in (item.get("properties") or {}).items()},
            )
        )
    return tuple(indicators)


def _positive(data: dict[str, Any], key: str, default: float, where: str) -> float:
    value = float(data.get(key, default))
    if value <= 0:
        raise ConfigError(f"{where}: {key} must be positive")
    return value


def load_risk_config(path: Path | str | None = None) -> RiskConfig:
    data, where = _read("risk_weights.yaml", path, "risk_config")
    try:
        continuum = data["continuum"]
        thresholds = {int(k): float(v) for k, v in continuum["thresholds"].items()}
        if sorted(thresholds) != [2, 3, 4] or not thresholds[2] <= thresholds[3] <= thresholds[4]:
            raise ConfigError(f"{where}: continuum thresholds must give rising points for levels 2, 3 and 4")
        floors = tuple(
            Floor(frozenset(f["fact_types"]), int(f["level"])) for f in continuum.get("floors", [])
        )
        return RiskConfig(
            version=str(data["version"]),
            name=str(data.get("name", "")),
            source=where,
            half_life_days=_positive(data, "half_life_days", 365, where),
            window_years=int(data.get("window_years", 3)),
            thresholds=thresholds,
            level_label=str(continuum.get("label", "Suggested continuum level")),
            floors=floors,
            indicators=_indicators(data["indicators"], where, "indicator"),
            history_half_life_days=_positive(data, "history_half_life_days", 1825, where),
            adult_history=_indicators(data.get("adult_history") or [], where, "adult_history"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: missing or malformed setting ({exc})") from exc


@dataclass(frozen=True)
class PatternConfig:
    version: str
    source: str
    enabled: tuple[str, ...]
    schedule_cron: str
    timezone: str
    bank_holidays: tuple[date, ...]
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    workers: int = 1  # patterns run at once by a sweep

    def get(self, pattern: str, key: str) -> Any:
        try:
            return self.params[pattern][key]
        except KeyError:
            raise ConfigError(f"{self.source}: pattern {pattern!r} has no setting {key!r}") from None


def load_pattern_config(path: Path | str | None = None) -> PatternConfig:
    data, where = _read("patterns.yaml", path, "patterns_config")
    try:
        holidays = tuple(sorted(date.fromisoformat(str(d)) for d in data.get("bank_holidays", [])))
        params = {str(k): dict(v or {}) for k, v in data["patterns"].items()}
        enabled = tuple(k for k, v in params.items() if v.get("enabled", True))
        schedule = data.get("schedule", {})
        workers = (data.get("sweep") or {}).get("workers", 1)
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError(f"{where}: sweep.workers must be a whole number of at least 1, not {workers!r}")
        return PatternConfig(
            version=str(data["version"]),
            source=where,
            enabled=enabled,
            schedule_cron=str(schedule.get("cron", "0 * * * *")),
            timezone=str(schedule.get("timezone", "Europe/London")),
            bank_holidays=holidays,
            params=params,
            workers=workers,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{where}: missing or malformed setting ({exc})") from exc
