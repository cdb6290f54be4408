"""Identifier checks entity resolution relies on: only a *valid* identifier may link records on its own.

NHS number: 10 digits, the last a modulus-11 check digit. UPN: 13 characters, a check letter first
(a temporary UPN ends in a letter, and a child may hold a temporary and later a permanent one). PNC id:
year / serial + check letter. LA child id: the local authority's own id, letters and digits.
Pure functions; values are normalised (spaces, hyphens, case) before they are checked.
"""

from __future__ import annotations

import re

_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
_PNC_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"
_UPN_RE = re.compile(r"[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]")
_PNC_RE = re.compile(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])")
_LA_RE = re.compile(r"[A-Z0-9]{1,20}")


def clean(value: object) -> str | None:
    """Upper case, without spaces or hyphens; None for nothing."""
    if value is None or value != value:  # None or NaN
        return None
    text = re.sub(r"[\s\-]", "", str(value)).upper()
    return text or None


def valid_nhs_number(value: str | None) -> bool:
    if value is None or len(value) != 10 or not value.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], _NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(value[9])


def valid_upn(value: str | None) -> bool:
    if value is None or not _UPN_RE.fullmatch(value):
        return False
    total = 0
    for weight, char in enumerate(value[1:], start=2):
        total += weight * (int(char) if char.isdigit() else _UPN_ALPHABET.index(char))
    return _UPN_ALPHABET[total % 23] == value[0]


def temporary_upn(value: str | None) -> bool:
    """A temporary UPN ends in a letter: the child may later get a permanent one, so two differ safely."""
    return value is not None and value[-1:].isalpha()


def valid_pnc_id(value: str | None) -> bool:
    if value is None:
        return False
    match = _PNC_RE.fullmatch(value)
    if match is None:
        return False
    year, serial, letter = match.groups()
    return _PNC_ALPHABET[int(year[-2:] + serial.zfill(7)) % 23] == letter


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


def valid_la_child_id(value: str | None) -> bool:
    return value is not None and _LA_RE.fullmatch(value) is not None
