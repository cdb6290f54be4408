"""Seeded SYNTHETIC agency records of families, with the noise real extracts carry, and their truth.

For the resolution tests and as a stand-in benchmark until the synthetic county (``jigsaw synth``) is
available: every name, date, address and identifier here is made up. Noise: nicknames and spelling
variants, typos, day/month transposed dates of birth, missing fields, old addresses, mistyped NHS
numbers. Traps: twins (same date of birth, surname and address), fathers and sons with the same name,
unborn babies recorded by maternity before birth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd

from graph.model import GraphRows, Provenance, ResidenceRow, SourceRecordRow, normalise_address
from ingest.resolution.names import NICKNAME_GROUPS

MALE = (
    "oliver george harry noah jack leo arthur muhammad oscar charlie jacob thomas henry william james "
    "joshua freddie alfie archie theo isaac alexander daniel samuel joseph edward max logan lucas adam "
    "ethan mason dylan harrison reuben jayden tyler callum kieran connor liam ryan lewis nathan jordan "
    "michael christopher matthew andrew david richard robert stephen mark paul anthony simon craig lee "
    "darren wayne dean gary jason shaun carl ashley aaron bradley kyle jamie ben owen rhys"
).split()
FEMALE = (
    "olivia amelia isla ava ivy freya lily florence mia willow rosie sophia isabella grace daisy sienna "
    "poppy elsie emily ella evelyn phoebe sofia evie charlotte harper millie matilda maya sophie alice "
    "emma jessica chloe lucy megan hannah lauren holly ellie abigail amy katie bethany shannon jade "
    "kayleigh chelsea courtney paige leah danielle gemma natalie rebecca sarah laura rachel nicola "
    "michelle lisa claire kelly donna joanne stacey samantha victoria catherine elizabeth margaret"
).split()
SURNAMES = (
    "smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson thompson "
    "wright walker white edwards hughes green hall lewis harris clarke patel jackson wood turner martin "
    "cooper hill ward morris moore clark lee king baker harrison morgan allen james scott phillips watson "
    "davis parker price bennett young griffiths mitchell kelly cook carter richardson bailey collins bell "
    "shaw murphy miller cox richards khan marshall anderson simpson ellis adams singh begum wilkinson foster "
    "chapman powell webb rogers gray mason ali hunt hussain campbell matthews owen palmer holmes mills "
    "barnes knight lloyd butler russell barker fisher stevens jenkins murray dixon harvey graham pearson "
    "ahmed fletcher walsh kaur gibson howard andrews stewart elliott reynolds saunders payne fox ford "
    "pearce day brooks west lawrence cole atkinson bradley spencer gill dawson ball burton obrien watts "
    "rose booth perry ryan grant wells armstrong francis rees hayes hart hudson newman barrett webster "
    "hunter gregory carr lowe page marsh riley dunn woods parsons berry stone reid holland hawkins "
    "harding porter robertson newton oconnor kennedy smyth"
).split()
STREETS = (
    "High Street, Station Road, Church Lane, Victoria Road, Green Lane, Manor Road, Park Avenue, "
    "Mill Lane, Kings Road, Queens Road, New Road, Grange Road, Albert Street, Springfield Road, "
    "Windsor Close, Orchard Way, Chestnut Grove, Beech Avenue, Elm Street, Meadow View"
).split(", ")
DISTRICTS = ("B86", "B87", "B88", "B90", "B91", "B92", "B93", "B94")
# spelling variants agencies produce for the same surname
SURNAME_VARIANTS = {"smith": "smyth", "smyth": "smith", "thompson": "thomson", "clarke": "clark",
                    "davies": "davis", "phillips": "philips", "mathews": "matthews", "reid": "reed",
                    "stewart": "stuart", "obrien": "o'brien", "oconnor": "o'connor"}  # fmt: skip
# how often each agency holds the person's NHS number
NHS_HELD = {"health": 1.0, "csc": 0.7, "early_help": 0.5, "education": 0.2}
AGENCY_TABLE = {
    "police": "persons",
    "health": "patients",
    "csc": "persons",
    "education": "pupils",
    "early_help": "persons",
    "probation": "cases",
    "housing": "occupants",
    "third_sector": "contacts",
}


def _zipf(n: int, offset: float) -> list[float]:
    total, out = 0.0, []
    for rank in range(n):
        total += 1 / (rank + offset)
        out.append(total)
    return out


_SURNAME_WEIGHTS = _zipf(len(SURNAMES), 8)
_MALE_WEIGHTS = _zipf(len(MALE), 4)
_FEMALE_WEIGHTS = _zipf(len(FEMALE), 4)


def _nhs_number(rng: random.Random) -> str:
    weights = (10, 9, 8, 7, 6, 5, 4, 3, 2)
    while True:
        digits = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def _upn(rng: random.Random) -> str:
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ"
    body = f"{rng.randrange(800, 940):03d}{rng.randrange(2000, 7000):04d}{rng.randrange(10, 25):02d}"
    body += f"{rng.randrange(1000):03d}"
    total = sum(w * int(c) for w, c in enumerate(body, start=2))
    return alphabet[total % 23] + body


def _pnc(rng: random.Random, year: int) -> str:
    alphabet = "ZABCDEFGHJKLMNPQRTUVWXY"
    serial = f"{rng.randrange(1, 9_999_999):07d}"
    return f"{year:04d}/{serial}{alphabet[int(str(year)[-2:] + serial) % 23]}"


@dataclass
class SimPerson:
    person_id: str
    given: str
    middle: str | None
    family: str
    sex: str
    dob: date | None
    expected: date | None
    nhs: str | None
    upn: str | None = None
    la_id: str | None = None
    pnc: str | None = None
    addresses: list[tuple[str, str]] = field(default_factory=list)  # (line, postcode), newest first
    agencies: list[str] = field(default_factory=list)


@dataclass
class Simulation:
    records: pd.DataFrame  # RECORD_COLUMNS, plus true_person_id
    truth: pd.DataFrame  # record_key, true_person_id

    def graph_rows(self, learnt_at: datetime | None = None) -> GraphRows:
        return records_to_graph_rows(self.records, learnt_at)


class Simulator:
    """Families in a made-up county, each person recorded by the agencies that would know them."""

    def __init__(self, seed: int, reference: date, noise: float = 1.0) -> None:
        self.rng = random.Random(seed)
        self.reference = reference
        self.noise = noise
        self.people: list[SimPerson] = []
        self._n = 0

    # --- people -----------------------------------------------------------------------------------
    def _id(self) -> str:
        self._n += 1
        return f"T{self._n:07d}"

    def _address(self) -> tuple[str, str]:
        rng = self.rng
        district = rng.choice(DISTRICTS)
        postcode = f"{district} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        return f"{rng.randrange(1, 200)} {rng.choice(STREETS)}", postcode

    def _surname(self) -> str:
        # Zipf-like: common surnames are common, so that unrelated people share them
        return self.rng.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]

    def _given(self, sex: str, avoid: set[str] = frozenset()) -> str:  # type: ignore[assignment]
        pool, weights = (MALE, _MALE_WEIGHTS) if sex == "m" else (FEMALE, _FEMALE_WEIGHTS)
        while True:
            name = self.rng.choices(pool, cum_weights=weights)[0]
            if name not in avoid:
                return name

    def _dob(self, age_low: float, age_high: float) -> date:
        days = self.rng.uniform(age_low * 365.25, age_high * 365.25)
        return self.reference - timedelta(days=int(days))

    def _person(self, sex: str, family: str, dob: date | None, *, given: str | None = None,
                expected: date | None = None, addresses: list[tuple[str, str]] | None = None,
                avoid: set[str] = frozenset()) -> SimPerson:  # type: ignore[assignment]  # fmt: skip
        rng = self.rng
        middle = self._given(sex) if rng.random() < 0.6 else None
        person = SimPerson(
            self._id(), given or self._given(sex, avoid), middle, family, sex, dob, expected,
            _nhs_number(rng) if rng.random() < 0.97 else None, addresses=list(addresses or []),
        )  # fmt: skip
        self.people.append(person)
        return person

    def family(self) -> list[SimPerson]:
        """A mother, often a partner, 0-4 children (sometimes twins), sometimes an unborn baby."""
        rng = self.rng
        home = [self._address() for _ in range(rng.choice((1, 1, 2, 3)))]
        family_name = self._surname()
        mother = self._person("f", family_name, self._dob(19, 45), addresses=home)
        members = [mother]
        if rng.random() < 0.7:
            partner_name = family_name if rng.random() < 0.6 else self._surname()
            partner = self._person("m", partner_name, self._dob(20, 50), addresses=home[:1])
            members.append(partner)
        mother_age = (self.reference - (mother.dob or self.reference)).days / 365.25
        n_children = rng.choice((0, 1, 1, 2, 2, 3, 4))
        used = {m.given for m in members}  # children are not named after a parent (but see below)
        double = len(members) > 1 and members[1].family != family_name and rng.random() < 0.3
        children_name = f"{family_name}-{members[1].family}" if double else family_name
        for _ in range(n_children):
            age = rng.uniform(0, min(17.9, max(mother_age - 16, 0.1)))
            sex = rng.choice("mf")
            child = self._person(sex, children_name, self._dob(age, age + 0.01), addresses=home, avoid=used)
            used.add(child.given)
            members.append(child)
            if age < 1.5 and rng.random() < 0.5 and child.dob:  # maternity's record from before the birth
                child.expected = child.dob + timedelta(days=rng.randrange(-21, 22))
            if rng.random() < 0.04:  # twins: same dob, surname, address; a different first name
                twin_sex = rng.choice("mf")
                twin = self._person(twin_sex, family_name, child.dob, addresses=home, avoid=used)
                used.add(twin.given)
                members.append(twin)
        if len(members) > 1 and members[1].sex == "m" and rng.random() < 0.08:
            # a son named after his father: same given and family name, a generation apart
            father = members[1]
            son = self._person("m", father.family, self._dob(0, 17), given=father.given, addresses=home)
            members.append(son)
        if rng.random() < 0.08 and mother_age < 42:
            expected = self.reference + timedelta(days=rng.randrange(10, 200))
            members.append(self._person(rng.choice("mf"), family_name, None, expected=expected,
                                        addresses=home[:1]))  # fmt: skip
        for member in members:
            self._identifiers(member)
        return members

    def _identifiers(self, p: SimPerson) -> None:
        rng = self.rng
        age = (self.reference - p.dob).days / 365.25 if p.dob else -1.0
        if p.dob is None:  # unborn: maternity (health) knows; CSC if there is a pre-birth concern
            p.agencies = ["health:antenatal"] + (["csc:antenatal"] if rng.random() < 0.5 else [])
            p.nhs = None
            return
        agencies = ["health"] if rng.random() < 0.9 else []
        if 4 <= age < 18:
            p.upn = _upn(rng)
            agencies.append("education")
        if age < 18 and rng.random() < 0.35:
            p.la_id = str(rng.randrange(100000, 999999))
            agencies.append("csc")
        if age >= 18 and rng.random() < 0.25:
            agencies.append("csc")  # a parent in the family's CSC record
        offender = (age >= 18 and rng.random() < (0.25 if p.sex == "m" else 0.08)) or (
            12 <= age < 18 and rng.random() < 0.05
        )
        if offender:
            p.pnc = _pnc(rng, max(p.dob.year + 14, 1995))
            agencies.append("police")
        elif rng.random() < 0.15:
            agencies.append("police")  # victim, witness, present at an incident
        if age < 18 and rng.random() < 0.1:
            agencies.append("early_help")
        if age >= 18 and offender and rng.random() < 0.4:
            agencies.append("probation")
        if age >= 18 and rng.random() < 0.1:
            agencies.append("housing")
        if rng.random() < 0.05:
            agencies.append("third_sector")
        if not agencies:
            agencies.append("health")
        if p.expected is not None:
            agencies.append("health:antenatal")
        if rng.random() < 0.1:  # a second record in the same agency (a duplicate, a re-registration)
            agencies.append(rng.choice(agencies))
        p.agencies = agencies

    # --- records ----------------------------------------------------------------------------------
    def _noisy_given(self, given: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.12 * self.noise:
            variants = NICKNAME_GROUPS.get(given)
            if variants:
                return rng.choice(variants)
            for canonical, nicks in NICKNAME_GROUPS.items():
                if given in nicks:
                    return canonical
        if r < 0.16 * self.noise:
            return _typo(rng, given)
        return given

    def _noisy_family(self, family: str) -> str:
        rng = self.rng
        if "-" in family and rng.random() < 0.3:  # one part of a double-barrelled name
            return rng.choice(family.split("-"))
        r = rng.random()
        if r < 0.05 * self.noise and family in SURNAME_VARIANTS:
            return SURNAME_VARIANTS[family]
        if r < 0.09 * self.noise:
            return _typo(rng, family)
        return family

    def _noisy_dob(self, dob: date | None) -> date | None:
        if dob is None:
            return None
        rng = self.rng
        r = rng.random()
        if r < 0.03 * self.noise and dob.day <= 12 and dob.day != dob.month:
            return date(dob.year, dob.day, dob.month)
        if r < 0.05 * self.noise:
            return dob + timedelta(days=rng.choice((-1, 1, 10, -10)))
        if r < 0.06 * self.noise:
            try:
                return dob.replace(year=dob.year + rng.choice((-1, 1)))
            except ValueError:
                return dob
        if r < 0.09 * self.noise:
            return None
        return dob

    def record(self, p: SimPerson, agency_role: str, seq: int) -> dict[str, Any]:
        rng = self.rng
        noise = self.noise
        agency, _, role = agency_role.partition(":")
        antenatal = role == "antenatal"  # recorded before the birth: an expected date, no name yet
        nhs = p.nhs if rng.random() < NHS_HELD.get(agency, 0.1) and not antenatal else None
        if nhs and rng.random() < 0.02 * noise:
            nhs = _typo_digits(rng, nhs)
        address = p.addresses[0] if p.addresses else (None, None)
        if len(p.addresses) > 1 and rng.random() < 0.4:
            address = rng.choice(p.addresses[1:])  # this agency holds an old address
        if rng.random() < 0.05 * noise:
            address = (None, None)
        elif address[0] and rng.random() < 0.35 * noise:
            address = (_restyle(rng, address[0]), address[1])  # agencies write addresses their own way
        history = [a for a in p.addresses if a != address] if rng.random() < 0.5 else []
        given: str | None = self._noisy_given(p.given)
        sex = p.sex if rng.random() > 0.05 * noise else None
        other = p.middle if (p.middle and rng.random() < 0.5) else None
        if antenatal:
            given = "Baby" if rng.random() < 0.5 else None  # maternity has no first name yet
            other = None
        rid = f"{agency[:2].upper()}{p.person_id[1:]}{seq}"
        return {
            "record_key": f"{agency}|{'maternity' if antenatal else AGENCY_TABLE[agency]}|{rid}",
            "agency": agency,
            "source_record_id": rid,
            "given_name": _cap(given),
            "family_name": _cap(self._noisy_family(p.family)),
            "other_names": _cap(other),
            "date_of_birth": None if antenatal else self._noisy_dob(p.dob),
            "expected_date_of_birth": p.expected,
            "sex": {"m": "M", "f": "F"}.get(sex or "", None),
            "nhs_number": nhs,
            "upn": p.upn if agency == "education" else None,
            "la_child_id": p.la_id if agency == "csc" else None,
            "pnc_id": p.pnc if agency in ("police", "probation") else None,
            "postcode": address[1],
            "address_line": address[0],
            "history_postcodes": [a[1] for a in history],
            "history_lines": [a[0] for a in history],
            "true_person_id": p.person_id,
        }

    def run(self, families: int) -> Simulation:
        rows: list[dict[str, Any]] = []
        for _ in range(families):
            for person in self.family():
                for seq, agency in enumerate(person.agencies):
                    rows.append(self.record(person, agency, seq))
        records = pd.DataFrame(rows)
        return Simulation(records, records[["record_key", "true_person_id"]].copy())


STREET_STYLES = {"Street": "St", "Road": "Rd", "Lane": "Ln", "Avenue": "Ave", "Close": "Cl", "Grove": "Gr"}


def _restyle(rng: random.Random, line: str) -> str:
    """The same address as another agency writes it: abbreviated, with a flat number, or shouted."""
    kind = rng.random()
    if kind < 0.5:
        for full, short in STREET_STYLES.items():
            line = line.replace(full, short)
        return line
    if kind < 0.7:
        return f"Flat {rng.randrange(1, 6)}, {line}"
    return line.upper()


def _cap(value: str | None) -> str | None:
    if not value:
        return value
    return "-".join(part[:1].upper() + part[1:] for part in value.split("-"))


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:  # swap two neighbours
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:  # drop one
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]  # replace one


def _typo_digits(rng: random.Random, digits: str) -> str:
    i = rng.randrange(len(digits))
    return digits[:i] + str((int(digits[i]) + rng.randrange(1, 10)) % 10) + digits[i + 1 :]


def simulate(families: int, seed: int, reference: date, noise: float = 1.0) -> Simulation:
    """Records for ``families`` families with ``noise`` (1.0 = the default rates), reproducibly."""
    return Simulator(seed, reference, noise).run(families)


def records_to_graph_rows(records: pd.DataFrame, learnt_at: datetime | None = None) -> GraphRows:
    """SourceRecordRow and LIVED_AT rows for GraphWriter, from a frame in the simulation's shape."""
    learnt = learnt_at or datetime(2026, 1, 1, tzinfo=UTC)
    rows = GraphRows()
    for raw_rec in records.to_dict("records"):
        rec = {k: (v if _present(v) or isinstance(v, list) else None) for k, v in raw_rec.items()}
        agency, table, rid = str(rec["record_key"]).split("|", 2)
        prov = Provenance(agency, table, rid, "synthetic", None, None, "fact", learnt, "resolution-sim")
        raw = {str(k): v for k, v in rec.items() if k not in ("true_person_id",) and _present(v)}
        rows.source_records.append(
            SourceRecordRow(
                prov, raw, rec.get("given_name"), rec.get("family_name"), rec.get("other_names"),
                date_of_birth=_d(rec.get("date_of_birth")), expected_date_of_birth=_d(rec.get("expected_date_of_birth")),
                sex=rec.get("sex"), nhs_number=rec.get("nhs_number"), upn=rec.get("upn"),
                la_child_id=rec.get("la_child_id"), pnc_id=rec.get("pnc_id"), postcode=rec.get("postcode"),
                address_line=rec.get("address_line"),
            )
        )  # fmt: skip
        past = zip(rec.get("history_postcodes") or [], rec.get("history_lines") or [], strict=False)
        for postcode, line in past:
            address = normalise_address(line, postcode)
            if address:
                rows.residences.append(ResidenceRow(str(rec["record_key"]), address, prov))
        current = normalise_address(rec.get("address_line"), rec.get("postcode"))
        if current:
            rows.residences.append(ResidenceRow(str(rec["record_key"]), current, prov))
    return rows


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and value != value:
        return False
    if isinstance(value, list) and not value:
        return False
    return True


def _d(value: Any) -> date | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, date) else None
