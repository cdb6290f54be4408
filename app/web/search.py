"""Finding a child: by name (fuzzy), date of birth, or any identifier (NHS number, UPN, LA child id, PNC id).

The search box takes one string; :func:`parse_search` decides what it is and refuses anything that is not a
plausible name, date or identifier (so nothing odd ever reaches a query, and every value is a Cypher
parameter anyway). :func:`find_children` returns one row per resolved child (``Person``), with what an
analyst needs to pick the right one: age, address area (postcode district) and the agencies holding records.
Names are compared as entity resolution compares them (``ingest.resolution.names``: nicknames, phonetic keys),
and by Jaro-Winkler for typing slips.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import jellyfish
import neo4j

from ingest.resolution import names

SearchKind = Literal["name", "date_of_birth", "nhs_number", "upn", "la_child_id", "pnc_id"]
KIND_LABELS: dict[str, str] = {
    "name": "name",
    "date_of_birth": "date of birth",
    "nhs_number": "NHS number",
    "upn": "UPN",
    "la_child_id": "LA child id",
    "pnc_id": "PNC id",
}
MAX_LENGTH = 80
MAX_RESULTS = 50
CHILD_AGE = 18

_ALLOWED = re.compile(r"[\w\s'\-./]+")
_DATE_FORMATS = (
    re.compile(r"(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
)
_NHS = re.compile(r"\d{3}\s?\d{3}\s?\d{4}")
_UPN = re.compile(r"[A-Z]\d{11}[0-9A-Z]")
_PNC = re.compile(r"(\d{2}|\d{4})/\d{1,7}[A-Z]")
_LA_ID = re.compile(r"[A-Z0-9\-]{2,20}")
_NAME = re.compile(r"[^\W\d_]+(?:['\-.][^\W\d_]+)*\.?(?:\s+[^\W\d_]+(?:['\-.][^\W\d_]+)*\.?){0,3}")


class SearchInputError(ValueError):
    """The search text is not a name, date of birth or identifier; the message says what is accepted."""


@dataclass(frozen=True)
class ParsedSearch:
    kind: SearchKind
    value: str  # normalised: ISO date, identifier without spaces (upper case), or lower-case name
    dob: date | None = None

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def parse_search(text: str) -> ParsedSearch:
    """What the analyst typed, as a search: SearchInputError when it is none of the accepted kinds."""
    raw = (text or "").strip()
    if not raw:
        raise SearchInputError("type a name, a date of birth (dd/mm/yyyy) or an identifier")
    if len(raw) > MAX_LENGTH:
        raise SearchInputError(f"the search is limited to {MAX_LENGTH} characters")
    if not _ALLOWED.fullmatch(raw):
        raise SearchInputError(
            "only letters, digits, spaces and ' - . / are accepted: a name, a date of birth or an identifier"
        )
    for pattern in _DATE_FORMATS:
        m = pattern.fullmatch(raw)
        if m:
            try:
                dob = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                raise SearchInputError(f"{raw!r} is not a real date") from None
            return ParsedSearch("date_of_birth", dob.isoformat(), dob)
    compact = re.sub(r"[\s\-]", "", raw).upper()
    if _NHS.fullmatch(raw) or (compact.isdigit() and len(compact) == 10):
        return ParsedSearch("nhs_number", compact)
    if _UPN.fullmatch(compact):
        return ParsedSearch("upn", compact)
    if _PNC.fullmatch(raw.replace(" ", "").upper()):
        return ParsedSearch("pnc_id", raw.replace(" ", "").upper())
    if any(c.isdigit() for c in raw) and _LA_ID.fullmatch(raw.upper().replace(" ", "")):
        return ParsedSearch("la_child_id", compact)
    if _NAME.fullmatch(raw):
        return ParsedSearch("name", " ".join(raw.lower().split()))
    raise SearchInputError(
        "not a name, a date of birth (dd/mm/yyyy) or an identifier (NHS number, UPN, LA child id, PNC id)"
    )


def age_on(dob: date | None, today: date) -> int | None:
    if dob is None or dob > today:
        return None
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


# -- the queries: every value is a parameter ------------------------------------------------------------
_BY_IDENTIFIER = {
    "nhs_number": "MATCH (r:SourceRecord {nhs_number: $value})-[:RECORD_OF]->(p:Person) RETURN DISTINCT p",
    "upn": "MATCH (r:SourceRecord {upn: $value})-[:RECORD_OF]->(p:Person) RETURN DISTINCT p",
    "la_child_id": "MATCH (r:SourceRecord {la_child_id: $value})-[:RECORD_OF]->(p:Person) RETURN DISTINCT p",
    "pnc_id": "MATCH (r:SourceRecord {pnc_id: $value})-[:RECORD_OF]->(p:Person) RETURN DISTINCT p",
}
_BY_DOB = """
MATCH (p:Person) WHERE p.date_of_birth = $dob OR p.expected_date_of_birth = $dob
RETURN p
UNION
MATCH (r:SourceRecord)-[:RECORD_OF]->(p:Person) WHERE r.date_of_birth = $dob
RETURN p
"""
# Name candidates: records whose family or given name starts with the first letter of a typed word
# (the composite name index serves the family-name prefix); ranked in Python by Jaro-Winkler.
_NAME_CANDIDATES = """
UNWIND $prefixes AS prefix
CALL (prefix) {
  MATCH (r:SourceRecord) WHERE r.family_name STARTS WITH prefix RETURN r
  UNION
  MATCH (r:SourceRecord) WHERE r.given_name STARTS WITH prefix RETURN r
}
WITH DISTINCT r LIMIT $limit
MATCH (r)-[:RECORD_OF]->(p:Person)
RETURN p.person_id AS person_id, r.given_name AS given, r.family_name AS family, r.other_names AS other
"""
_DETAILS = """
UNWIND $ids AS id
MATCH (p:Person {person_id: id})
CALL (p) {
  OPTIONAL MATCH (r:SourceRecord)-[:RECORD_OF]->(p)
  WITH p, collect(r) AS records
  RETURN [r IN records | r.agency] AS agencies,
         [r IN records WHERE r.given_name IS NOT NULL | r.given_name] AS givens,
         [r IN records WHERE r.family_name IS NOT NULL | r.family_name] AS families,
         [r IN records WHERE r.date_of_birth IS NOT NULL | r.date_of_birth] AS dobs,
         [r IN records WHERE r.postcode IS NOT NULL | r.postcode] AS postcodes
}
CALL (p) {
  OPTIONAL MATCH (r:SourceRecord)-[:RECORD_OF]->(p)
  OPTIONAL MATCH (r)-[l:LIVED_AT]->(a:Address)
  WITH a, l ORDER BY coalesce(l.`from`, date('1900-01-01')) DESC
  RETURN head(collect(a.area)) AS area
}
RETURN p.person_id AS person_id, p.date_of_birth AS dob, p.expected_date_of_birth AS edd, p:Unborn AS unborn,
       agencies, givens, families, dobs, postcodes, area
