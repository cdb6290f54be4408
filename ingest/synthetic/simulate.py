"""Base rates: what happens to the county's families over the years, agency by agency.

Rates are rough public figures scaled to a county (England, year to March 2024: 621,880 referrals, 22%
re-referrals within 12 months); need is concentrated: most families never meet police or social care.
The base simulation keeps some rules so that the planted patterns are the only instances of their kind:
every police occurrence with children present is referred to social care; every referral gets feedback
within two days; no referral is deemed malicious; early help closes for lack of consent only in low-need
families with no risk noted. The planted patterns (patterns.py) break these rules on purpose.
"""

from __future__ import annotations

import random

import numpy as np

from ingest.synthetic.events import (
    CME,
    S47,
    Assessment,
    CLAEpisode,
    Concern,
    Contact,
    CPPlan,
    EHEpisode,
    Encounter,
    Events,
    Exclusion,
    HealthFlag,
    Maternity,
    MissingEpisode,
    Occurrence,
    Referral,
    Supervision,
    Tenancy,
    TenancyEvent,
)
from ingest.synthetic.world import END, HIGH, LOW, MEDIUM, YEAR, World

CONTACT_SOURCES = (
    ("2A", 0.24),
    ("3A", 0.06),
    ("3B", 0.06),
    ("3E", 0.05),
    ("3C", 0.03),
    ("1A", 0.08),
    ("1B", 0.04),
    ("1C", 0.01),
    ("9", 0.04),
    ("4", 0.04),
    ("5D", 0.08),
    ("5B", 0.05),
    ("7", 0.03),
    ("8", 0.04),
    ("2B", 0.04),
    ("10", 0.01),
    ("5C", 0.02),
    ("3F", 0.02),
    ("3D", 0.02),
)
SOURCE_SUMMARY = {
    "2A": "school raised concerns about the child's presentation and attendance",
    "2B": "education welfare service concerned about attendance",
    "3A": "GP concerned about the child's weight and missed appointments",
    "3B": "health visitor concerned about home conditions",
    "3C": "school nurse: child disclosed worries at home",
    "3D": "community health concern",
    "3E": "A&E attendance with an injury; explanation inconsistent",
    "3F": "hospital staff concerned about parent's presentation",
    "1A": "relative worried about the children's care",
    "1B": "neighbour reports shouting and children left alone",
    "1C": "young person asked for help",
    "1D": "member of the public concerned",
    "9": "anonymous caller concerned about the children",
    "4": "housing officer concerned about the state of the property",
    "5B": "youth service concerned about the young person",
    "5C": "another local authority passed on concerns",
    "5D": "early help worker asks for a step-up",
    "7": "probation: person on supervision lives with children",
    "8": "voluntary organisation concerned about the family",
    "10": "source not recorded",
    "6": "police referral",
}
SOURCE_DESC = {
    "1A": "Family member",
    "1B": "Acquaintance",
    "1C": "Self",
    "1D": "Other individual",
    "2A": "School",
    "2B": "Education services",
    "3A": "GP",
    "3B": "Health visitor",
    "3C": "School nurse",
    "3D": "Other primary health",
    "3E": "A&E",
    "3F": "Other health",
    "4": "Housing",
    "5A": "LA social care",
    "5B": "LA other internal",
    "5C": "Other LA",
    "5D": "Early help",
    "6": "Police",
    "7": "Probation / courts",
    "8": "Voluntary organisation",
    "9": "Anonymous",
    "10": "Unknown",
}
CRIMES = (
    ("violence_against_person", 0.30),
    ("theft", 0.18),
    ("criminal_damage", 0.12),
    ("drugs", 0.12),
    ("public_order", 0.10),
    ("burglary", 0.07),
    ("weapons", 0.04),
    ("robbery", 0.03),
    ("sexual_offence", 0.02),
    ("other", 0.02),
)
AE_REASONS_CHILD = (
    "fall from furniture",
    "minor head injury",
    "fever",
    "breathing difficulty",
    "scald",
    "sports injury",
    "suspected fracture",
    "ingestion of medicine",
    "dog bite",
)
AE_REASONS_ADULT = ("chest pain", "fall", "laceration", "back pain", "overdose", "facial injury", "burn")
WNB_REASONS = ("paediatric outpatient", "dental", "immunisation", "audiology", "speech and language therapy")
PUBLIC_PLACES = (
    "Market Square, Thornwick",
    "Station Road car park, Saltmere",
    "High Street, Ashby Marsh",
    "Recreation ground, Lowerby",
    "Bus station, Westmoor",
)
EH_REASONS = ("parenting", "behaviour", "school_attendance", "mental_health", "housing_finance", "other")


