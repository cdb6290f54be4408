"""One module per agency format; importing this package registers every adapter in ingest.registry."""

from ingest.adapters import (  # noqa: F401
    early_help,
    education,
    health,
    housing,
    police,
    probation,
    third_sector,
)
