"""Identifier checks entity resolution relies on: only a *valid* identifier may link records on its own.

NHS number: 10 digits, the last a modulus-11 check digit. UPN: 13 characters, a check letter first
(a temporary UPN ends in a letter, and a child may hold a temporary and later a permanent one). PNC id:
year / serial + check letter. LA child id: the local authority's own id, letters and digits.
Pure functions; values are normalised (spaces, hyphens, case) here, then checked by the data contract's
validators, so ingest and resolution agree on what is valid.
"""

from __future__ import annotations

import re

from ingest.contract import identifiers as contract

_PNC_RE = re.compile(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])")


def clean(value: object) -> str | None:
    """Upper case, without spaces or hyphens; None for nothing."""
    if value is None or value != value:  # None or NaN
        return None
    text = re.sub(r"[\s\-]", "", str(value)).upper()
    return text or None


# the checks themselves are the data contract's (ingest/contract/identifiers.py), on cleaned values
valid_nhs_number = contract.is_valid_nhs_number
valid_upn = contract.is_valid_upn
valid_pnc_id = contract.is_valid_pnc_id
valid_la_child_id = contract.is_valid_la_child_id


def temporary_upn(value: str | None) -> bool:
    """A temporary UPN ends in a letter: the child may later get a permanent one, so two differ safely."""
    return value is not None and value[-1:].isalpha()


def pnc_core(value: str | None) -> str | None:
    """Two-digit year + seven-digit serial: "2001/0123456Z" and "01/123456Z" are the same PNC id."""
    if value is None:
        return None
    match = _PNC_RE.fullmatch(value)
    if match is None:
        digits = re.sub(r"\D", "", value)
        return digits or None
    year, serial, _ = match.groups()
    return year[-2:] + serial.zfill(7)
