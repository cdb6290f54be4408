"""How each agency gets people a little wrong: nicknames, spelling variants, typos, transposed day and
month, missing identifiers, old addresses. Every change keeps the value valid for the contract (a noisy date
is still a real date; a postcode is never mangled), so noise never makes a row unloadable: that is the job of
--bad-rows."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ingest.synthetic.pools import NICKNAMES, Pools, date_of, day_of

LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class NoiseRates:
    nickname: float = 0.0
    variant: float = 0.0
    typo: float = 0.0
    old_surname: float = 0.0  # a woman recorded under her birth surname
    transpose: float = 0.0  # day and month swapped
    dob_typo: float = 0.0  # a day or a year off
    dob_missing: float = 0.0
    id_missing: float = 0.0  # the agency's copy of a national identifier is missing
    old_address: float = 0.0
    duplicate: float = 0.0  # a second record for the same person in the same agency


AGENCY_NOISE: dict[str, NoiseRates] = {
    "police": NoiseRates(0.15, 0.04, 0.04, 0.05, 0.03, 0.02, 0.06, 0.5, 0.25, 0.04),
    "csc": NoiseRates(0.04, 0.02, 0.02, 0.05, 0.01, 0.01, 0.01, 0.25, 0.15, 0.015),
    "health": NoiseRates(0.01, 0.01, 0.01, 0.02, 0.005, 0.003, 0.0, 0.01, 0.12, 0.004),
    "education": NoiseRates(0.0, 0.01, 0.01, 0.02, 0.005, 0.003, 0.0, 0.01, 0.05, 0.0),
    "early_help": NoiseRates(0.10, 0.03, 0.03, 0.05, 0.02, 0.01, 0.05, 0.6, 0.15, 0.02),
    "probation": NoiseRates(0.05, 0.02, 0.02, 0.02, 0.01, 0.01, 0.0, 0.2, 0.3, 0.0),
    "housing": NoiseRates(0.10, 0.03, 0.03, 0.05, 0.02, 0.02, 0.15, 0.9, 0.0, 0.0),
    "third_sector": NoiseRates(0.35, 0.05, 0.05, 0.1, 0.03, 0.03, 0.0, 1.0, 0.2, 0.0),
}


class Noise:
    def __init__(self, rates: NoiseRates, pools: Pools, rnd: random.Random) -> None:
        self.r = rates
        self.pools = pools
        self.rnd = rnd

    def typo(self, name: str) -> str:
        if len(name) < 4:
            return name
        rnd = self.rnd
        i = rnd.randrange(1, len(name) - 1)
        kind = rnd.randrange(3)
        if kind == 0:  # swap two letters
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if kind == 1:  # drop one
            return name[:i] + name[i + 1 :]
        return name[:i] + rnd.choice(LETTERS) + name[i + 1 :]  # replace one

    def forename(self, name: str, boost: float = 1.0) -> str:
        if not name:
            return name
        rnd, r = self.rnd, self.r
        x = rnd.random()
        if x < r.nickname * boost and name in NICKNAMES:
            return rnd.choice(NICKNAMES[name])
        x = rnd.random()
        if x < r.variant * boost and name in self.pools.variants:
            return rnd.choice(self.pools.variants[name])
        if rnd.random() < r.typo * boost:
            return self.typo(name)
        return name

    def surname(self, name: str, birth_name: str, boost: float = 1.0) -> str:
        rnd, r = self.rnd, self.r
        if birth_name != name and rnd.random() < r.old_surname * boost * 3:
            name = birth_name
        if rnd.random() < r.variant * boost and name in self.pools.surname_variants:
            return rnd.choice(self.pools.surname_variants[name])
        if rnd.random() < r.typo * boost:
            return self.typo(name)
        return name

    def dob(self, day: int, boost: float = 1.0) -> int | None:
        rnd, r = self.rnd, self.r
        if rnd.random() < r.dob_missing * boost:
            return None
        d = date_of(day)
        if rnd.random() < r.transpose * boost and d.day <= 12 and d.day != d.month:
            return day_of(d.replace(day=d.month, month=d.day))
        if rnd.random() < r.dob_typo * boost:
            if rnd.random() < 0.7:
                return day + rnd.choice((-1, 1))
            try:
                return day_of(d.replace(year=d.year + rnd.choice((-1, 1))))
            except ValueError:  # 29 February
                return day + 1
        return day

    def keep_id(self, boost: float = 1.0) -> bool:
        return self.rnd.random() >= self.r.id_missing * boost

    def old_address(self) -> bool:
        return self.rnd.random() < self.r.old_address

    def duplicate(self) -> bool:
        return self.rnd.random() < self.r.duplicate
