"""The true county: people, households, addresses, moves and relationships (before any agency sees them).

Everything is columnar (numpy arrays and lists indexed by person id) so that 200,000 children and their
~240,000 adults are built in seconds. Days are integers (days since 1970-01-01).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ingest.synthetic.config import SynthConfig
from ingest.synthetic.pools import (
    ETHNIC_POOL,
    ETHNICITY_WEIGHTS,
    TOWNS,
    Pools,
    build_pools,
    day_of,
    nhs_numbers,
)

log = logging.getLogger(__name__)

YEAR = 365.25

# roles of people in the county
CHILD, MOTHER, FATHER, ABSENT_FATHER, PARTNER, GRANDPARENT, EX_PARTNER, OTHER_ADULT, UNBORN = range(9)
ROLE_NAMES = (
    "child",
    "mother",
    "father",
    "non_resident_father",
    "mothers_partner",
    "grandparent",
    "ex_partner",
    "other_adult",
    "unborn",
)
LOW, MEDIUM, HIGH = 0, 1, 2

Residence = tuple[int, int, int]  # (address, from day, to day exclusive; to = END for current)
END = 10**6  # "still living there"


@dataclass
class World:
    cfg: SynthConfig
    pools: Pools
    ref: int
    start: int
    # people
    sex: np.ndarray
    dob: np.ndarray
    forename: list[str]
    surname: list[str]
    birth_surname: list[str]
    ethnicity: list[str]
    role: np.ndarray
    hh_of: np.ndarray  # household index, -1 for people living on their own
    nhs: list[str]
    # households
    mother: np.ndarray
    father: np.ndarray  # resident father or -1
    absent_father: np.ndarray
    partner: np.ndarray  # mother's current partner (not a parent) or -1
    partner_from: np.ndarray
    grandparent: np.ndarray
    ex_partner: np.ndarray
    unborn: np.ndarray
    children: list[list[int]]
    need: np.ndarray
    da: np.ndarray
    substance: np.ndarray
    mental_health: np.ndarray
    social_housing: np.ndarray
    hh_res: list[list[Residence]]
    # people living outside a household with children (and partners before they moved in)
    own_res: dict[int, list[Residence]]
    # addresses
    addr_street: np.ndarray
    addr_number: np.ndarray
    addr_flat: np.ndarray
    # true relationships (a, b, type, from day or None, to day or None): a is <type> of b
    rels: list[tuple[int, int, str, int | None, int | None]] = field(default_factory=list)
    upn: dict[int, str] = field(default_factory=dict)
    pnc: dict[int, str] = field(default_factory=dict)
    others: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n(self) -> int:
        return len(self.forename)

    @property
    def n_hh(self) -> int:
        return len(self.children)

    def new_address(self, rng: np.random.Generator) -> int:
        """One more address (used by the planted patterns)."""
        s = int(rng.integers(len(self.pools.streets)))
        number = 200 + int(rng.integers(1, 400))
        self.addr_street = np.append(self.addr_street, s)
        self.addr_number = np.append(self.addr_number, number)
        self.addr_flat = np.append(self.addr_flat, 0)
        return len(self.addr_street) - 1

    def address_line(self, a: int) -> str:
        street = self.pools.streets[int(self.addr_street[a])]
        town = TOWN_NAMES[int(self.pools.street_town[int(self.addr_street[a])])]
        flat = int(self.addr_flat[a])
        prefix = f"Flat {flat}, " if flat else ""
        return f"{prefix}{int(self.addr_number[a])} {street}, {town}"

    def address_parts(self, a: int) -> tuple[int, int, str, str]:
        s = int(self.addr_street[a])
        return (
            int(self.addr_flat[a]),
            int(self.addr_number[a]),
            self.pools.streets[s],
            TOWN_NAMES[int(self.pools.street_town[s])],
        )

    def postcode(self, a: int) -> str:
        s = int(self.addr_street[a])
        codes = self.pools.street_postcodes[s]
        return codes[min(int(self.addr_number[a]) // 20, len(codes) - 1)]

    def town_of(self, a: int) -> int:
        return int(self.pools.street_town[int(self.addr_street[a])])

    def uprn(self, a: int) -> str:
        return str(100_000_000_000 + a)

    def residences(self, pid: int) -> list[Residence]:
        own = self.own_res.get(pid)
        h = int(self.hh_of[pid])
        if h < 0:
            return own or []
        res = self.hh_res[h]
        born = int(self.dob[pid])
        if self.role[pid] == CHILD and born > res[0][1]:
            res = [(a, max(f, born), t) for a, f, t in res if t > born]
        if own:
            cut = max(f for _, f, _ in own) if self.role[pid] != PARTNER else int(self.partner_from[h])
            joined = [(a, max(f, cut), t) for a, f, t in res if t > cut]
            return [*own, *joined]
        return res

    def address_at(self, pid: int, day: int) -> int:
        res = self.residences(pid)
        for a, f, t in res:
            if f <= day < t:
                return a
        return res[-1][0] if day >= res[-1][1] else res[0][0]

    def current_address(self, pid: int) -> int:
        return self.residences(pid)[-1][0]

    def previous_address(self, pid: int) -> int | None:
        res = self.residences(pid)
        return res[-2][0] if len(res) > 1 else None

    def age_years(self, pid: int, day: int) -> float:
        return (day - int(self.dob[pid])) / YEAR

    def household_members(self, h: int, day: int) -> list[int]:
        """Who lived in household h on that day (mother, resident father, partner once moved in, children
        already born)."""
        out: list[int] = []
        for p in (int(self.mother[h]), int(self.father[h])):
            if p >= 0:
                out.append(p)
        p = int(self.partner[h])
        if p >= 0 and day >= int(self.partner_from[h]):
            out.append(p)
        out.extend(c for c in self.children[h] if int(self.dob[c]) <= day)
        return out

    def add_person(
        self,
        sex: str,
        dob: int,
        forename: str,
        surname: str,
        role: int,
        hh: int = -1,
        ethnicity: str = "WBRI",
    ) -> int:
        """Add one person (used by the planted patterns); returns the new person id."""
        pid = self.n
        self.sex = np.append(self.sex, sex)
        self.dob = np.append(self.dob, dob)
        self.forename.append(forename)
        self.surname.append(surname)
        self.birth_surname.append(surname)
        self.ethnicity.append(ethnicity)
        self.role = np.append(self.role, role)
        self.hh_of = np.append(self.hh_of, hh)
        self.nhs.append(_extra_nhs(self, pid))
        return pid


TOWN_NAMES: tuple[str, ...] = tuple(t for t, _ in TOWNS)


def _extra_nhs(world: World, pid: int) -> str:
    """A number for someone added after the bulk draw: 990xxxxxxx (pid * 10 + k), distinct from the bulk
    999 range and from each other."""
    from ingest.contract.identifiers import nhs_check_digit

    for k in range(10):
        stem = 990_000_000 + pid * 10 + k
        if stem >= 998_000_000:
            break
        check = nhs_check_digit(f"{stem:09d}")
        if check is not None:
            return f"{stem:09d}{check}"
    raise ValueError(f"no synthetic NHS number left for person {pid}")


def _names(
    rng: np.random.Generator, pools: Pools, sex: np.ndarray, eth: list[str]
) -> tuple[list[str], list[str]]:
    n = len(sex)
    male = np.array(pools.male)
    female = np.array(pools.female)
    fn_m = male[rng.integers(len(male), size=n)]
    fn_f = female[rng.integers(len(female), size=n)]
    forenames = np.where(sex == "M", fn_m, fn_f).tolist()
    surnames = np.array(pools.surnames)[rng.choice(len(pools.surnames), size=n, p=pools.surname_p)].tolist()
    for i, e in enumerate(eth):
        pool = ETHNIC_POOL.get(e)
        if pool is not None and rng.random() < 0.85:
            m, f, s = pools.extra[pool]
            forenames[i] = m[int(rng.integers(len(m)))] if sex[i] == "M" else f[int(rng.integers(len(f)))]
            surnames[i] = s[int(rng.integers(len(s)))]
    return forenames, surnames


def build_world(cfg: SynthConfig, rng: np.random.Generator) -> World:
    ref = day_of(cfg.reference_date)
    start = ref - int(cfg.years * YEAR)
    n_children = cfg.children

    # households and how many children each has
    sizes = rng.choice([1, 2, 3, 4, 5], p=[0.40, 0.36, 0.16, 0.06, 0.02], size=n_children)
    cum = np.cumsum(sizes)
    n_hh = int(np.searchsorted(cum, n_children) + 1)
    sizes = sizes[:n_hh].copy()
    sizes[-1] -= int(cum[n_hh - 1] - n_children)
    if sizes[-1] <= 0:
        sizes = sizes[:-1]
        n_hh -= 1
    need = rng.choice([LOW, MEDIUM, HIGH], p=[0.84, 0.12, 0.04], size=n_hh).astype(np.int8)

    # children's ages: the youngest, then gaps
    youngest = rng.uniform(0.05, 15.5, size=n_hh) * YEAR
    hh_of_child = np.repeat(np.arange(n_hh), sizes)
    rank = np.arange(n_children) - np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    gaps = (1.1 + rng.gamma(2.0, 0.9, size=n_children)) * YEAR
    gaps[rng.random(n_children) < 0.015] = 0.0  # twins
    gaps[rank == 0] = 0.0
    cumgap = np.zeros(n_children)
    order_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    for k in range(1, int(sizes.max())):
        idx = order_start[sizes > k] + k
        cumgap[idx] = cumgap[idx - 1] + gaps[idx]
    age_days = youngest[hh_of_child] + cumgap
    cap = 17.9 * YEAR - rank * 0.0
    too_old = age_days > cap
    age_days[too_old] = rng.uniform(youngest[hh_of_child[too_old]], cap[too_old])
    child_dob = (ref - age_days).astype(np.int64)
    eldest_age = np.zeros(n_hh)
    np.maximum.at(eldest_age, hh_of_child, age_days)

    # adults of each household
    has_mother = rng.random(n_hh) < 0.97
    has_father = rng.random(n_hh) < 0.55
    has_father[~has_mother] = True
    absent = ~has_father & (rng.random(n_hh) < 0.70)
    has_partner = ~has_father & (rng.random(n_hh) < 0.28)
    has_gp = rng.random(n_hh) < 0.16
    has_ex = has_mother & (rng.random(n_hh) < np.where(need == HIGH, 0.35, 0.08))
    da = rng.random(n_hh) < np.select([need == HIGH, need == MEDIUM], [0.55, 0.18], 0.01)
    substance = rng.random(n_hh) < np.select([need == HIGH, need == MEDIUM], [0.35, 0.12], 0.01)
    mental = rng.random(n_hh) < np.select([need == HIGH, need == MEDIUM], [0.40, 0.20], 0.03)
    social = rng.random(n_hh) < np.select([need == HIGH, need == MEDIUM], [0.65, 0.40], 0.14)

    m_age_youngest = np.maximum(rng.uniform(18, 42, size=n_hh), (eldest_age - youngest) / YEAR + 16.5)
    mother_dob = (ref - youngest - m_age_youngest * YEAR).astype(np.int64)
    father_dob = (mother_dob - rng.normal(2.5, 4.0, size=n_hh) * YEAR).astype(np.int64)
    father_dob = np.minimum(father_dob, (ref - eldest_age - 16.5 * YEAR).astype(np.int64))
    partner_dob = (mother_dob - rng.normal(1.0, 6.0, size=n_hh) * YEAR).astype(np.int64)
    partner_dob = np.minimum(partner_dob, ref - int(19 * YEAR))
    gp_dob = (mother_dob - rng.uniform(18, 34, size=n_hh) * YEAR).astype(np.int64)
    ex_dob = (mother_dob - rng.normal(2.0, 5.0, size=n_hh) * YEAR).astype(np.int64)
    ex_dob = np.minimum(ex_dob, ref - int(19 * YEAR))

    # person table: children first (ids 0..n_children-1), then adults by kind
    sex_list: list[np.ndarray] = [np.where(rng.random(n_children) < 0.512, "M", "F")]
    dob_list: list[np.ndarray] = [child_dob]
    role_list: list[np.ndarray] = [np.full(n_children, CHILD, dtype=np.int8)]
    hh_list: list[np.ndarray] = [hh_of_child.astype(np.int32)]
    next_id = n_children
    slots: dict[str, np.ndarray] = {}

    def add(mask: np.ndarray, dob: np.ndarray, sex: str, role: int, resident: bool) -> np.ndarray:
        nonlocal next_id
        idx = np.full(n_hh, -1, dtype=np.int64)
        k = int(mask.sum())
        idx[mask] = np.arange(next_id, next_id + k)
        next_id += k
        sex_list.append(np.full(k, sex))
        dob_list.append(dob[mask])
        role_list.append(np.full(k, role, dtype=np.int8))
        hh_list.append(np.where(resident, np.nonzero(mask)[0], -1).astype(np.int32))
        return idx

    slots["mother"] = add(has_mother, mother_dob, "F", MOTHER, True)
    slots["father"] = add(has_father, father_dob, "M", FATHER, True)
    slots["absent"] = add(absent, father_dob, "M", ABSENT_FATHER, False)
    slots["partner"] = add(has_partner, partner_dob, "M", PARTNER, True)
    gp_sex = "F"
    slots["gp"] = add(has_gp, gp_dob, gp_sex, GRANDPARENT, False)
    slots["ex"] = add(has_ex, ex_dob, "M", EX_PARTNER, False)
    # current pregnancies: an unborn child, due after the reference date
    mother_age_now = (ref - mother_dob) / YEAR
    has_unborn = has_mother & (mother_age_now < 42) & (youngest > 0.9 * YEAR) & (rng.random(n_hh) < 0.016)
    unborn_due = (ref + rng.uniform(20, 215, size=n_hh)).astype(np.int64)
    slots["unborn"] = add(has_unborn, unborn_due, "U", UNBORN, True)
    # unrelated adults who know the family (neighbours, friends): people for incidents and patterns
    n_other = max(50, n_hh // 12)
    other_dob = (ref - rng.uniform(19, 65, size=n_other) * YEAR).astype(np.int64)
    sex_list.append(np.where(rng.random(n_other) < 0.6, "M", "F"))
    dob_list.append(other_dob)
    role_list.append(np.full(n_other, OTHER_ADULT, dtype=np.int8))
    hh_list.append(np.full(n_other, -1, dtype=np.int32))
    others = np.arange(next_id, next_id + n_other)
    next_id += n_other

    sex = np.concatenate(sex_list)
    dob = np.concatenate(dob_list)
    role = np.concatenate(role_list)
    hh_of = np.concatenate(hh_list)
    n = next_id

    eth_codes = list(ETHNICITY_WEIGHTS)
    eth_p = np.array([ETHNICITY_WEIGHTS[c] for c in eth_codes])
    hh_eth = np.array(eth_codes)[rng.choice(len(eth_codes), size=n_hh, p=eth_p / eth_p.sum())]
    ethnicity = np.array(eth_codes)[rng.choice(len(eth_codes), size=n, p=eth_p / eth_p.sum())]
    # family members share the household's ethnicity
    fam_hh = np.full(n, -1, dtype=np.int64)
    fam_hh[:n_children] = hh_of_child
    for key in ("mother", "father", "absent", "partner", "gp", "ex", "unborn"):
        ids = slots[key]
        fam_hh[ids[ids >= 0]] = np.nonzero(ids >= 0)[0]
    keep_eth = (fam_hh >= 0) & (rng.random(n) < 0.9)
    ethnicity[keep_eth] = hh_eth[fam_hh[keep_eth]]
    eth_list = ethnicity.tolist()

    pools = build_pools(cfg.seed, max(200, cfg.children * 3 // 140))
    forename, surname = _names(rng, pools, sex, eth_list)
    birth_surname = list(surname)

    # household surnames: married parents share the father's name; children take father's or mother's
    mother, father, absent_f = slots["mother"], slots["father"], slots["absent"]
    married = (father >= 0) & (mother >= 0) & (rng.random(n_hh) < 0.5)
    take_father = rng.random(n_hh) < 0.45
    for h in range(n_hh):
        m, f = int(mother[h]), int(father[h])
        if married[h]:
            surname[m] = surname[f]
        gpid = int(slots["gp"][h])
        if gpid >= 0:
            surname[gpid] = birth_surname[m] if m >= 0 else surname[f]
            birth_surname[gpid] = surname[gpid]
    child_names_by_hh = hh_of_child
    # second pass for children (vectorised lookups are awkward with mixed rules; this loop is cheap)
    fam_surname = [""] * n_hh
    for h in range(n_hh):
        m, f, a = int(mother[h]), int(father[h]), int(absent_f[h])
        dad = f if f >= 0 else a
        if dad >= 0 and (married[h] or take_father[h]):
            fam_surname[h] = surname[dad]
        else:
            fam_surname[h] = surname[m] if m >= 0 else surname[f]
    for c in range(n_children):
        surname[c] = fam_surname[int(child_names_by_hh[c])]
        birth_surname[c] = surname[c]
    for h in np.nonzero(slots["unborn"] >= 0)[0].tolist():
        u = int(slots["unborn"][h])
        forename[u] = ""
        surname[u] = fam_surname[h]
        birth_surname[u] = fam_surname[h]

    nhs = nhs_numbers(rng, n)

    # addresses and moves
    lam = np.select([need == HIGH, need == MEDIUM], [1.6, 0.8], 0.35)
    moves = rng.poisson(lam)
    n_addr_hh = int((moves + 1).sum())
    solo_people = np.nonzero(hh_of < 0)[0]
    partner_ids = slots["partner"][slots["partner"] >= 0]
    n_solo_addr = len(solo_people) * 2 + len(partner_ids) + 10
    n_addr = n_addr_hh + n_solo_addr
    addr_street = rng.integers(len(pools.streets), size=n_addr)
    order = np.argsort(addr_street, kind="stable")
    sorted_streets = addr_street[order]
    first = np.searchsorted(sorted_streets, sorted_streets, side="left")
    rank_in_street = np.arange(n_addr) - first
    addr_number = np.empty(n_addr, dtype=np.int64)
    addr_number[order] = rank_in_street + 1
    # sprinkle: some addresses are flats in a numbered building
    addr_flat = np.where(rng.random(n_addr) < 0.12, rng.integers(1, 30, size=n_addr), 0)
    perm = rng.permutation(n_addr)  # so a household's addresses are not neighbours

    hh_res: list[list[Residence]] = []
    a_next = 0
    for h in range(n_hh):
        k = int(moves[h])
        days = np.sort(rng.integers(start, ref - 30, size=k)) if k else np.array([], dtype=np.int64)
        born_from = int(start - rng.integers(200, 2500))
        bounds = [born_from, *days.tolist(), END]
        res = []
        for i in range(k + 1):
            res.append((int(perm[a_next]), int(bounds[i]), int(bounds[i + 1])))
            a_next += 1
        hh_res.append(res)
    own_res: dict[int, list[Residence]] = {}
    partner_from = np.full(n_hh, END, dtype=np.int64)
    pf = (ref - rng.uniform(0.2, 5.0, size=n_hh) * YEAR).astype(np.int64)
    for h in np.nonzero(slots["partner"] >= 0)[0].tolist():
        p = int(slots["partner"][h])
        partner_from[h] = int(pf[h])
        own_res[p] = [(int(perm[a_next]), int(start - 2000), int(pf[h]))]
        a_next += 1
    for p in solo_people.tolist():
        if rng.random() < 0.3:
            mv = int(rng.integers(start, ref - 60))
            own_res[p] = [(int(perm[a_next]), int(start - 2000), mv), (int(perm[a_next + 1]), mv, END)]
            a_next += 2
        else:
            own_res[p] = [(int(perm[a_next]), int(start - 2000), END)]
            a_next += 1

    children: list[list[int]] = [[] for _ in range(n_hh)]
    for c, h in enumerate(hh_of_child.tolist()):
        children[h].append(c)

    world = World(
        cfg=cfg,
        pools=pools,
        ref=ref,
        start=start,
        sex=sex,
        dob=dob,
        forename=forename,
        surname=surname,
        birth_surname=birth_surname,
        ethnicity=eth_list,
        role=role,
        hh_of=hh_of,
        nhs=nhs,
        mother=slots["mother"],
        father=slots["father"],
        absent_father=slots["absent"],
        partner=slots["partner"],
        partner_from=partner_from,
        grandparent=slots["gp"],
        ex_partner=slots["ex"],
        unborn=slots["unborn"],
        children=children,
        need=need,
        da=da & ((slots["father"] >= 0) | (slots["partner"] >= 0) | (slots["ex"] >= 0)),
        substance=substance,
        mental_health=mental,
        social_housing=social,
        hh_res=hh_res,
        own_res=own_res,
        addr_street=addr_street,
        addr_number=addr_number,
        addr_flat=addr_flat,
    )
    world.others = others
    _relationships(world, rng)
    _school_ids(world, rng)
    log.debug("world: %d people, %d households, %d addresses", world.n, n_hh, n_addr)
    return world


def _relationships(world: World, rng: np.random.Generator) -> None:
    rels = world.rels
    for h in range(world.n_hh):
        kids = world.children[h]
        m, f, a = int(world.mother[h]), int(world.father[h]), int(world.absent_father[h])
        p, g, x = int(world.partner[h]), int(world.grandparent[h]), int(world.ex_partner[h])
        eldest_dob = min(int(world.dob[c]) for c in kids)
        for c in kids:
            if m >= 0:
                rels.append((m, c, "parent", int(world.dob[c]), None))
            if f >= 0:
                rels.append((f, c, "parent", int(world.dob[c]), None))
            if a >= 0:
                rels.append((a, c, "parent", int(world.dob[c]), None))
            if p >= 0:
                rels.append((p, c, "step-parent", int(world.partner_from[h]), None))
            if g >= 0:
                rels.append((g, c, "grandparent", int(world.dob[c]), None))
        for i, c1 in enumerate(kids):
            for c2 in kids[i + 1 :]:
                rels.append((c1, c2, "sibling", max(int(world.dob[c1]), int(world.dob[c2])), None))
        if m >= 0 and f >= 0:
            rels.append((m, f, "partner", eldest_dob - int(rng.integers(200, 1500)), None))
        if m >= 0 and a >= 0:
            split = int(rng.integers(eldest_dob, world.ref - 30)) if world.ref - 30 > eldest_dob else None
            rels.append((m, a, "ex-partner", eldest_dob - int(rng.integers(200, 1500)), split))
        if m >= 0 and p >= 0:
            rels.append((m, p, "partner", int(world.partner_from[h]) - int(rng.integers(30, 400)), None))
        if m >= 0 and x >= 0:
            began = world.start - int(rng.integers(0, 2000))
            rels.append((m, x, "ex-partner", began, began + int(rng.integers(100, 900))))
        if g >= 0 and m >= 0:
            rels.append((g, m, "parent", int(world.dob[m]), None))
        u = int(world.unborn[h])
        if u >= 0:
            for parent in (m, f, a):
                if parent >= 0:
                    rels.append((parent, u, "parent", int(world.dob[u]), None))


# schools: each town has primaries and secondaries; UPNs issued by the school first attended
def _school_ids(world: World, rng: np.random.Generator) -> None:
    from ingest.contract.identifiers import upn_check_letter

    ref = world.ref
    counters: dict[tuple[int, int], int] = {}
    for c in range(world.cfg.children):
        age = (ref - int(world.dob[c])) / YEAR
        if age < 4.3:
            continue
        entry_year = int((int(world.dob[c]) / YEAR) + 1970 + 4.7)  # reception year, roughly
        estab = 2000 + int(rng.integers(0, 60))
        yy = entry_year % 100
        key = (estab, yy)
        serial = counters.get(key, 0) + 1
        counters[key] = serial
        if serial > 999:
            estab = 3000 + int(rng.integers(0, 900))
            key = (estab, yy)
            serial = counters.get(key, 0) + 1
            counters[key] = serial
        body = f"999{estab:04d}{yy:02d}{serial:03d}"
        world.upn[c] = upn_check_letter(body) + body