def _pick(rnd: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    x = rnd.random() * sum(w for _, w in table)
    for code, w in table:
        x -= w
        if x <= 0:
            return code
    return table[-1][0]


class Sim:
    def __init__(self, world: World, seed: int) -> None:
        self.w = world
        self.rng = np.random.default_rng([seed, 101])
        self.rnd = random.Random(seed * 1_000_003 + 101)
        self.ev = Events()
        self.offenders: dict[int, list[Occurrence]] = {}
        self.perpetrators: dict[int, int] = {}

    # --- helpers -------------------------------------------------------------------------------------------

    def day_between(self, a: int, b: int) -> int:
        return a if b <= a else self.rnd.randrange(a, b)

    def neighbour(self) -> int:
        others = self.w.others
        return int(others[self.rnd.randrange(len(others))])

    def perpetrator_of(self, h: int, day: int) -> int:
        w = self.w
        f, p, x = int(w.father[h]), int(w.partner[h]), int(w.ex_partner[h])
        if f >= 0:
            return f
        if p >= 0 and day >= int(w.partner_from[h]):
            return p
        if x >= 0:
            return x
        return p if p >= 0 else -1

    def add_contact(
        self, child: int, day: int, source: str, summary: str, ref: object | None = None
    ) -> Contact:
        c = Contact(child=child, day=day, source=source, summary=summary, referrer_ref=ref)
        self.ev.contacts.append(c)
        return c

    # --- police -------------------------------------------------------------------------------------------

    def police(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        start, ref = w.start, w.ref
        for h in range(w.n_hh):
            need = int(w.need[h])
            m = int(w.mother[h])
            if w.da[h] and m >= 0:
                n = 1 + int(self.rng.poisson((0.3, 0.8, 2.0)[need]))
                days = sorted(self.day_between(start, ref - 5) for _ in range(n))
                for i, day in enumerate(days):
                    perp = self.perpetrator_of(h, day)
                    if perp < 0:
                        continue
                    if int(w.role[perp]) == 4 and day < int(w.partner_from[h]):  # partner not yet moved in
                        day = self.day_between(int(w.partner_from[h]), ref - 2)
                    grade = (
                        "high"
                        if (i >= 2 and rnd.random() < 0.35)
                        else ("medium" if rnd.random() < 0.3 else "standard")
                    )
                    kids = [c for c in w.household_members(h, day) if c < w.cfg.children]
                    present = [c for c in kids if rnd.random() < 0.85]
                    persons = [(m, "victim"), (perp, "suspect")] + [(c, "present") for c in present]
                    occ = Occurrence(
                        kind="da_incident",
                        day=day,
                        persons=persons,
                        addr=w.address_at(m, day),
                        dash=grade,
                        children_present=bool(present),
                        summary=f"Domestic incident: verbal and physical argument, DASH {grade}"
                        + (", children in the house" if present else ""),
                        basis="opinion" if rnd.random() < 0.3 else "fact",
                        recorder="PC",
                    )
                    self.refer_if_children(occ, present)
                    ev.occurrences.append(occ)
                    self.perpetrators[perp] = self.perpetrators.get(perp, 0) + 1
                    if i == 0:
                        ev.police_links.append((m, perp, "partner", None, None))
            if need >= MEDIUM:
                for _ in range(int(self.rng.poisson((0.0, 0.3, 1.0)[need]))):
                    day = self.day_between(start, ref - 5)
                    adults = [p for p in w.household_members(h, day) if p >= w.cfg.children]
                    if not adults:
                        continue
                    kids = [c for c in w.household_members(h, day) if c < w.cfg.children]
                    present = [c for c in kids if rnd.random() < 0.5]
                    persons = [(adults[0], "subject")] + [(c, "present") for c in present]
                    if rnd.random() < 0.5:
                        persons.append((self.neighbour(), "reporter"))
                    occ = Occurrence(
                        kind="police_incident",
                        day=day,
                        persons=persons,
                        addr=w.address_at(adults[0], day),
                        children_present=bool(present),
                        summary=rnd.choice(
                            (
                                "Concern for welfare: neighbours report shouting",
                                "Disturbance at the address, parties separated",
                                "Report of adults intoxicated at the address",
                            )
                        ),
                        basis="fact",
                        recorder="PC",
                    )
                    self.refer_if_children(occ, present)
                    ev.occurrences.append(occ)
                for _ in range(int(self.rng.poisson((0.0, 0.1, 0.4)[need]))):
                    day = self.day_between(start, ref - 5)
                    kids = [
                        c
                        for c in w.household_members(h, day)
                        if c < w.cfg.children and w.age_years(c, day) > 3
                    ]
                    if not kids or m < 0:
                        continue
                    child = rnd.choice(kids)
                    occ = Occurrence(
                        kind="cpnci",
                        day=day,
                        persons=[(child, "subject"), (m, "reporter")],
                        addr=w.address_at(m, day),
                        children_present=True,
                        summary="Child protection non-crime incident: concern about the child's care",
                        basis="opinion",
                        recorder="PC",
                    )
                    self.refer_if_children(occ, [child])
                    ev.occurrences.append(occ)
            # missing teenagers
            if need == HIGH or rnd.random() < 0.004:
                for c in w.children[h]:
                    if not (12.5 < w.age_years(c, ref) < 18.5) or rnd.random() > 0.3:
                        continue
                    self.missing_run(c, h, 1 + int(self.rng.poisson(1.2)))
        # crimes by offenders
        self.crimes()
        for perp, n in self.perpetrators.items():
            if n >= 2:
                ev.police_flags.append((perp, "da_perpetrator", None, self.day_between(start, ref - 5), None))

    def missing_run(self, c: int, h: int, n: int, days: list[int] | None = None) -> list[MissingEpisode]:
        w, rnd = self.w, self.rnd
        out: list[MissingEpisode] = []
        lo = max(w.start, int(w.dob[c]) + int(12.5 * YEAR))
        if lo >= w.ref - 10:
            return out
        days = days or sorted(self.day_between(lo, w.ref - 3) for _ in range(n))
        m = int(w.mother[h])
        for i, day in enumerate(days):
            end = day + rnd.choice((0, 1, 1, 2, 3))
            reporter = m if m >= 0 else self.neighbour()
            occ = Occurrence(
                kind="missing_episode",
                day=day,
                end=end,
                persons=[(c, "subject"), (reporter, "reporter")],
                addr=w.address_at(c, day),
                children_present=False,
                summary="Young person reported missing from home, returned"
                + (" after " + str(end - day) + " nights" if end > day else " same day"),
                basis="fact",
                recorder="PC",
            )
            if i >= 1:
                occ.referred = True
                occ.referral_day = day + 1
            self.ev.occurrences.append(occ)
            ep = MissingEpisode(
                child=c,
                start=day,
                end=end,
                kind="M",
                rhi_offered="Y",
                rhi_accepted="Y" if rnd.random() < 0.6 else "N",
                occurrence=occ,
            )
            self.ev.missing.append(ep)
            out.append(ep)
            if occ.referred:
                self.add_contact(c, day + 1, "6", "Police: repeat missing episode", occ).outcome = "missing"
        return out

    def refer_if_children(self, occ: Occurrence, present: list[int]) -> None:
        """Base rule: the force shares every occurrence with children present with social care."""
        if not present:
            return
        occ.referred = True
        occ.referral_day = occ.day + self.rnd.choice((0, 1, 1, 2))
        for c in present:
            self.add_contact(c, occ.referral_day, "6", "Police referral: " + occ.summary, occ)

    def crimes(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        start, ref = w.start, w.ref
        candidates: list[int] = []
        for h in range(w.n_hh):
            need = int(w.need[h])
            for p in (int(w.father[h]), int(w.partner[h]), int(w.ex_partner[h]), int(w.absent_father[h])):
                if p >= 0 and rnd.random() < (0.007, 0.08, 0.25)[need]:
                    candidates.append(p)
        for p in w.others.tolist():
            if rnd.random() < 0.04:
                candidates.append(int(p))
        seen: set[int] = set()
        for p in candidates:
            if p in seen:
                continue
            seen.add(p)
            occs = []
            for _ in range(1 + int(self.rng.poisson(1.0))):
                day = self.day_between(start - int(3 * YEAR), ref - 5)
                cat = _pick(rnd, CRIMES)
                victim = self.neighbour()
                public = rnd.random() < 0.6
                occ = Occurrence(
                    kind="crime",
                    day=day,
                    persons=[(p, "suspect"), (victim, "victim")],
                    addr=None if public else w.address_at(victim, day),
                    place=rnd.choice(PUBLIC_PLACES) if public else None,
                    crime=cat,
                    summary=f"Crime recorded: {cat.replace('_', ' ')}",
                    basis="fact",
                    recorder="DC",
                )
                if rnd.random() < 0.2:
                    occ.persons.append((self.neighbour(), "witness"))
                ev.occurrences.append(occ)
                occs.append(occ)
            self.offenders[p] = occs

    # --- probation ----------------------------------------------------------------------------------------

    def probation(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        for p, occs in self.offenders.items():
            serious = any(o.crime in ("violence_against_person", "sexual_offence", "weapons") for o in occs)
            if not (len(occs) >= 2 or serious) or rnd.random() > 0.45:
                continue
            last = max(o.day for o in occs)
            cat = next(
                (o.crime for o in occs if o.crime in ("sexual_offence", "violence_against_person")), None
            )
            offence = {"sexual_offence": "sexual", "violence_against_person": "violence"}.get(cat or "", None)
            if offence is None:
                offence = rnd.choice(("acquisitive", "drugs", "public_order", "other"))
            if self.perpetrators.get(p, 0) >= 2:
                offence = "domestic_abuse"
            mappa_cat = (
                "1"
                if offence == "sexual"
                else ("2" if offence == "violence" and rnd.random() < 0.3 else None)
            )
            s = Supervision(
                pid=p,
                order=rnd.choice(("community_order", "suspended_sentence", "licence")),
                start=min(last + rnd.randrange(30, 200), w.ref - 10),
                end=None,
                offence=offence,
                rosh=rnd.choice(("low", "medium", "medium", "high")) if offence != "sexual" else "high",
                risk_to_children=offence in ("sexual", "domestic_abuse") or rnd.random() < 0.1,
                mappa_category=mappa_cat,
                mappa_level=("1" if rnd.random() < 0.85 else "2") if mappa_cat else None,
            )
            s.end = s.start + rnd.randrange(365, 3 * 365)
            ev.supervisions.append(s)
            if mappa_cat:
                ev.police_flags.append((p, "mappa", s.mappa_level, s.start, None))
            if offence == "sexual":
                ev.police_flags.append((p, "sexual_offending", None, s.start, None))
            elif offence in ("violence", "domestic_abuse"):
                ev.police_flags.append((p, "violence", None, s.start, None))

    # --- children's social care ---------------------------------------------------------------------------

    def other_contacts(self) -> None:
        w, rnd = self.w, self.rnd
        rate = (0.006, 0.30, 0.80)  # contacts per child per year, by need (police referrals come on top)
        for h in range(w.n_hh):
            need = int(w.need[h])
            if need == LOW and rnd.random() > 0.12:
                continue
            for c in w.children[h]:
                lo = max(w.start, int(w.dob[c]))
                years = (w.ref - lo) / YEAR
                k = int(self.rng.poisson(rate[need] * years * (12.5 if need == LOW else 1)))
                for _ in range(k):
                    src = _pick(rnd, CONTACT_SOURCES)
                    self.add_contact(c, self.day_between(lo, w.ref - 3), src, SOURCE_SUMMARY[src])

    def prebirth(self) -> None:
        """Midwives raise pre-birth concerns about some unborn children in families with high need."""
        w, rnd = self.w, self.rnd
        for h in range(w.n_hh):
            u = int(w.unborn[h])
            if u < 0 or rnd.random() > (0.0, 0.25, 0.6)[int(w.need[h])]:
                continue
            day = max(w.ref - 150, int(w.dob[u]) - 200) + rnd.randrange(0, 60)
            if day < w.ref - 5:
                self.add_contact(u, day, "3D", "Midwife: pre-birth concerns (substance use, domestic abuse)")

    def social_care(self) -> None:
        """Turn each child's contacts, in date order, into referrals and what follows them. A closed case
        comes back (a new concern within the year) often enough to give the national ~22% re-referrals."""
        import bisect

        w, rnd = self.w, self.rnd
        by_child: dict[int, list[Contact]] = {}
        for c in self.ev.contacts:
            by_child.setdefault(c.child, []).append(c)
        for child in sorted(by_child):
            contacts = sorted(by_child[child], key=lambda x: x.day)
            h = int(w.hh_of[child])
            need = int(w.need[h])
            open_until = -1
            last_ref: Referral | None = None
            i = 0
            while i < len(contacts):
                con = contacts[i]
                i += 1
                if con.day < open_until:
                    con.outcome = "existing"
                    con.referral = last_ref
                    continue
                forced = con.outcome == "repeat"
                conv = (0.30, 0.50, 0.66)[need] + (0.05 if con.source == "6" else 0.0)
                if last_ref is not None and con.day - last_ref.day <= 365:
                    conv *= 0.6  # "already assessed this year": the front door is slower to re-open
                if not forced and rnd.random() >= conv:
                    if con.outcome != "missing":
                        con.outcome = rnd.choice(("nfa", "advice", "early_help"))
                    if con.outcome == "early_help":
                        self.eh_from(con)
                    continue
                ref = self.referral(con, need)
                con.outcome = "referral"
                con.referral = ref
                last_ref = ref
                open_until = ref.close_day if ref.close_day is not None else END
                if ref.close_day is not None and rnd.random() < (0.09, 0.13, 0.17)[need]:
                    day = ref.close_day + rnd.randrange(15, 300)
                    if day < w.ref - 2:
                        src = _pick(rnd, CONTACT_SOURCES)
                        again = Contact(child=child, day=day, source=src, summary=SOURCE_SUMMARY[src],
                                        outcome="repeat")  # fmt: skip
                        self.ev.contacts.append(again)
                        bisect.insort(contacts, again, lo=i, key=lambda x: x.day)
            self.ev.csc_adults[child] = self.csc_adults_of(child)

    def csc_adults_of(self, child: int) -> list[int]:
        w, rnd = self.w, self.rnd
        h = int(w.hh_of[child])
        out = []
        m, f, a = int(w.mother[h]), int(w.father[h]), int(w.absent_father[h])
        p, g = int(w.partner[h]), int(w.grandparent[h])
        if m >= 0:
            out.append(m)
        if f >= 0:
            out.append(f)
        if a >= 0 and rnd.random() < 0.45:
            out.append(a)
        if p >= 0 and rnd.random() < 0.5:
            out.append(p)
        if g >= 0 and rnd.random() < 0.25:
            out.append(g)
        return [x for x in out if not self.ev.is_hidden("csc", x)]

    def factors_for(self, h: int, child: int, day: int, need: int) -> list[str]:
        w, rnd = self.w, self.rnd
        f: list[str] = []
        if w.da[h]:
            f.append("3B")
            if rnd.random() < 0.3:
                f.append("3A")
        if w.substance[h]:
            f.append("2B")
        if w.mental_health[h]:
            f.append("4B")
        if need == HIGH and rnd.random() < 0.5:
            f.append("16A")
        if rnd.random() < 0.25:
            f.append("17A")
        age = w.age_years(child, day)
        if age > 12 and rnd.random() < 0.3:
            f.append(rnd.choice(("14A", "15A", "4A", "10A")))
        if need == LOW and rnd.random() < 0.5:
            f = ["21"]
        return f or ["20"]

    def referral(self, con: Contact, need: int) -> Referral:
        w, rnd = self.w, self.rnd
        child, day = con.child, con.day
        h = int(w.hh_of[child])
        ref = Referral(
            child=child,
            day=day,
            source=con.source,
            need_code=rnd.choice(("N1", "N1", "N4", "N5", "N3", "N2", "N6")) if need else "N4",
            threshold="L3",
            nfa=False,
            feedback_day=min(day + rnd.choice((0, 1, 1, 2)), w.ref),
            contact=con,
        )
        if con.source in ("1A", "1B", "1D"):
            ref.referrer_relationship = {"1A": "aunt", "1B": "neighbour", "1D": "member of the public"}[
                con.source
            ]
        if rnd.random() < 0.1:  # no assessment: NFA at referral
            ref.nfa = True
            ref.threshold = "L1"
            ref.close_day = day + rnd.randrange(1, 6)
            ref.close_reason = "RC8"
            return self.clip(ref)
        a_start = day + rnd.randrange(1, 6)
        auth = a_start + rnd.randrange(10, 60)
        outcome = rnd.choices(
            ("nfa", "cin", "s47", "stepdown"),
            weights=((70, 20, 5, 5), (45, 35, 12, 8), (25, 30, 35, 10))[need],
        )[0]
        factors = self.factors_for(h, child, day, need)
        ref.assessment = Assessment(
            start=a_start, auth=auth, factors=factors, nfa=outcome in ("nfa", "stepdown")
        )
        if outcome == "nfa":
            ref.close_day, ref.close_reason = auth, "RC8"
        elif outcome == "stepdown":
            ref.threshold = "L2"
            ref.close_day, ref.close_reason = auth, "RC9"
            if int(w.dob[child]) <= auth:  # early help works with born children
                ref.stepdown = self.stepdown_eh(ref, need)
        elif outcome == "cin":
            end = auth + rnd.randrange(90, 400)
            ref.cin_plan = (auth + rnd.randrange(1, 10), end)
            ref.close_day, ref.close_reason = end + rnd.randrange(0, 30), "RC7"
        else:
            ref.threshold = "L4"
            s_start = day + rnd.randrange(1, 10)
            cp = rnd.random() < 0.6
            icpc = s_start + rnd.randrange(8, 21) if cp else None
            ref.s47 = S47(start=s_start, end=s_start + rnd.randrange(10, 30), nfa=not cp, icpc_day=icpc)
            if cp and icpc is not None:
                cat = rnd.choice(("NEG", "NEG", "EMO", "EMO", "PHY", "SAB", "MUL"))
                cp_end = icpc + rnd.randrange(120, 600)
                ref.cp_plan = CPPlan(start=icpc, end=cp_end, initial=cat, latest=cat)
                unborn = int(w.dob[child]) > icpc
                if unborn:  # CP-IS: the flag for an unborn child sits on the mother's record
                    mum = int(w.mother[h])
                    if mum >= 0:
                        self.ev.health_flags.append(
                            HealthFlag(
                                pid=mum, kind="unborn-cp-plan", start=icpc, end=min(cp_end, int(w.dob[child]))
                            )
                        )
                else:
                    self.ev.health_flags.append(HealthFlag(pid=child, kind="cp-plan", start=icpc, end=cp_end))
                if rnd.random() < 0.12 and not unborn:
                    self.care(ref, icpc + rnd.randrange(20, 200))
                ref.close_day = ref.cla[-1].end if ref.cla else cp_end + rnd.randrange(60, 300)
                ref.close_reason = "RC7" if not ref.cla else rnd.choice(("RC7", "RC4", "RC3", "RC1"))
            else:
                ref.close_day, ref.close_reason = ref.s47.end, "RC8"
        return self.clip(ref)

    def clip(self, ref: Referral) -> Referral:
        """Whatever ends after the reference date is still open."""
        r = self.w.ref
        if ref.close_day is not None and ref.close_day > r:
            ref.close_day, ref.close_reason = None, None
        if ref.assessment and ref.assessment.auth is not None and ref.assessment.auth > r:
            ref.assessment.auth = None
        if ref.assessment and ref.assessment.start > r:
            ref.assessment = None
        if ref.s47:
            if ref.s47.start > r:
                ref.s47 = None
            elif ref.s47.end is not None and ref.s47.end > r:
                ref.s47.end = None
            if ref.s47 and ref.s47.icpc_day is not None and ref.s47.icpc_day > r:
                ref.s47.icpc_day = None
        if ref.cin_plan:
            s, e = ref.cin_plan
            ref.cin_plan = None if s > r else (s, e if e is not None and e <= r else None)
        if ref.cp_plan:
            if ref.cp_plan.start > r:
                ref.cp_plan = None
            elif ref.cp_plan.end is not None and ref.cp_plan.end > r:
                ref.cp_plan.end = None
        ref.cla = [ep for ep in ref.cla if ep.start <= r]
        for ep in ref.cla:
            if ep.end is not None and ep.end > r:
                ep.end, ep.reason_end = None, None
        if ref.cla and ref.cla[-1].end is None:
            ref.close_day, ref.close_reason = None, None
        return ref

    def care(self, ref: Referral, start: int) -> None:
        w, rnd = self.w, self.rnd
        n_eps = rnd.choice((1, 1, 2, 2, 3))
        day = start
        legal = rnd.choice(("C1", "V2", "L2"))
        for i in range(n_eps):
            end = day + rnd.randrange(60, 500)
            last = i == n_eps - 1
            ep = CLAEpisode(
                start=day,
                end=end,
                reason_new="S" if i == 0 else rnd.choice(("P", "L", "T", "B")),
                legal_status=legal if i == 0 else rnd.choice(("C2", "C1", "V2", "E1")),
                placement=rnd.choice(("U4", "U5", "U6", "U1", "U3", "K2", "R1")),
                provider=rnd.choice(("PR1", "PR2", "PR4", "PR5")),
                reason_end=(rnd.choice(("E13", "E4A", "E41", "E45", "E8")) if last else "X1"),
                reason_place_change=None if last else rnd.choice(("CARPL", "CREQB", "LAREQ", "OTHER")),
                placement_addr=w.new_address(self.rng) if rnd.random() < 0.7 else None,
            )
            ref.cla.append(ep)
            day = end
        self.ev.health_flags.append(
            HealthFlag(pid=ref.child, kind="looked-after", start=start, end=ref.cla[-1].end)
        )

    def stepdown_eh(self, ref: Referral, need: int) -> EHEpisode:
        rnd = self.rnd
        day = (ref.assessment.auth if ref.assessment and ref.assessment.auth else ref.day) + rnd.randrange(
            1, 10
        )
        consent = "Y" if rnd.random() < 0.85 else "W"
        ep = self.eh_episode(ref.child, day, "5A", consent, need, referrer=ref)
        ep.in_csc = True
        return ep

    def eh_from(self, con: Contact) -> None:
        if int(self.w.dob[con.child]) > con.day:
            return
        h = int(self.w.hh_of[con.child])
        need = int(self.w.need[h])
        consent = "Y" if self.rnd.random() < 0.88 else ("N" if need == LOW else "W")
        self.eh_episode(
            con.child, con.day + self.rnd.randrange(1, 15), con.source, consent, need, referrer=con
        )

    def eh_episode(
        self, child: int, day: int, source: str, consent: str, need: int, referrer: object | None = None
    ) -> EHEpisode:
        rnd, ref_day = self.rnd, self.w.ref
        if consent == "N":  # base: only low-need families, nothing noted as risk
            start = None
            end: int | None = day + rnd.randrange(7, 30)
            closure: str | None = "no_consent"
        else:
            start = day + rnd.randrange(3, 20)
            end = start + rnd.randrange(60, 300)
            if consent == "W":
                closure = "disengaged"
            else:
                closure = rnd.choices(
                    ("outcomes_met", "step_up_csc", "disengaged", "moved_away", "step_down_universal"),
                    weights=(60, 8, 12, 5, 15),
                )[0]
        if end is not None and end > ref_day:
            end, closure = None, None
        if start is not None and start > ref_day:
            start = None
        ep = EHEpisode(
            child=child,
            referral_day=min(day, ref_day),
            source=source,
            reason=rnd.choice(EH_REASONS),
            consent=consent,
            start=start,
            end=end,
            closure=closure,
            risk_noted=False,
            summary="Family support: "
            + rnd.choice(("parenting", "routines", "school attendance", "budgeting")),
            referrer_ref=referrer,
        )
        self.ev.eh.append(ep)
        return ep

    def early_help_direct(self) -> None:
        w, rnd = self.w, self.rnd
        for h in range(w.n_hh):
            need = int(w.need[h])
            if rnd.random() > (0.025, 0.10, 0.15)[need] or not w.children[h]:
                continue
            c = rnd.choice(w.children[h])
            lo = max(w.start, int(w.dob[c]))
            day = self.day_between(lo, w.ref - 10)
            consent = "Y" if rnd.random() < 0.85 else ("N" if need == LOW else "W")
            self.eh_episode(c, day, rnd.choice(("2A", "3B", "1C", "8")), consent, need)

    # --- health -------------------------------------------------------------------------------------------

    def health(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        ref = w.ref
        lo = ref - int(3 * YEAR)
        n_c = w.cfg.children
        need_c = w.need[w.hh_of[:n_c]]
        ae = self.rng.poisson(np.array([0.12, 0.3, 0.5])[need_c] * 3)
        wnb = self.rng.poisson(np.array([0.05, 0.2, 0.5])[need_c] * 3)
        for c in np.nonzero((ae + wnb) > 0)[0].tolist():
            h = int(w.hh_of[c])
            m = int(w.mother[h])
            born = int(w.dob[c])
            for _ in range(int(ae[c])):
                day = self.day_between(max(lo, born), ref - 1)
                if day < born:
                    continue
                reason = rnd.choice(AE_REASONS_CHILD)
                if w.age_years(c, day) > 12 and need_c[c] == HIGH and rnd.random() < 0.2:
                    reason = "self-harm"
                ev.encounters.append(
                    Encounter(
                        pid=c,
                        kind="ae-attendance",
                        day=day,
                        reason=reason,
                        participant=m if m >= 0 and rnd.random() < 0.8 else None,
                    )
                )
            for _ in range(int(wnb[c])):
                day = self.day_between(max(lo, born), ref - 1)
                if day < born:
                    continue
                ev.encounters.append(
                    Encounter(
                        pid=c,
                        kind="was-not-brought",
                        day=day,
                        reason=rnd.choice(WNB_REASONS),
                        participant=m if m >= 0 else None,
                        recorder="clinic administrator",
                    )
                )
        adults = np.arange(n_c, w.n)
        adult_ae = self.rng.poisson(0.08 * 3, size=len(adults))
        for i in np.nonzero(adult_ae)[0].tolist():
            p = int(adults[i])
            if int(w.role[p]) == 8:  # unborn
                continue
            for _ in range(int(adult_ae[i])):
                ev.encounters.append(
                    Encounter(
                        pid=p,
                        kind="ae-attendance",
                        day=self.day_between(lo, ref - 1),
                        reason=rnd.choice(AE_REASONS_ADULT),
                    )
                )
        # DA victims sometimes attend A&E after an incident
        for occ in ev.occurrences:
            if occ.kind == "da_incident" and occ.day >= lo and rnd.random() < 0.15:
                victim = occ.persons[0][0]
                ev.encounters.append(
                    Encounter(
                        pid=victim, kind="ae-attendance", day=occ.day, reason="facial injury", basis="opinion"
                    )
                )
        self.maternity()

    def maternity(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        for h in range(w.n_hh):
            m = int(w.mother[h])
            if m < 0:
                continue
            babies = [c for c in w.children[h] if int(w.dob[c]) >= w.start + 250]
            u = int(w.unborn[h])
            for b in babies + ([u] if u >= 0 else []):
                born = int(w.dob[b])
                booking = born - rnd.randrange(195, 245)
                if booking > w.ref:
                    continue
                f, a, p = int(w.father[h]), int(w.absent_father[h]), int(w.partner[h])
                dad = f if f >= 0 else a
                partner = dad if dad >= 0 and rnd.random() < 0.75 else None
                if partner is None and p >= 0 and int(w.partner_from[h]) <= booking and rnd.random() < 0.5:
                    partner = p
                unborn = b == u
                mat = Maternity(
                    mother=m,
                    booking_day=booking,
                    edd=born + (0 if unborn else rnd.randrange(-10, 12)),
                    outcome="ongoing" if unborn else "live_birth",
                    outcome_day=None if unborn else born,
                    baby=None if unborn else b,
                    partner=partner,
                    partner_is_father=partner is not None and partner == dad,
                    unborn=b if unborn else None,
                )
                ev.maternity.append(mat)
                ev.encounters.append(
                    Encounter(
                        pid=m,
                        kind="antenatal-booking",
                        day=booking,
                        reason="booking appointment",
                        recorder="midwife",
                    )
                )

    # --- education ------------------------------------------------------------------------------------------

    def education(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        for h in range(w.n_hh):
            need = int(w.need[h])
            for c in w.children[h]:
                age = w.age_years(c, w.ref)
                if age < 4.3:
                    continue
                if need:
                    ev.absence[c] = (1.0, 1.8, 3.0)[need] * (0.6 + rnd.random())
                if age > 10 and rnd.random() < (0.01, 0.06, 0.18)[need]:
                    for _ in range(1 + int(self.rng.poisson(0.5))):
                        day = self.day_between(max(w.start, w.ref - int(2 * YEAR)), w.ref - 3)
                        perm = rnd.random() < 0.05
                        ev.exclusions.append(
                            Exclusion(
                                child=c,
                                day=day,
                                kind="permanent" if perm else "suspension",
                                sessions=None if perm else rnd.randrange(1, 10),
                                reason=rnd.choice(("PD", "PD", "VA", "PP", "DA", "DM", "MT", "BU")),
                                summary="incident at school",
                            )
                        )
                if need == HIGH and 5 < age < 16 and rnd.random() < 0.02:
                    day = self.day_between(w.ref - int(2 * YEAR), w.ref - 20)
                    ev.cme.append(
                        CME(
                            child=c,
                            reported=day,
                            reason=rnd.choice(("not_attended_10_days", "moved_address_unknown")),
                            resolved=day + rnd.randrange(10, 120) if rnd.random() < 0.7 else None,
                        )
                    )

    # --- housing ----------------------------------------------------------------------------------------------

    def housing(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        for h in range(w.n_hh):
            if not w.social_housing[h]:
                continue
            need = int(w.need[h])
            for i, (a, f, t) in enumerate(w.hh_res[h]):
                if i < len(w.hh_res[h]) - 1 and rnd.random() < 0.3:
                    continue  # not every past home was a council or HA tenancy
                start = max(f, w.start - int(2 * YEAR))
                end = None if t >= END else t
                tenure = (
                    "temporary_accommodation"
                    if (need == HIGH and rnd.random() < 0.25)
                    else rnd.choice(("council", "housing_association"))
                )
                occupants: list[tuple[int, str, int | None, int | None]] = []
                m, fa = int(w.mother[h]), int(w.father[h])
                lead = m if m >= 0 else fa
                occupants.append((lead, "lead_tenant", None, None))
                if fa >= 0 and lead != fa:
                    occupants.append(
                        (fa, "joint_tenant" if rnd.random() < 0.5 else "household_member", None, None)
                    )
                p = int(w.partner[h])
                if p >= 0 and int(w.partner_from[h]) < (end or END) and rnd.random() < 0.6:
                    occupants.append((p, "household_member", max(start, int(w.partner_from[h])), None))
                for c in w.children[h]:
                    if int(w.dob[c]) < (end or END):
                        occupants.append((c, "household_member", max(start, int(w.dob[c])), None))
                ten = Tenancy(
                    addr=a,
                    tenure=tenure,
                    start=start,
                    end=end,
                    end_reason=None
                    if end is None
                    else rnd.choice(("ended_by_tenant", "transfer", "eviction")),
                    arrears=need >= MEDIUM and rnd.random() < 0.4,
                    occupants=occupants,
                )
                last = end or w.ref
                for _ in range(int(self.rng.poisson((0.3, 0.8, 1.6)[need]))):
                    kind = rnd.choice(("arrears_notice", "welfare_visit", "disrepair_visit", "asb_complaint"))
                    ten.events.append(
                        TenancyEvent(
                            kind=kind,
                            day=self.day_between(start, last),
                            occupant=lead,
                            summary=kind.replace("_", " "),
                        )
                    )
                if w.da[h] and rnd.random() < 0.3:
                    ten.events.append(
                        TenancyEvent(
                            kind="da_disclosure",
                            day=self.day_between(start, last),
                            occupant=lead,
                            summary="tenant disclosed domestic abuse",
                            basis="opinion",
                        )
                    )
                ev.tenancies.append(ten)

    # --- third sector -------------------------------------------------------------------------------------------

    def third_sector(self) -> None:
        w, rnd, ev = self.w, self.rnd, self.ev
        orgs = (
            ("Kingsbridge Vale Cricket Club", "sports_club"),
            ("Thornwick Youth Football", "sports_club"),
            ("Saltmere Young People's Trust", "charity"),
            ("St Anne's Church Youth Group", "faith_group"),
            ("Westmoor Youth Club", "youth_club"),
        )
        for h in range(w.n_hh):
            if rnd.random() > (0.004, 0.02, 0.04)[int(w.need[h])]:
                continue
            kids = [c for c in w.children[h] if w.age_years(c, w.ref) > 6]
            if not kids:
                continue
            c = rnd.choice(kids)
            org, kind = rnd.choice(orgs)
            day = self.day_between(w.ref - int(3 * YEAR), w.ref - 5)
            persons = [(c, "subject", rnd.random() < 0.3)]
            m = int(w.mother[h])
            if m >= 0 and rnd.random() < 0.5:
                persons.append((m, "reporter", False))
            basis = rnd.choice(("legitimate_interests", "legitimate_interests", "public_task", "consent"))
            ev.concerns.append(
                Concern(
                    organisation=org,
                    org_type=kind,
                    day=day,
                    category=rnd.choice(("neglect", "emotional", "wellbeing", "wellbeing")),
                    summary="Coach noticed the child is often hungry and withdrawn",
                    legal_basis=basis,
                    consent_by="the child's mother" if basis == "consent" else None,
                    shared_day=day + rnd.randrange(0, 5),
                    persons=persons,
                )
            )

    # --- minimum counts ------------------------------------------------------------------------------------

    def minimums(self) -> None:
        """Small counties still get every kind of record: a few children in care (some of them missing
        from placement) and a few children missing education."""
        w, rnd, ev = self.w, self.rnd, self.ev
        want = max(2, w.cfg.children // 1000)
        refs = [c.referral for c in ev.contacts if c.outcome == "referral" and c.referral is not None]
        in_care = [r for r in refs if r.cla]
        for r in refs:
            if len(in_care) >= want:
                break
            if r.cla or r.day > w.ref - 200 or w.age_years(r.child, r.day) < 8:
                continue
            self.care(r, r.day + rnd.randrange(20, 60))
            self.clip(r)
            if r.cla:
                in_care.append(r)
        away = 0
        for r in in_care:
            ep = r.cla[0]
            end = ep.end if ep.end is not None else w.ref
            if end - ep.start < 10 or (away >= want and rnd.random() < 0.5):
                continue
            day = rnd.randrange(ep.start, end - 3)
            self.ev.missing.append(MissingEpisode(child=r.child, start=day, end=day + rnd.choice((0, 1, 2)),
                                                  kind=rnd.choice(("A", "M")), rhi_offered="Y",
                                                  rhi_accepted=rnd.choice(("Y", "N"))))  # fmt: skip
            away += 1
        have = {x.child for x in ev.cme}
        for h in self.rng.permutation(w.n_hh).tolist():
            if len(have) >= want:
                break
            kids = [c for c in w.children[h] if 6 < w.age_years(c, w.ref) < 15 and c not in have]
            if int(w.need[h]) == LOW or not kids:
                continue
            day = self.day_between(w.ref - int(YEAR), w.ref - 20)
            ev.cme.append(CME(child=kids[0], reported=day, reason="not_attended_10_days", resolved=None))
            have.add(kids[0])


def simulate(world: World, seed: int) -> tuple[Events, Sim]:
    sim = Sim(world, seed)
    sim.police()
    sim.probation()
    sim.other_contacts()
    sim.prebirth()
    sim.social_care()
    sim.minimums()
    sim.early_help_direct()
    sim.health()
    sim.education()
    sim.housing()
    sim.third_sector()
    return sim.ev, sim
