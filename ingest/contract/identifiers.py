"""Validators (and check-character calculators) for the identifiers the agencies hold.

No identifier is shared by every agency; each has its own format and, for most, a check character that
catches typing errors. These functions are pure and fast: the contract's schemas call them on every value.

- NHS number: 10 digits; the 10th is a modulus-11 check digit over the first nine (weights 10..2).
  A remainder giving check value 10 means the number is invalid (never issued).
- UPN (unique pupil number, DfE): 13 characters. Character 1 is a check letter; characters 2-4 the LA
  number, 5-8 the establishment number, 9-10 the year of issue, 11-13 a serial. A temporary UPN ends in a
  letter. Check: characters 2-13 weighted 2..13 (a letter counts as its position in the check alphabet),
  sum modulo 23, mapped to the alphabet A-Z without I, O and S.
- LA child id: the local authority's own person id (SSD `pers_person_id`, CIN `LAchildID`): 1-20 letters or
  digits, nothing else.
- PNC id: year (2 or 4 digits), "/", a serial of up to 7 digits, and a check letter: the two-digit year
  followed by the serial padded to 7 digits, taken as a number modulo 23, indexes "ZABCDEFGHJKLMNPQRTUVWXY".
"""

from __future__ import annotations

import re

NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"  # A-Z without I, O, S: the check letters, value = index
PNC_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"

_NHS_RE = re.compile(r"\d{10}")
_UPN_RE = re.compile(r"[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]")
_LA_CHILD_ID_RE = re.compile(r"[A-Za-z0-9]{1,20}")
_PNC_RE = re.compile(r"(\d{2}|\d{4})/(\d{1,7})([A-Z])")
_POSTCODE_RE = re.compile(r"(GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})")
_URN_RE = re.compile(r"\d{6}")
_CRN_RE = re.compile(r"[A-Z]\d{6}")
_UPRN_RE = re.compile(r"\d{1,12}")


def nhs_check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when the mod-11 check gives 10 (no valid number)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError(f"need nine digits, got {first_nine!r}")
    total = sum(int(d) * w for d, w in zip(first_nine, NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: object) -> bool:
    """True for exactly ten digits (no spaces) whose last digit is the mod-11 check digit."""
    if not isinstance(value, str) or not _NHS_RE.fullmatch(value):
        return False
    check = nhs_check_digit(value[:9])
    return check is not None and check == int(value[9])


def normalise_nhs_number(value: str) -> str:
    """Drop the spaces and hyphens people type ("943 476 5919" -> "9434765919")."""
    return re.sub(r"[\s-]", "", value)


def upn_check_letter(last_twelve: str) -> str:
    """The check letter for characters 2-13 of a UPN."""
    if len(last_twelve) != 12:
        raise ValueError(f"need twelve characters, got {last_twelve!r}")
    total = 0
    for weight, char in enumerate(last_twelve, start=2):
        if char.isdigit():
            value = int(char)
        elif char in UPN_ALPHABET:
            value = UPN_ALPHABET.index(char)
        else:
            raise ValueError(f"invalid UPN character {char!r}")
        total += weight * value
    return UPN_ALPHABET[total % 23]


def is_valid_upn(value: object) -> bool:
    """True for a 13-character UPN (permanent or temporary) with the right check letter."""
    if not isinstance(value, str) or not _UPN_RE.fullmatch(value):
        return False
    return upn_check_letter(value[1:]) == value[0]


def is_valid_la_child_id(value: object) -> bool:
    return isinstance(value, str) and _LA_CHILD_ID_RE.fullmatch(value) is not None


def pnc_check_letter(year: str, serial: str) -> str:
    """The PNC check letter for a year (2 or 4 digits) and a serial (up to 7 digits)."""
    if not (year.isdigit() and len(year) in (2, 4) and serial.isdigit() and 1 <= len(serial) <= 7):
        raise ValueError(f"bad PNC parts {year!r}/{serial!r}")
    return PNC_ALPHABET[int(year[-2:] + serial.zfill(7)) % 23]


def is_valid_pnc_id(value: object) -> bool:
    """True for YYYY/NNNNNNNL or YY/NNNNNNNL with the right check letter."""
    if not isinstance(value, str):
        return False
    match = _PNC_RE.fullmatch(value)
    if match is None:
        return False
    year, serial, letter = match.groups()
    return pnc_check_letter(year, serial) == letter


def format_pnc_id(year: int, serial: int) -> str:
    """The long form, e.g. format_pnc_id(2001, 123456) == "2001/0123456" + check letter."""
    ser = f"{serial:07d}"
    return f"{year:04d}/{ser}{pnc_check_letter(f'{year:04d}', ser)}"


def is_valid_postcode(value: object) -> bool:
    """A UK postcode in its printed form: outward code, one space, inward code, upper case."""
    return isinstance(value, str) and _POSTCODE_RE.fullmatch(value) is not None


def is_valid_urn(value: object) -> bool:
    """A DfE school unique reference number (URN): six digits."""
    return isinstance(value, str) and _URN_RE.fullmatch(value) is not None


def is_valid_crn(value: object) -> bool:
    """A probation case reference number (CRN): one letter and six digits, e.g. X123456."""
    return isinstance(value, str) and _CRN_RE.fullmatch(value) is not None


def is_valid_uprn(value: object) -> bool:
    """An Ordnance Survey unique property reference number: 1-12 digits."""
    return isinstance(value, str) and _UPRN_RE.fullmatch(value) is not None
