"""Meeting mode: what a strategy meeting's shared screen shows, necessary and proportionate.

- The subject child is shown as recorded, except the address, which is reduced to the postcode district.
- Other children are reduced to initials and age (and their relationship or role, when given); nothing else.
- Adults keep their names; identifiers are removed, date of birth becomes age, address becomes district.
- Facts: postcodes in any text become districts, other children's names in any text become initials, and
  every fact is marked FACT or OPINION (UNMARKED when the source did not say), opinion text prefixed.

Apply role redaction (:meth:`RolePolicy.redact_facts`) first, then this. Removing names from free text
is best effort (full names and given names of the other children listed); the meeting chair still reads
the screen before sharing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

Granularity = Literal["district", "area"]

IDENTIFIER_KEYS = frozenset({"nhs_number", "upn", "la_child_id", "pnc_id", "uprn", "ni_number"})
ADDRESS_KEYS = frozenset({"address", "address_line", "address_text", "line", "postcode", "uprn"})
NAME_KEYS = frozenset({"given_name", "family_name", "other_names", "name", "full_name"})
OTHER_CHILD_KEEP = ("person_id", "kind", "relationship", "role")
CHILD_AGE = 18

# A UK postcode anywhere in text: outward code (area letters + district) and inward code.
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2})(\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)


def to_date(value: Any) -> date | None:
    """A date from a date, datetime, neo4j.time.Date/DateTime or ISO string; None when absent or unreadable."""
    if value is None:
        return None
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def age_on(date_of_birth: Any, today: date) -> int | None:
    dob = to_date(date_of_birth)
    if dob is None or dob > today:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def initials(given_name: str | None, family_name: str | None) -> str:
    """``('Jayden', 'Smith-Jones')`` -> ``'J.S.'``; ``'child'`` when there is no name at all."""
    letters = [part[0].upper() for part in (given_name or "", family_name or "") if part.strip()]
    return "".join(f"{c}." for c in letters) or "child"


def postcode_area(text: str | None, granularity: Granularity = "district") -> str | None:
    """The postcode district (``'LS6'``) or area (``'LS'``) of the first postcode in ``text``; None if none."""
    if not text:
        return None
    match = _POSTCODE_IN_TEXT.search(text)
    if not match:
        return None
    area = match.group(1).upper()
    return area if granularity == "area" else area + match.group(2).upper()


def _scrub_postcodes(text: str, granularity: Granularity) -> str:
    def repl(m: re.Match[str]) -> str:
        area = m.group(1).upper()
        return area if granularity == "area" else area + m.group(2).upper()

    return _POSTCODE_IN_TEXT.sub(repl, text)


def _area_of(record: Mapping[str, Any], granularity: Granularity) -> str | None:
    for key in ("postcode", "address", "address_text", "address_line", "line"):
        value = record.get(key)
        if isinstance(value, Mapping):
            value = value.get("postcode") or value.get("line")
        area = postcode_area(value if isinstance(value, str) else None, granularity)
        if area:
            return area
    area_value = record.get("area")
    return area_value if isinstance(area_value, str) else None


def _is_child(person: Mapping[str, Any], today: date) -> bool:
    kind = str(person.get("kind") or "").lower()
    if kind in {"child", "unborn"}:
        return True
    if kind == "adult":
        return False
    age = age_on(person.get("date_of_birth"), today)
    return age is not None and age < CHILD_AGE


def _without_address(record: Mapping[str, Any], granularity: Granularity) -> dict[str, Any]:
    area = _area_of(record, granularity)
    out = {k: v for k, v in record.items() if k not in ADDRESS_KEYS and k != "area"}
    if area or any(k in record for k in ADDRESS_KEYS):
        out["area"] = area or "address withheld"
    return out


@dataclass(frozen=True)
class MeetingView:
    people: list[dict[str, Any]]
    facts: list[dict[str, Any]]


class _NameScrubber:
    """Replaces other children's names in free text with their initials."""

    def __init__(self, others: Iterable[Mapping[str, Any]], keep_given: set[str]) -> None:
        pairs: list[tuple[str, str]] = []
        for person in others:
            given = str(person.get("given_name") or "").strip()
            family = str(person.get("family_name") or "").strip()
            short = initials(given, family)
            if given and family:
                pairs += [(f"{given} {family}", short), (f"{family}, {given}", short)]
            full = str(person.get("name") or person.get("full_name") or "").strip()
            if full:
                pairs.append((full, short))
            # a given name alone is replaced unless someone else shown by name has it too
            if len(given) > 1 and given.lower() not in keep_given:
                pairs.append((given, short))
        pairs.sort(key=lambda p: -len(p[0]))  # longest first: the full name before the given name
        self._subs = [(re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), short) for name, short in pairs]

    def __call__(self, text: str) -> str:
        for pattern, short in self._subs:
            text = pattern.sub(short, text)
        return text


def meeting_view(
    subject_id: str,
    people: Sequence[Mapping[str, Any]],
    facts: Sequence[Mapping[str, Any]],
    today: date,
    granularity: Granularity = "district",
) -> MeetingView:
    """The people and facts of a case reduced for a shared screen (see the module docstring). Pure."""
    others = [p for p in people if p.get("person_id") != subject_id and _is_child(p, today)]
    other_ids = {id(p) for p in others}
    named = [p for p in people if id(p) not in other_ids]
    keep_given = {str(p.get("given_name") or "").strip().lower() for p in named} - {""}
    scrub = _NameScrubber(others, keep_given)

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return scrub(_scrub_postcodes(value, granularity))
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    out_people: list[dict[str, Any]] = []
    for person in people:
        age = age_on(person.get("date_of_birth"), today)
        if person.get("person_id") == subject_id:
            out_people.append({**_without_address(person, granularity), "age": age})
        elif id(person) in other_ids:
            kept = {k: person[k] for k in OTHER_CHILD_KEEP if k in person}
            name = initials(person.get("given_name"), person.get("family_name"))
            out_people.append(
                {**kept, "display_name": name, "age": age, "area": _area_of(person, granularity)}
            )
        else:
            adult = _without_address(person, granularity)
            adult = {
                k: clean(v) for k, v in adult.items() if k not in IDENTIFIER_KEYS and k != "date_of_birth"
            }
            out_people.append({**adult, "age": age})

    out_facts: list[dict[str, Any]] = []
    for fact in facts:
        reduced = _without_address(fact, granularity)
        cleaned = {k: clean(v) for k, v in reduced.items() if k not in IDENTIFIER_KEYS}
        basis = str(fact.get("basis") or "").lower()
        marker = {"fact": "FACT", "opinion": "OPINION"}.get(basis, "UNMARKED")
        cleaned["marker"] = marker
        if marker == "OPINION" and isinstance(cleaned.get("detail"), str):
            cleaned["detail"] = f"[OPINION] {cleaned['detail']}"
        out_facts.append(cleaned)
    return MeetingView(people=out_people, facts=out_facts)
