"""One module per agency format; importing this package registers every adapter in ingest.registry."""

from ingest.adapters import police  # noqa: F401
