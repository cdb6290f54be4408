"""Entity resolution: which agency records are the same person (see docs/entity-resolution.md).

The public surface, used by the CLI (``jigsaw resolve``, ``jigsaw review``, ``jigsaw export links``) and
later by the app:

- ``resolve(driver, database, settings) -> ResolutionReport``: link every SourceRecord to one Person.
- ``review_queue``, ``review_detail``, ``decide``, ``split_record``: the analysts' review queue.
- ``export_links``, ``links_frame``: one row per source record with its person, method and probability.
- ``pairwise_precision_recall(links, truth)``: accuracy against a truth of record_key,true_person_id.
"""

from ingest.resolution.clustering import Guards
from ingest.resolution.engine import ResolutionError, ResolutionReport, ResolutionSettings, resolve
from ingest.resolution.metrics import PrecisionRecall, pairwise_precision_recall
from ingest.resolution.review import (
    DecisionRefused,
    DecisionResult,
    ReviewDetail,
    ReviewItem,
    decide,
    export_links,
    links_frame,
    review_detail,
    review_queue,
    split_record,
)

__all__ = [
    "DecisionRefused",
    "DecisionResult",
    "Guards",
    "PrecisionRecall",
    "ResolutionError",
    "ResolutionReport",
    "ResolutionSettings",
    "ReviewDetail",
    "ReviewItem",
    "decide",
    "export_links",
    "links_frame",
    "pairwise_precision_recall",
    "resolve",
    "review_detail",
    "review_queue",
    "split_record",
]