"""


def _most_common(values: Iterable[Any]) -> Any:
    counts: dict[Any, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _word_score(word: str, name: str) -> float:
    """How alike a typed word and a recorded name are: nickname groups (Dan ~ Daniel) and phonetic keys
    (Smyth ~ Smith) from entity resolution's name rules, else Jaro-Winkler."""
    if word == name:
        return 1.0
    if set(names.nickname_groups(word)) & set(names.nickname_groups(name)):
        return 0.95
    score = jellyfish.jaro_winkler_similarity(word, name)
    key = names.phonetic(word)
    if key is not None and key == names.phonetic(name):
        score = max(score, 0.9)
    return score


def _name_score(query: str, given: str | None, family: str | None, other: str | None) -> float:
    """How well a record's names match the typed words: the mean over typed words of their best match."""
    recorded = [t for n in (given, family, other) for t in names.name_tokens(n)]
    words = names.name_tokens(query)
    if not recorded or not words:
        return 0.0
    best = [max(_word_score(w, n) for n in recorded) for w in words]
    return sum(best) / len(best)


def find_children(
    driver: neo4j.Driver,
    database: str,
    search: ParsedSearch,
    today: date,
    *,
    include_adults: bool = False,
    threshold: float = 0.85,
) -> list[dict[str, Any]]:
    """The children (and unborn children) matching the search, best first, with age, area and agencies."""
    scores: dict[str, float] = {}
    if search.kind == "name":
        prefixes = sorted({w[0].upper() for w in search.value.split()} | {w[0] for w in search.value.split()})
        records, _, _ = driver.execute_query(
            _NAME_CANDIDATES,
            prefixes=prefixes,
            limit=20000,
            database_=database,
            routing_=neo4j.RoutingControl.READ,
        )
        for rec in records:
            score = _name_score(search.value, rec["given"], rec["family"], rec["other"])
            if score >= threshold:
                scores[rec["person_id"]] = max(score, scores.get(rec["person_id"], 0.0))
    else:
        if search.kind == "date_of_birth":
            records, _, _ = driver.execute_query(
                _BY_DOB, dob=search.dob, database_=database, routing_=neo4j.RoutingControl.READ
            )
        else:
            records, _, _ = driver.execute_query(
                _BY_IDENTIFIER[search.kind],
                value=search.value,
                database_=database,
                routing_=neo4j.RoutingControl.READ,
            )
        scores = {rec["p"]["person_id"]: 1.0 for rec in records}
    if not scores:
        return []
    details, _, _ = driver.execute_query(
        _DETAILS, ids=list(scores), database_=database, routing_=neo4j.RoutingControl.READ
    )
    out: list[dict[str, Any]] = []
    for rec in details:
        dob = _native(rec["dob"]) or _most_common(_native(d) for d in rec["dobs"])
        edd = _native(rec["edd"])
        unborn = bool(rec["unborn"]) or (dob is None and edd is not None)
        age = age_on(dob, today)
        is_child = unborn or (age is not None and age < CHILD_AGE)
        if not is_child and not include_adults:
            continue
        postcode = _most_common(rec["postcodes"])
        out.append(
            {
                "person_id": rec["person_id"],
                "given_name": _most_common(rec["givens"]),
                "family_name": _most_common(rec["families"]),
                "date_of_birth": dob.isoformat() if dob else None,
                "expected_date_of_birth": edd.isoformat() if edd else None,
                "age": age,
                "unborn": unborn,
                "area": rec["area"] or (postcode.split(" ")[0] if postcode else None),
                "agencies": sorted(set(rec["agencies"])),
                "score": round(scores[rec["person_id"]], 3),
            }
        )
    out.sort(key=lambda r: (-r["score"], r["family_name"] or "", r["given_name"] or ""))
    return out[:MAX_RESULTS]
