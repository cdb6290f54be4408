"""Name, place and date pools for the synthetic county, built once per run.

Faker (en_GB) supplies the name lists and seeds the street names; after that everything is drawn from these
pools with numpy / random, which is fast and deterministic for a seed. The county, its towns and postcodes
are fictional: postcode areas JG and JW do not exist in the UK, the LA number is 999 (no English LA has it),
school URNs start 9, NHS numbers start 999 (a range used for test numbers, never a real patient's).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from faker import Faker
from faker.providers.person.en_GB import Provider as PersonProvider

EPOCH = date(1970, 1, 1)


def day_of(d: date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


class DateText:
    """Day number -> text, through a lookup table (fast for millions of dates)."""

    def __init__(self, first: date, last: date) -> None:
        self.base = day_of(first)
        n = (last - first).days + 1
        days = [first + timedelta(days=i) for i in range(n)]
        self.iso = [d.isoformat() for d in days]
        self.uk = [d.strftime("%d/%m/%Y") for d in days]
        self.n = n

    def iso_of(self, day: int) -> str:
        i = day - self.base
        if i < 0:
            raise IndexError(f"day {day} before the date table")
        return self.iso[i]

    def uk_of(self, day: int) -> str:
        i = day - self.base
        if i < 0:
            raise IndexError(f"day {day} before the date table")
        return self.uk[i]


# --- names --------------------------------------------------------------------------------------------------

NICKNAMES: dict[str, tuple[str, ...]] = {
    "William": ("Bill", "Will", "Billy"),
    "Robert": ("Bob", "Rob", "Robbie"),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy"),
    "Thomas": ("Tom", "Tommy"),
    "James": ("Jim", "Jamie", "Jimmy"),
    "Jessica": ("Jess",),
    "Alexander": ("Alex", "Xander"),
    "Alexandra": ("Alex", "Lexi"),
    "Samuel": ("Sam", "Sammy"),
    "Samantha": ("Sam", "Sammie"),
    "Daniel": ("Dan", "Danny"),
    "Michael": ("Mike", "Mick", "Mikey"),
    "Christopher": ("Chris",),
    "Christine": ("Chris", "Chrissie"),
    "Matthew": ("Matt",),
    "Joseph": ("Joe", "Joey"),
    "Jonathan": ("Jon", "Jonny"),
    "Benjamin": ("Ben", "Benji"),
    "Katherine": ("Kate", "Katie", "Kath"),
    "Catherine": ("Cath", "Cathy", "Kate"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Jennifer": ("Jenny", "Jen"),
    "Charlotte": ("Charlie", "Lottie"),
    "Abigail": ("Abbie", "Abby"),
    "Nicholas": ("Nick", "Nicky"),
    "Anthony": ("Tony", "Ant"),
    "Richard": ("Rich", "Richie"),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Stephen": ("Steve",),
    "Steven": ("Steve",),
    "Andrew": ("Andy", "Drew"),
    "Deborah": ("Debbie", "Deb"),
    "Susan": ("Sue", "Susie"),
    "Patricia": ("Trish", "Pat"),
    "Kimberley": ("Kim",),
    "Gareth": ("Gaz",),
    "Harriet": ("Hattie",),
    "Frederick": ("Fred", "Freddie"),
    "Oliver": ("Ollie",),
    "Joshua": ("Josh",),
    "Zachary": ("Zach",),
    "Nathan": ("Nath", "Nate"),
    "Jacob": ("Jake",),
    "Eleanor": ("Ellie", "Nell"),
    "Gemma": ("Gem",),
    "Danielle": ("Dani",),
    "Stephanie": ("Steph",),
    "Natalie": ("Nat",),
    "Leonard": ("Len", "Lenny"),
    "Gregory": ("Greg",),
    "Timothy": ("Tim",),
    "Terence": ("Terry",),
    "Kenneth": ("Ken", "Kenny"),
    "Donald": ("Don",),
    "Ronald": ("Ron", "Ronnie"),
    "Lewis": ("Lew",),
    "Francesca": ("Fran", "Frankie"),
    "Amelia": ("Millie", "Amy"),
    "Isabella": ("Bella", "Izzy"),
    "Gabriel": ("Gabe",),
    "Joanne": ("Jo",),
    "Josephine": ("Jo", "Josie"),
    "Jacqueline": ("Jackie",),
    "Sophie": ("Soph",),
    "Georgia": ("Georgie",),
    "Harry": ("Haz",),
    "Henry": ("Harry", "Hal"),
    "Amanda": ("Mandy",),
    "Leanne": ("Lea",),
    "Shannon": ("Shan",),
}

FORENAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Stephen", "Steven"),
    ("Katherine", "Catherine", "Kathryn"),
    ("Jon", "John"),
    ("Sara", "Sarah"),
    ("Leah", "Lea"),
    ("Aimee", "Amy"),
    ("Philip", "Phillip"),
    ("Jeffrey", "Geoffrey"),
    ("Megan", "Meghan"),
    ("Zoe", "Zoey"),
    ("Connor", "Conor"),
    ("Lindsay", "Lindsey"),
    ("Jayden", "Jaden", "Jaiden"),
    ("Kayleigh", "Kayley", "Kaylee"),
    ("Ellie", "Elly"),
    ("Mohammed", "Muhammad", "Mohammad"),
    ("Aleksander", "Alexander"),
    ("Ann", "Anne"),
    ("Graham", "Grahame"),
    ("Rachael", "Rachel"),
    ("Sean", "Shaun", "Shawn"),
    ("Louise", "Luise"),
    ("Carl", "Karl"),
    ("Nicola", "Nichola"),
)
SURNAME_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Smith", "Smyth"),
    ("Thompson", "Thomson"),
    ("Phillips", "Philips"),
    ("Clark", "Clarke"),
    ("Reid", "Read", "Reed"),
    ("Stevens", "Stephens"),
    ("Macdonald", "McDonald", "MacDonald"),
    ("Davies", "Davis"),
    ("Matthews", "Mathews"),
    ("Gray", "Grey"),
    ("Mackenzie", "McKenzie"),
    ("Thomas", "Tomas"),
    ("Johnson", "Johnston", "Jonson"),
    ("Anderson", "Andersen"),
    ("Harris", "Harriss"),
    ("Hughes", "Hewes"),
    ("Brown", "Browne"),
    ("Lloyd", "Loyd"),
    ("Kowalski", "Kowalsky"),
    ("Nowak", "Novak"),
)

# small extra pools so names follow ethnicity a little (the Faker en_GB lists are mostly Anglo)
EXTRA_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "south_asian": (
        ("Mohammed", "Ali", "Hassan", "Imran", "Arjun", "Rohan", "Zain", "Ayaan", "Omar", "Bilal", "Ravi"),
        ("Aisha", "Fatima", "Priya", "Zara", "Amira", "Noor", "Anika", "Maryam", "Sana", "Hafsa", "Riya"),
        ("Khan", "Hussain", "Ahmed", "Patel", "Begum", "Shah", "Iqbal", "Singh", "Akhtar", "Rahman", "Kaur"),
    ),
    "african": (
        ("Kwame", "Chidi", "Tunde", "Kofi", "Emeka", "Samuel", "Daniel", "Joseph", "Ade", "Yusuf"),
        ("Ama", "Chioma", "Adaeze", "Grace", "Blessing", "Esther", "Abena", "Folake", "Ngozi", "Mercy"),
        ("Okafor", "Mensah", "Adeyemi", "Osei", "Okonkwo", "Boateng", "Owusu", "Nwosu", "Abiodun", "Asante"),
    ),
    "east_european": (
        ("Jakub", "Kacper", "Mateusz", "Andrei", "Piotr", "Tomasz", "Marek", "Lukas", "Adrian", "Pawel"),
        ("Zuzanna", "Julia", "Natalia", "Maja", "Ioana", "Agnieszka", "Oliwia", "Alicja", "Elena", "Marta"),
        ("Kowalski", "Nowak", "Wisniewski", "Popescu", "Kaminski", "Lewandowski", "Zielinski", "Novak"),
    ),
}
ETHNICITY_WEIGHTS: dict[str, float] = {
    "WBRI": 0.74,
    "WIRI": 0.01,
    "WOTH": 0.05,
    "WROM": 0.004,
    "WIRT": 0.002,
    "MWBC": 0.02,
    "MWBA": 0.01,
    "MWAS": 0.015,
    "MOTH": 0.01,
    "AIND": 0.03,
    "APKN": 0.035,
    "ABAN": 0.012,
    "AOTH": 0.01,
    "BCRB": 0.01,
    "BAFR": 0.025,
    "BOTH": 0.004,
    "CHNE": 0.006,
    "OOTH": 0.006,
    "REFU": 0.002,
    "NOBT": 0.004,
}
ETHNIC_POOL = {
    "AIND": "south_asian",
    "APKN": "south_asian",
    "ABAN": "south_asian",
    "AOTH": "south_asian",
    "BAFR": "african",
    "BOTH": "african",
    "WOTH": "east_european",
    "WROM": "east_european",
}

UK_STREET_SUFFIXES = (
    "Road",
    "Street",
    "Lane",
    "Close",
    "Avenue",
    "Drive",
    "Way",
    "Crescent",
    "Gardens",
    "Grove",
    "Place",
    "Court",
    "Terrace",
    "Walk",
    "Mews",
    "Rise",
    "Green",
    "Hill",
    "View",
    "Row",
)

TOWNS: tuple[tuple[str, str], ...] = (
    ("Ashby Marsh", "JG1"),
    ("Kingsbridge Vale", "JG2"),
    ("Hollowford", "JG3"),
    ("Easton Parva", "JG4"),
    ("Thornwick", "JG5"),
    ("Saltmere", "JG6"),
    ("Redcross", "JG7"),
    ("Brackenfield", "JG8"),
    ("Westmoor", "JW1"),
    ("Lowerby", "JW2"),
    ("Garrowby", "JW3"),
    ("Fennick", "JW4"),
    ("Oakhurst Green", "JW5"),
    ("Staplecombe", "JW6"),
)
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Pools:
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    surname_p: np.ndarray
    extra: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]
    streets: tuple[str, ...]
    street_town: np.ndarray  # street -> town index
    street_postcodes: tuple[tuple[str, ...], ...]  # street -> postcodes by block of 20 house numbers
    variants: dict[str, tuple[str, ...]]
    surname_variants: dict[str, tuple[str, ...]]


def build_pools(seed: int, n_streets: int) -> Pools:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    male = tuple(dict.fromkeys(PersonProvider.first_names_male))
    female = tuple(dict.fromkeys(PersonProvider.first_names_female))
    last = PersonProvider.last_names
    surnames = tuple(last)
    weights = np.array([float(last[s]) for s in surnames])
    surname_p = weights / weights.sum()
    rnd = random.Random(seed * 7919 + 17)
    streets: list[str] = []
    seen: set[str] = set()
    prefixes = ("Upper ", "Lower ", "New ", "Old ", "North ", "South ", "East ", "West ", "Little ")
    tries = 0
    while len(streets) < n_streets:
        tries += 1
        if tries > n_streets * 50:
            raise RuntimeError(f"cannot make {n_streets} distinct street names")
        stem = fake.last_name() if rnd.random() < 0.7 else fake.first_name()
        name = f"{stem} {rnd.choice(UK_STREET_SUFFIXES)}"
        if name in seen:
            name = rnd.choice(prefixes) + name
        if name not in seen:
            seen.add(name)
            streets.append(name)
    street_town = np.array([rnd.randrange(len(TOWNS)) for _ in streets], dtype=np.int32)
    # each town has several postcode districts (JG1-JG4 for the first town...), 4,000 units each
    used_pc: set[str] = set()
    street_postcodes: list[tuple[str, ...]] = []
    districts = max(4, -(-n_streets * 12 * 2 // (len(TOWNS) * 4000)))
    for s_idx in range(len(streets)):
        town = int(street_town[s_idx])
        area = TOWNS[town][1][:2]
        first = town * districts + 1
        codes: list[str] = []
        tries = 0
        while len(codes) < 12:
            tries += 1
            if tries > 10_000:
                raise RuntimeError("ran out of synthetic postcodes")
            district = first + rnd.randrange(districts)
            pc = f"{area}{district} {rnd.randrange(10)}{rnd.choice(INWARD_LETTERS)}{rnd.choice(INWARD_LETTERS)}"
            if pc not in used_pc:
                used_pc.add(pc)
                codes.append(pc)
        street_postcodes.append(tuple(codes))
    variants: dict[str, tuple[str, ...]] = {}
    for group in FORENAME_VARIANTS:
        for name in group:
            variants[name] = tuple(x for x in group if x != name)
    surname_variants: dict[str, tuple[str, ...]] = {}
    for group in SURNAME_VARIANTS:
        for name in group:
            surname_variants[name] = tuple(x for x in group if x != name)
    return Pools(
        male=male,
        female=female,
        surnames=surnames,
        surname_p=surname_p,
        extra=EXTRA_NAMES,
        streets=tuple(streets),
        street_town=street_town,
        street_postcodes=tuple(street_postcodes),
        variants=variants,
        surname_variants=surname_variants,
    )


# --- identifiers ------------------------------------------------------------------------------------------

_NHS_W = np.array([10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)


def nhs_numbers(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct valid NHS numbers from the 999 test range (then 998, 997... if ever needed)."""
    out: list[str] = []
    prefix = 999
    while len(out) < n:
        want = min(1_000_000, int((n - len(out)) * 1.15) + 1000)
        body = rng.choice(1_000_000, size=want, replace=False).astype(np.int64)
        stems = prefix * 1_000_000 + body
        digits = np.stack([(stems // 10 ** (8 - i)) % 10 for i in range(9)], axis=1)
        check = 11 - (digits @ _NHS_W) % 11
        check[check == 11] = 0
        ok = check != 10
        vals = stems[ok] * 10 + check[ok]
        out.extend(str(v) for v in vals[: n - len(out)])
        prefix -= 1
    return out
