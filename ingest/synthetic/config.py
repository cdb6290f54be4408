"""Settings of one synthetic county run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEFAULT_REFERENCE_DATE = date(2026, 3, 31)  # end of the 2025-26 CIN census year


@dataclass(frozen=True)
class SynthConfig:
    children: int
    seed: int
    out: Path
    bad_rows: bool = False
    reference_date: date = DEFAULT_REFERENCE_DATE
    years: float = 6.0  # history window before the reference date

    def __post_init__(self) -> None:
        if self.children < 50:
            raise ValueError("--children must be at least 50 (the planted patterns need a few families)")
