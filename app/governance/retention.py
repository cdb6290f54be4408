"""Retention: flag records whose review date has come. Nothing here deletes anything.

A record's review date is its own ``review_date`` when it has one, else its ``recorded_on`` date plus the
review period for its agency (``[governance.retention]`` in jigsaw.toml; set it from the local retention
schedule). A reviewer then keeps the record or decides to delete it; the deletion is a separate, audited
action (``Governance.record_deletion``), and so is the review itself (``Governance.record_retention_review``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.governance.meeting import to_date


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class RetentionPolicy:
    default_years: int = 6
    agency_years: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, years in {"default": self.default_years, **self.agency_years}.items():
            if not isinstance(years, int) or years < 1:
                raise ValueError(f"retention period for {name} must be a whole number of years, at least 1")

    def years_for(self, agency: str | None) -> int:
        return self.agency_years.get(agency or "", self.default_years)


@dataclass(frozen=True)
class ReviewFlag:
    record_id: str
    agency: str | None
    review_due: date | None  # None: the record has no date to compute one from
    reason: str


def flag_for_review(
    records: Iterable[Mapping[str, Any]],
    today: date,
    policy: RetentionPolicy,
    *,
    id_key: str = "fact_key",
    date_key: str = "recorded_on",
    review_key: str = "review_date",
) -> list[ReviewFlag]:
    """The records whose review date is today or earlier, oldest first, plus any with no date at all
    (they cannot be assessed, so a person must look). Pure: the records are not changed."""
    due: list[ReviewFlag] = []
    undated: list[ReviewFlag] = []
    for record in records:
        agency = record.get("agency")
        agency = agency if isinstance(agency, str) else None
        record_id = str(record.get(id_key))
        review = to_date(record.get(review_key))
        if review is None:
            recorded = to_date(record.get(date_key))
            if recorded is None:
                undated.append(ReviewFlag(record_id, agency, None, f"no {review_key} or {date_key}"))
                continue
            years = policy.years_for(agency)
            review = add_years(recorded, years)
            reason = f"{years} years since {date_key} {recorded.isoformat()}"
        else:
            reason = f"{review_key} {review.isoformat()}"
        if review <= today:
            due.append(ReviewFlag(record_id, agency, review, reason))
    due.sort(key=lambda f: (f.review_due or today, f.record_id))
    return due + undated
