"""One module per agency format; importing this package registers every adapter in ingest.registry."""

from ingest.adapters import (  # noqa: F401
    cin_census,
    csc,
    early_help,
    education,
    family_context,
    health,
    housing,
    police,
    probation,
    ssda903,
    third_sector,
    withdrawals,
)
