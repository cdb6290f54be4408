"""Accuracy of a linkage against the truth: pairwise precision and recall (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class PrecisionRecall:
    records: int  # records in both the links and the truth
    predicted_pairs: int  # pairs of records linked to one person
    true_pairs: int  # pairs of records that are one person in truth
    correct_pairs: int  # both
    missing_from_links: int  # truth records without a link
    missing_from_truth: int  # linked records the truth does not know

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(sizes: pd.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_precision_recall(links: pd.DataFrame, truth: pd.DataFrame) -> PrecisionRecall:
    """Compare ``links`` (record_key, person_id) with ``truth`` (record_key, true_person_id).

    A pair of records counts once. Records present on one side only are counted and left out.
    """
    for frame, cols in ((links, ("record_key", "person_id")), (truth, ("record_key", "true_person_id"))):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"missing column(s) {missing}")
    left = links[["record_key", "person_id"]].dropna().drop_duplicates("record_key")
    right = truth[["record_key", "true_person_id"]].dropna().drop_duplicates("record_key")
    both = left.merge(right, on="record_key", how="inner")
    return PrecisionRecall(
        records=len(both),
        predicted_pairs=_pairs(both.groupby("person_id").size()),
        true_pairs=_pairs(both.groupby("true_person_id").size()),
        correct_pairs=_pairs(both.groupby(["person_id", "true_person_id"]).size()),
        missing_from_links=int((~right["record_key"].isin(left["record_key"])).sum()),
        missing_from_truth=int((~left["record_key"].isin(right["record_key"])).sum()),
    )
