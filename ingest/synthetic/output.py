"""Writing the county: CSV tables in contract column order, the truth collector, shared render context."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ingest.contract import FILES, record_key
from ingest.contract.spec import FileSpec
from ingest.synthetic.events import Events
from ingest.synthetic.noise import AGENCY_NOISE, Noise
from ingest.synthetic.pools import DateText
from ingest.synthetic.world import World

AGENCY_INDEX = {
    "police": 1,
    "csc": 2,
    "health": 3,
    "education": 4,
    "early_help": 5,
    "probation": 6,
    "housing": 7,
    "third_sector": 8,
}


def pid_text(pid: int) -> str:
    return f"P{pid:07d}"


class Table:
    """One CSV file of the contract, written row by row; remembers the file line of each row."""

    def __init__(self, root: Path, kind: str) -> None:
        self.spec: FileSpec = FILES[kind]
        self.rel = self.spec.paths[0]
        path = root / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fh: IO[str] = path.open("w", newline="", encoding="utf-8")
        self.w = csv.writer(self.fh, lineterminator="\n")
        self.columns = self.spec.column_names
        self.w.writerow(self.columns)
        self.n = 0

    def add(self, values: Iterable[Any]) -> int:
        """Write one row (values in column order, None for empty); returns its file line."""
        self.w.writerow(["" if v is None else v for v in values])
        self.n += 1
        return self.n + 1

    def add_dict(self, row: dict[str, Any]) -> int:
        return self.add(row.get(c) for c in self.columns)

    def key(self, source_id: str) -> str:
        return self.spec.record_key(source_id)

    def close(self) -> None:
        self.fh.close()


PERSISTENT_ABSENCE = 0.10  # the DfE's persistent absence: 10% or more of possible sessions missed


@dataclass
class Truth:
    persons: list[tuple[str, int]] = field(default_factory=list)
    mentions: list[tuple[str, str, int]] = field(default_factory=list)
    # agency -> true person id -> record keys of that person's person-bearing records
    records: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    patterns: list[dict[str, Any]] = field(default_factory=list)
    bad_rows: list[tuple[str, int, str, str]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    # (agency, holder, person): the agency's record of `holder` names `person` (a related person on a patient's
    # record, a contact on a pupil's record), so the truth can tell whom each agency sees around a child
    links: list[tuple[str, int, int]] = field(default_factory=list)
    # (pupil, attendance record key, first day of the term, share of sessions missed): the persistent absences
    # the schools wrote (PERSISTENT_ABSENCE or more of the sessions)
    absences: list[tuple[int, str, int, float]] = field(default_factory=list)

    def person(self, agency: str, key: str, pid: int) -> None:
        self.persons.append((key, pid))
        self.records.setdefault(agency, {}).setdefault(pid, []).append(key)

    def link(self, agency: str, holder: int, person: int) -> None:
        self.links.append((agency, holder, person))

    def absence(self, pupil: int, key: str, term_start: int, missed: float) -> None:
        self.absences.append((pupil, key, term_start, missed))

    def mention(self, key: str, name: str, pid: int) -> None:
        self.mentions.append((key, name, pid))

    def keys_of(self, agency: str, pid: int) -> list[str]:
        return self.records.get(agency, {}).get(pid, [])


class Counter:
    def __init__(self, prefix: str, width: int = 7, start: int = 1) -> None:
        self.prefix = prefix
        self.width = width
        self.i = start - 1

    def __call__(self) -> str:
        self.i += 1
        return f"{self.prefix}{self.i:0{self.width}d}"


@dataclass
class Ctx:
    world: World
    events: Events
    root: Path
    truth: Truth
    dates: DateText
    seed: int

    def rnd(self, agency: str) -> random.Random:
        return random.Random(self.seed * 1_000_003 + AGENCY_INDEX[agency] * 7919)

    def noise(self, agency: str, rnd: random.Random) -> Noise:
        return Noise(AGENCY_NOISE[agency], self.world.pools, rnd)

    def iso(self, day: int | None) -> str | None:
        return None if day is None else self.dates.iso_of(day)

    def uk(self, day: int | None) -> str | None:
        return None if day is None else self.dates.uk_of(day)


def flag(value: bool | None) -> str | None:
    return None if value is None else ("Y" if value else "N")


__all__ = ["Counter", "Ctx", "Table", "Truth", "flag", "pid_text", "record_key"]
