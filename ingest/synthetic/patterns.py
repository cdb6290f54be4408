"""Planted, labelled patterns: what the product must find, with the people and records involved.

Each instance goes to truth/patterns.json as {pattern_id, type, description, person_ids, roles, record_keys,
dates}. Types:

- hidden_adult: the mother's new partner, known to police for domestic abuse, absent from CSC, health and
  education records.
- unborn_father_on_probation: a pregnancy whose named father is supervised by probation (violence or
  domestic abuse, assessed as a risk to children); social care does not know the family.
- adult_around_households: one adult seen at several households with children (police incidents at three
  addresses, listed as a contact by a school, brought a child to A&E).
- shared_address: a registered sex offender lodging at the address of a family with children.
- co_occurring_missing: teenagers from different families reported missing on the same days.
- slow_build_up: low-level concerns across agencies over about 18 months (missed health appointments,
  falling attendance, A&E visits, a welfare call, a third-sector concern, one contact closed with advice).
- children_present_no_referral: a police occurrence with children present that was not referred to CSC.
- feedback_overdue: a referral with no feedback to the referrer.
- eh_closed_no_consent_with_risk: early help closed because the family did not consent, with risk noted.
- malicious_without_assessment: a family member's referral deemed malicious with no multi-agency
  assessment, followed by signs of harm.
- case_study_1 ... case_study_5: the five case studies of the NPCC guidance (section 9).

The base simulation is built so that the instances of children_present_no_referral, feedback_overdue,
malicious_without_assessment and eh_closed_no_consent_with_risk (risk noted at closure) listed here are the
only ones in the county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ingest.synthetic.events import (
    Assessment,
    Concern,
    EHEpisode,
    Encounter,
    Events,
    Maternity,
    Occurrence,
    Referral,
    Supervision,
    TenancyEvent,
)
from ingest.synthetic.output import Ctx, pid_text
from ingest.synthetic.simulate import Sim
from ingest.synthetic.world import END, LOW, MEDIUM, OTHER_ADULT, PARTNER, UNBORN, YEAR, World

Keyed = Any  # any event object with a `key` (and for some a second key)


@dataclass
class Planted:
    type: str
    description: str
    people: dict[int, str]  # true person id -> role in the pattern
    events: list[Keyed] = field(default_factory=list)
    person_records: list[tuple[str, int]] = field(default_factory=list)  # (agency, pid): all their records
    dates: dict[str, int] = field(default_factory=dict)
    notes: str = ""
    emergent: bool = False  # labelled from the world, not planted (emergent.py)
    record_keys: list[str] = field(default_factory=list)  # records named by key (a school's attendance row)


class Planter:
    def __init__(self, world: World, events: Events, sim: Sim, seed: int) -> None:
        self.w, self.ev, self.sim = world, events, sim
        self.rnd = random.Random(seed * 1_000_003 + 4242)
        self.rng = np.random.default_rng([seed, 4242])
        self.used: set[int] = set()  # households already in a pattern
        self.used_children: set[int] = set()
        self.out: list[Planted] = []
        self.order = [int(h) for h in self.rng.permutation(world.n_hh)]

    # --- helpers -------------------------------------------------------------------------------------------

    def households(self, ok: Any, k: int) -> list[int]:
        got = []
        for h in self.order:
            if h in self.used or not self.w.children[h]:
                continue
            if ok(h):
                self.used.add(h)
                got.append(h)
                if len(got) == k:
                    break
        return got

    def man(self, age: float, role: int = OTHER_ADULT, hh: int = -1) -> int:
        w, rnd = self.w, self.rnd
        fore = rnd.choice(w.pools.male)
        sur = w.pools.surnames[int(self.rng.choice(len(w.pools.surnames), p=w.pools.surname_p))]
        dob = w.ref - int(age * YEAR) - rnd.randrange(0, 300)
        return w.add_person("M", dob, fore, sur, role, hh)

    def woman(self, age: float) -> int:
        w, rnd = self.w, self.rnd
        sur = w.pools.surnames[int(self.rng.choice(len(w.pools.surnames), p=w.pools.surname_p))]
        return w.add_person("F", w.ref - int(age * YEAR), rnd.choice(w.pools.female), sur, OTHER_ADULT)

    def live_at(self, pid: int, addr: int, since: int) -> None:
        w = self.w
        prev = w.new_address(self.rng)
        w.own_res[pid] = [(prev, w.start - 2000, since), (addr, since, END)]

    def ensure_csc(self, child: int) -> None:
        if child not in self.ev.csc_adults:
            self.ev.csc_adults[child] = self.sim.csc_adults_of(child)

    def kids(self, h: int, lo: float = 0, hi: float = 18) -> list[int]:
        return [c for c in self.w.children[h] if lo <= self.w.age_years(c, self.w.ref) < hi]

    def occurrence(self, **kw: Any) -> Occurrence:
        occ = Occurrence(**kw)
        self.ev.occurrences.append(occ)
        return occ

    # --- patterns ----------------------------------------------------------------------------------------------

    def hidden_adult(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        cands = self.households(
            lambda h: int(w.mother[h]) >= 0 and int(w.father[h]) < 0 and int(w.partner[h]) < 0
            and bool(self.kids(h, 0.5, 10)) and int(w.need[h]) <= MEDIUM,
            k,
        )  # fmt: skip
        for h in cands:
            m = int(w.mother[h])
            moved_in = w.ref - rnd.randrange(120, 420)
            him = self.man(w.age_years(m, w.ref) + rnd.uniform(-3, 8), PARTNER, h)
            w.partner[h] = him
            w.partner_from[h] = moved_in
            w.own_res[him] = [(w.new_address(self.rng), w.start - 2000, moved_in)]
            w.rels.append((m, him, "partner", moved_in - rnd.randrange(30, 200), None))
            for c in w.children[h]:
                w.rels.append((him, c, "step-parent", moved_in, None))
            for agency in ("csc", "health", "education", "early_help", "housing"):
                ev.hide(agency, him)
            ex = self.woman(w.age_years(him, w.ref) - rnd.uniform(0, 6))
            old_home = w.own_res[him][0][0]
            w.own_res[ex] = [(old_home, w.start - 2000, END)]
            w.rels.append((ex, him, "ex-partner", moved_in - 2000, moved_in - 200))
            occs = []
            for i in range(rnd.choice((2, 3))):
                day = moved_in - rnd.randrange(250, 1400)
                grade = ("standard", "medium", "high")[min(i, 2)]
                occs.append(self.occurrence(
                    kind="da_incident", day=day, persons=[(ex, "victim"), (him, "suspect")], addr=old_home,
                    dash=grade, summary=f"Domestic incident at his then partner's home, DASH {grade}",
                    basis="opinion",
                ))  # fmt: skip
            ev.police_flags.append((him, "da_perpetrator", None, occs[-1].day, None))
            ev.police_links.append((ex, him, "ex-partner", None, moved_in - 200))
            last = self.occurrence(
                kind="police_incident", day=w.ref - rnd.randrange(10, 90),
                persons=[(m, "victim"), (him, "suspect")], addr=w.current_address(m),
                summary="Neighbour reports a man shouting at the address; he had left when officers arrived",
                basis="opinion",
            )  # fmt: skip
            occs.append(last)
            people = {him: "hidden adult", m: "mother", ex: "previous partner (victim)"}
            people.update({c: "child in the household" for c in w.children[h]})
            self.out.append(
                Planted(
                    "hidden_adult",
                    "The mother's new partner, known to police for domestic abuse against a previous partner, "
                    "lives with the children; he is absent from social care, health and education records.",
                    people,
                    events=occs,
                    person_records=[("police", him)] + [("education", c) for c in w.children[h]],
                    dates={"moved_in": moved_in, "last_police_incident": last.day},
                )
            )

    def unborn_father_on_probation(self, k: int, case_study: bool = False) -> list[Planted]:
        w, ev, rnd = self.w, self.ev, self.rnd
        cands = self.households(
            lambda h: int(w.mother[h]) >= 0 and int(w.unborn[h]) < 0 and 18 < w.age_years(int(w.mother[h]),
                                                                                          w.ref) < 38
            and int(w.need[h]) <= MEDIUM,
            k,
        )  # fmt: skip
        made = []
        for h in cands:
            m = int(w.mother[h])
            due = w.ref + rnd.randrange(40, 170)
            unborn = w.add_person("U", due, "", w.surname[m], UNBORN, h)
            w.unborn[h] = unborn
            booking = min(due - rnd.randrange(200, 230), w.ref - 5)
            dad = self.man(w.age_years(m, w.ref) + rnd.uniform(-2, 9))
            w.own_res[dad] = [(w.new_address(self.rng), w.start - 2000, END)]
            w.rels.append((dad, unborn, "parent", due, None))
            w.rels.append((m, dad, "partner", booking - rnd.randrange(100, 400), None))
            w.rels.append((m, unborn, "parent", due, None))
            ev.hide("csc", dad)
            ev.hide("csc", unborn)
            mat = Maternity(mother=m, booking_day=booking, edd=due, outcome="ongoing", outcome_day=None, baby=None,
                            partner=dad, partner_is_father=True, unborn=unborn)  # fmt: skip
            ev.maternity.append(mat)
            enc = Encounter(pid=m, kind="antenatal-booking", day=booking, reason="booking appointment",
                            recorder="midwife")  # fmt: skip
            ev.encounters.append(enc)
            crimes = []
            offence = rnd.choice(("violence", "domestic_abuse"))
            for _ in range(rnd.choice((1, 2))):
                day = booking - rnd.randrange(300, 1500)
                crimes.append(self.occurrence(
                    kind="crime", day=day, persons=[(dad, "suspect"), (self.sim.neighbour(), "victim")],
                    place="Town centre", crime="violence_against_person", summary="Assault occasioning ABH",
                    recorder="DC",
                ))  # fmt: skip
            sup = Supervision(pid=dad, order="licence", start=crimes[-1].day + rnd.randrange(60, 200), end=None,
                              offence=offence, rosh="high", risk_to_children=True, mappa_category=None,
                              mappa_level=None)  # fmt: skip
            sup.end = sup.start + rnd.randrange(700, 1400)
            ev.supervisions.append(sup)
            ev.police_flags.append((dad, "violence", None, sup.start, None))
            p = Planted(
                "case_study_5" if case_study else "unborn_father_on_probation",
                "An unborn baby (mother booked with maternity) whose named father is on probation for "
                + ("violence" if offence == "violence" else "domestic abuse")
                + ", assessed as a risk to children; no agency has put the pieces together.",
                {unborn: "unborn child", m: "mother", dad: "father (named at booking)"},
                events=[mat, enc, sup, *crimes],
                person_records=[("probation", dad), ("police", dad), ("health", dad)],
                dates={"booking": booking, "expected_delivery": due, "supervision_start": sup.start},
            )
            self.out.append(p)
            made.append(p)
        return made

    def adult_around_households(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        for _ in range(k):
            homes = self.households(lambda h: int(w.mother[h]) >= 0 and bool(self.kids(h, 1, 16)), 3)
            if len(homes) < 3:
                return
            adult = self.man(rnd.uniform(24, 50))
            w.own_res[adult] = [(w.new_address(self.rng), w.start - 2000, END)]
            occs = []
            people = {adult: "adult around several households"}
            for h in homes:
                m = int(w.mother[h])
                day = w.ref - rnd.randrange(30, 700)
                kids = self.kids(h, 1, 16)
                occ = self.occurrence(
                    kind="police_incident", day=day, persons=[(m, "reporter"), (adult, "subject")]
                    + [(c, "present") for c in kids], addr=w.address_at(m, day), children_present=True,
                    summary="Disturbance: a male visitor refusing to leave the address", basis="fact",
                )  # fmt: skip
                self.sim.refer_if_children(occ, kids)
                for c in kids:
                    self.ensure_csc(c)
                occs.append(occ)
                people[m] = "mother"
                people.update({c: "child" for c in w.children[h]})
                w.rels.append((adult, m, "associate", day - 100, None))
            h0, h1, h2 = homes
            extra = ev.notes.setdefault("extra_pupil_contacts", [])
            for h in (h0, h1):
                for c in self.kids(h, 4.5, 16):
                    extra.append((c, adult, "carer"))
            child = self.kids(h2, 1, 16)[0]
            ev.related.append((child, adult, "FAMMEMB"))
            enc = Encounter(pid=child, kind="ae-attendance", day=w.ref - rnd.randrange(5, 200),
                            reason="bruising to the arm", participant=adult, basis="opinion")  # fmt: skip
            ev.encounters.append(enc)
            self.out.append(
                Planted(
                    "adult_around_households",
                    "One adult is seen at three households with children: police incidents at each address, "
                    "a school contact for two families' children, and he brought a third family's child to A&E.",
                    people,
                    events=[*occs, enc],
                    person_records=[("police", adult), ("education", adult), ("health", adult)],
                    dates={"first_seen": min(o.day for o in occs), "last_seen": max(o.day for o in occs)},
                )
            )

    def shared_address(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        for h in self.households(lambda h: int(w.mother[h]) >= 0 and bool(self.kids(h, 2, 15)), k):
            home, since_family, _ = w.hh_res[h][-1]
            since = max(since_family, w.ref - rnd.randrange(100, 600))
            rso = self.man(rnd.uniform(35, 60))
            self.live_at(rso, home, since)
            crime = self.occurrence(
                kind="crime", day=since - rnd.randrange(1500, 3000), persons=[(rso, "suspect"), (self.sim.neighbour(),
                                                                                                  "victim")],
                place="Recreation ground, Lowerby", crime="sexual_offence", summary="Sexual offence against a child",
                recorder="DC",
            )  # fmt: skip
            sup = Supervision(pid=rso, order="licence", start=since - rnd.randrange(30, 300), end=None,
                              offence="sexual", rosh="high", risk_to_children=True, mappa_category="1",
                              mappa_level="1")  # fmt: skip
            sup.end = sup.start + 3 * 365
            ev.supervisions.append(sup)
            ev.police_flags.append((rso, "sexual_offending", None, sup.start, None))
            ev.police_flags.append((rso, "mappa", "1", sup.start, None))
            ev.notes.setdefault("probation_child_contact", set()).add(rso)
            events: list[Keyed] = [crime, sup]
            m = int(w.mother[h])
            if w.social_housing[h]:
                for ten in ev.tenancies:
                    if ten.addr == home:
                        te = TenancyEvent(kind="unauthorised_occupant", day=since + rnd.randrange(30, 90),
                                          occupant=m, summary="Neighbour says a man is lodging at the property",
                                          basis="opinion")  # fmt: skip
                        ten.events.append(te)
                        events.append(te)
                        break
            people = {rso: "registered sex offender (MAPPA category 1)", m: "mother"}
            people.update({c: "child at the address" for c in w.children[h]})
            self.out.append(
                Planted(
                    "shared_address",
                    "A registered sex offender on licence gives as his address the home of a family with "
                    "children (probation and police hold it; school and health hold the children there).",
                    people,
                    events=events,
                    person_records=[("probation", rso), ("police", rso)]
                    + [("education", c) for c in w.children[h]],
                    dates={"moved_in": since},
                )
            )

    def co_occurring_missing(self, k: int) -> None:
        w, rnd = self.w, self.rnd
        for _ in range(k):
            homes = self.households(lambda h: bool(self.kids(h, 13.5, 17)), rnd.choice((3, 4)))
            if len(homes) < 3:
                return
            days = sorted(w.ref - rnd.randrange(20, 400) for _ in range(3))
            eps = []
            people = {}
            for h in homes:
                c = self.kids(h, 13.5, 17)[0]
                people[c] = "young person"
                got = self.sim.missing_run(c, h, 3, days=[d + rnd.choice((0, 0, 1)) for d in days])
                eps.extend(got)
                self.ensure_csc(c)
            self.out.append(
                Planted(
                    "co_occurring_missing",
                    "Young people from different families go missing on the same days (a sign of exploitation "
                    "or a shared adult).",
                    people,
                    events=[e.occurrence for e in eps] + eps,
                    dates={f"missing_{i + 1}": d for i, d in enumerate(days)},
                )
            )

    def slow_build_up(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        for h in self.households(
            lambda h: int(w.need[h]) == LOW and int(w.mother[h]) >= 0 and bool(self.kids(h, 6, 12))
            and all(c not in ev.csc_adults for c in w.children[h]),
            k,
        ):  # fmt: skip
            c = self.kids(h, 6, 12)[0]
            m = int(w.mother[h])
            t0 = w.ref - rnd.randrange(480, 560)
            span = w.ref - 20 - t0
            events: list[Keyed] = []
            for i in range(3):
                e = Encounter(pid=c, kind="was-not-brought", day=t0 + span * (i + 1) // 5, reason="paediatric "
                              "outpatient", participant=m, recorder="clinic administrator")  # fmt: skip
                ev.encounters.append(e)
                events.append(e)
            for i in range(2):
                e = Encounter(
                    pid=c,
                    kind="ae-attendance",
                    day=t0 + span * (2 * i + 2) // 6,
                    reason="minor head injury" if i == 0 else "burn to the hand",
                    participant=m,
                    basis="opinion",
                )
                ev.encounters.append(e)
                events.append(e)
            ev.absence_trend[c] = 0.025
            ev.absence[c] = 1.5
            occ = self.occurrence(
                kind="police_incident", day=t0 + span // 2, persons=[(m, "subject"), (self.sim.neighbour(),
                                                                                       "reporter")],
                addr=w.address_at(m, t0 + span // 2), summary="Welfare check: neighbour heard a child crying late "
                "at night; adult said all fine", basis="opinion",
            )  # fmt: skip
            events.append(occ)
            con = Concern(organisation="Westmoor Youth Club", org_type="youth_club", day=t0 + span * 3 // 4,
                          category="wellbeing", summary="Child often hungry and wearing the same clothes",
                          legal_basis="legitimate_interests", consent_by=None, shared_day=t0 + span * 3 // 4 + 2,
                          persons=[(c, "subject", False)])  # fmt: skip
            ev.concerns.append(con)
            events.append(con)
            contact = self.sim.add_contact(
                c, w.ref - rnd.randrange(15, 40), "2A", "School: attendance falling, child tired and hungry"
            )
            contact.outcome = "advice"
            self.ensure_csc(c)
            events.append(contact)
            self.out.append(
                Planted(
                    "slow_build_up",
                    "Low-level concerns build up across agencies over about 18 months (missed appointments, "
                    "A&E visits, falling attendance, a welfare call, a youth club concern); the one contact to "
                    "social care is closed with advice.",
                    {c: "child", m: "mother"},
                    events=events,
                    person_records=[("education", c)],
                    dates={"first_concern": t0 + span // 5, "contact": contact.day},
                )
            )

    def children_present_no_referral(self, k: int) -> None:
        w, rnd = self.w, self.rnd
        for h in self.households(lambda h: int(w.mother[h]) >= 0 and bool(self.kids(h, 1, 16)) and (
                int(w.father[h]) >= 0 or int(w.partner[h]) >= 0), k):  # fmt: skip
            m = int(w.mother[h])
            day = w.ref - rnd.randrange(10, 500)
            perp = self.sim.perpetrator_of(h, day)
            if perp < 0:
                perp = int(w.father[h]) if int(w.father[h]) >= 0 else int(w.partner[h])
            kids = self.kids(h, 1, 16)
            occ = self.occurrence(
                kind="da_incident", day=day, persons=[(m, "victim"), (perp, "suspect")] + [(c, "present") for c in
                                                                                            kids],
                addr=w.address_at(m, day), dash=rnd.choice(("standard", "medium")), children_present=True,
                summary="Domestic incident, children in the house; officer recorded 'no safeguarding concerns'",
                basis="opinion",
            )  # fmt: skip
            people = {m: "victim", perp: "suspect"}
            people.update({c: "child present" for c in kids})
            self.out.append(
                Planted(
                    "children_present_no_referral",
                    "A domestic abuse incident with children present that the force did not refer to social "
                    "care.",
                    people,
                    events=[occ],
                    dates={"incident": day},
                )  # fmt: skip
            )

    def feedback_overdue(self, k: int) -> None:
        w, ev = self.w, self.ev
        picked = 0
        refs = [c.referral for c in ev.contacts if c.outcome == "referral" and c.referral is not None]
        self.rnd.shuffle(refs)
        for r in refs:
            if picked >= k:
                break
            if r.source in ("1A", "1B", "1C", "1D", "9", "10") or r.day < w.ref - 300 or r.day > w.ref - 10:
                continue
            if r.malicious or r.child in self.used_children:
                continue
            r.feedback_day = None
            picked += 1
            self.used_children.add(r.child)
            self.out.append(
                Planted(
                    "feedback_overdue",
                    "A professional's referral with no feedback to the referrer on the decision (due within "
                    "one working day).",
                    {r.child: "child"},
                    events=[r],
                    dates={"referral": r.day},
                )  # fmt: skip
            )

    def eh_no_consent_with_risk(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        for h in self.households(lambda h: int(w.need[h]) >= MEDIUM and int(w.mother[h]) >= 0 and bool(
                self.kids(h, 1, 16)) and (int(w.father[h]) >= 0 or int(w.partner[h]) >= 0), k):  # fmt: skip
            m = int(w.mother[h])
            day = w.ref - rnd.randrange(60, 500)
            perp = self.sim.perpetrator_of(h, day)
            if perp < 0:
                perp = int(w.father[h]) if int(w.father[h]) >= 0 else int(w.partner[h])
            kids = self.kids(h, 1, 16)
            occ = self.occurrence(
                kind="da_incident", day=day, persons=[(m, "victim"), (perp, "suspect")] + [(c, "present") for c in
                                                                                            kids],
                addr=w.address_at(m, day), dash="medium", children_present=True,
                summary="Domestic incident, DASH medium, children present", basis="opinion",
            )  # fmt: skip
            self.sim.refer_if_children(occ, kids)
            for c in kids:
                self.ensure_csc(c)
            ep = EHEpisode(child=kids[0], referral_day=day + 5, source="6", reason="domestic_abuse", consent="N",
                           start=None, end=day + rnd.randrange(20, 45), closure="no_consent", risk_noted=True,
                           summary="Parents declined early help; concerns about domestic abuse remain",
                           referrer_ref=occ)  # fmt: skip
            ev.eh.append(ep)
            people = {m: "mother", perp: "suspect"}
            people.update({c: "child" for c in kids})
            self.out.append(
                Planted(
                    "eh_closed_no_consent_with_risk",
                    "Early help closed because the family did not agree to the service, while the worker "
                    "noted continuing risk (domestic abuse with children present weeks before).",
                    people,
                    events=[occ, ep],
                    dates={"incident": day, "closed": ep.end or day},
                )  # fmt: skip
            )

    def malicious_without_assessment(self, k: int) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        for h in self.households(lambda h: int(w.mother[h]) >= 0 and int(w.grandparent[h]) >= 0 and bool(
                self.kids(h, 0.5, 8)), k):  # fmt: skip
            c = self.kids(h, 0.5, 8)[0]
            g = int(w.grandparent[h])
            day = w.ref - rnd.randrange(150, 500)
            con = self.sim.add_contact(c, day, "1A", "Grandmother reports bruises on the child and says the "
                                       "mother's partner is rough with him")  # fmt: skip
            ref = Referral(child=c, day=day, source="1A", need_code="N1", threshold="L1", nfa=True,
                           feedback_day=day + 1, close_day=day + 2, close_reason="RC8", malicious=True,
                           malicious_by="Team manager", malicious_day=day + 2, multi_agency=False,
                           referrer_relationship="grandmother", contact=con)  # fmt: skip
            con.outcome = "referral"
            con.referral = ref
            self.ensure_csc(c)
            if g not in ev.csc_adults[c]:
                ev.csc_adults[c].append(g)
            later = Encounter(pid=c, kind="ae-attendance", day=min(day + rnd.randrange(40, 140), w.ref - 1),
                              reason="fractured arm; explanation: fell off the sofa", basis="opinion",
                              participant=int(w.mother[h]))  # fmt: skip
            ev.encounters.append(later)
            self.out.append(
                Planted(
                    "malicious_without_assessment",
                    "A grandmother's referral about bruising is deemed malicious by a manager without a "
                    "multi-agency assessment; the child attends A&E with a fracture weeks later.",
                    {c: "child", g: "referrer (grandmother)", int(w.mother[h]): "mother"},
                    events=[con, ref, later],
                    dates={"referral": day, "ae_attendance": later.day},
                )  # fmt: skip
            )

    # --- the five case studies ------------------------------------------------------------------------------------

    def case_1(self) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd

        def ok(h: int) -> bool:
            boys = [c for c in self.kids(h, 6, 9) if w.sex[c] == "M"]
            girls = [c for c in self.kids(h, 2, 4.5) if w.sex[c] == "F"]
            return int(w.mother[h]) >= 0 and bool(boys) and bool(girls)

        hs = self.households(ok, 1) or self.households(lambda h: int(w.mother[h]) >= 0 and len(
            self.kids(h, 1, 12)) >= 2, 1)  # fmt: skip
        if not hs:
            return
        h = hs[0]
        m = int(w.mother[h])
        boy = next((c for c in self.kids(h, 6, 9) if w.sex[c] == "M"), self.kids(h, 1, 12)[-1])
        sister = next((c for c in self.kids(h, 1, 12) if c != boy), boy)
        day = w.ref - rnd.randrange(30, 120)
        earlier = EHEpisode(child=boy, referral_day=day - 150, source="2A", reason="behaviour", consent="Y",
                            start=day - 140, end=None, closure=None, risk_noted=False,
                            summary="Parenting support: son's behaviour at home")  # fmt: skip
        occ = self.occurrence(
            kind="cpnci", day=day, persons=[(m, "reporter"), (boy, "subject"), (sister, "present")],
            addr=w.address_at(m, day), children_present=True,
            summary='Mother reports her 7 year old son is "attacking everyone", throwing things, nearly hit his 3 '
            "year old sister; under early help, advised to contact social care. Recorded as CPNCI, referred to "
            "the Early Help Unit; consent given as mother clearly seeking support.", basis="opinion",
        )  # fmt: skip
        ep = EHEpisode(child=boy, referral_day=day + 1, source="6", reason="behaviour", consent="Y", start=None,
                       end=None, closure=None, risk_noted=False,
                       summary="Early help asks police to confirm the parent is aware of and consents to the "
                       "referral before it is accepted", referrer_ref=occ)  # fmt: skip
        ev.eh.extend([earlier, ep])
        people = {boy: "child (7, subject)", sister: "sister (3)", m: "mother (reporter)"}
        self.out.append(Planted("case_study_1", "Guidance case 1: police refer a CPNCI to early help with the "
                                "mother's consent; early help blocks it asking for consent again.", people,
                                events=[occ, earlier, ep], dates={"incident": day}))  # fmt: skip
        self.out.append(Planted("children_present_no_referral", "Case study 1's CPNCI: a child present, referred "
                                "to early help, not to social care.", people, events=[occ],
                                dates={"incident": day}))  # fmt: skip

    def case_2(self) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        c_man = self.man(rnd.uniform(30, 40))
        w.own_res[c_man] = [(w.new_address(self.rng), w.start - 3000, END)]
        acquitted = w.ref - int(9 * YEAR)
        events: list[Keyed] = []
        for offset, cat, summary in (
            (3000, "violence_against_person", "GBH: convicted"),
            (2600, "violence_against_person", "Battery: convicted"),
            (2300, "weapons", "Possession of an offensive weapon: convicted"),
            (0, "sexual_offence", "Sexual activity with a 15-year-old child: acquitted at trial"),
        ):
            events.append(self.occurrence(
                kind="crime", day=acquitted - offset - 200, persons=[(c_man, "suspect")], place="Ashby Marsh",
                crime=cat, summary=summary, recorder="DC",
            ))  # fmt: skip
        ev.police_flags.append((c_man, "violence", None, acquitted - 3000, None))
        ev.police_flags.append((c_man, "weapons", None, acquitted - 2300, None))
        back = w.ref - int(5.7 * YEAR)
        con = Concern(organisation="National cricket governing body (safeguarding)", org_type="sports_club",
                      day=back, category="adult_risk",
                      summary="Player suspended pending investigation after a 2017 acquittal (sexual activity with "
                      "a 15-year-old); convictions for GBH, battery and an offensive weapon; disappeared, now "
                      "playing at a club again. Disclosure requested from police with his written consent.",
                      legal_basis="consent", consent_by="the player himself (written consent)",
                      shared_day=back + 7, persons=[(c_man, "subject", False)])  # fmt: skip
        ev.concerns.append(con)
        events.append(con)
        self.out.append(Planted("case_study_2", "Guidance case 2: a third-sector (cricket) request about Male C, "
                                "acquitted of a sexual offence against a child, with violent convictions, shared "
                                "with his consent.", {c_man: "Male C"}, events=events,
                                person_records=[("police", c_man), ("third_sector", c_man)],
                                dates={"acquitted": acquitted, "reappeared": back}))  # fmt: skip

    def case_3(self) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        hs = self.households(lambda h: int(w.father[h]) >= 0 and any(
            w.sex[c] == "M" for c in self.kids(h, 13, 16)), 1)  # fmt: skip
        if not hs:
            return
        h = hs[0]
        f, m = int(w.father[h]), int(w.mother[h])
        child = next(c for c in self.kids(h, 13, 16) if w.sex[c] == "M")
        day = w.ref - rnd.randrange(120, 300)
        home = w.address_at(f, day)
        occ1 = self.occurrence(kind="crime", day=day, persons=[(child, "suspect")], place="Recreation ground, Lowerby",
                               crime="drugs", summary="Child found in possession of cannabis; discloses his father "
                               "provided it", recorder="PC")  # fmt: skip
        occ2 = self.occurrence(kind="crime", day=day + 3, persons=[(f, "suspect")] + [(c, "present") for c in
                               self.kids(h, 0, 18)], addr=home, crime="drugs", children_present=True,
                               summary="Cannabis cultivation found in the family home and dismantled",
                               recorder="DC")  # fmt: skip
        self.sim.refer_if_children(occ2, self.kids(h, 0, 18))
        for c in self.kids(h, 0, 18):
            self.ensure_csc(c)
        con = next(c for c in ev.contacts if c.referrer_ref is occ2 and c.child == child)
        ref = Referral(child=child, day=con.day, source="6", need_code="N5", threshold="L2", nfa=True,
                       feedback_day=con.day + 1, contact=con)  # fmt: skip
        ref.assessment = Assessment(start=con.day + 2, auth=con.day + 12, factors=["2A", "2B"], nfa=True)
        ref.close_day, ref.close_reason = con.day + 12, "RC9"
        con.outcome, con.referral = "referral", ref
        ep = EHEpisode(child=child, referral_day=con.day + 15, source="5A", reason="substance_misuse", consent="N",
                       start=None, end=con.day + 40, closure="no_consent", risk_noted=True,
                       summary="Stepped down by social care; parents declined early help. Risk from the family's "
                       "criminality remains; no service in place", referrer_ref=ref, in_csc=True)  # fmt: skip
        ref.stepdown = ep
        ev.eh.append(ep)
        people = {child: "child (found with cannabis)", f: "father (cultivation)", m: "mother"}
        for t in ("case_study_3", "eh_closed_no_consent_with_risk"):
            self.out.append(Planted(t, "Guidance case 3: father supplies cannabis, cultivation at home; social care "
                                    "steps down to early help, which closes for lack of consent: the child is left "
                                    "with no support.", people, events=[occ1, occ2, con, ref, ep],
                                    dates={"found": day, "closed": ep.end or day}))  # fmt: skip

    def case_4(self) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        hs = self.households(lambda h: int(w.partner[h]) >= 0 and int(w.partner_from[h]) < w.ref - 400 and bool(
            self.kids(h, 5, 16)) and not ev.is_hidden("health", int(w.partner[h])), 1)  # fmt: skip
        if not hs:
            return
        h = hs[0]
        step, m = int(w.partner[h]), int(w.mother[h])
        stepson = self.kids(h, 5, 16)[0]
        day = w.ref - rnd.randrange(60, 200)
        home = w.address_at(m, day)
        earlier = [self.occurrence(kind="police_incident", day=day - gap, persons=[(m, "reporter"), (step,
                                   "subject")], addr=home, summary="Verbal argument between husband and wife",
                                   basis="fact") for gap in (300, 120)]  # fmt: skip
        occ = self.occurrence(
            kind="police_incident", day=day, persons=[(step, "subject"), (m, "reporter"), (stepson, "present")],
            addr=home, children_present=True,
            summary="Stepfather expressing suicidal ideation; his drugs kept in the stepson's bedroom; verbal "
            "arguments between husband and wife, not the first incident. Could not share with mental health "
            "(no consent from him).", basis="opinion",
        )  # fmt: skip
        self.sim.refer_if_children(occ, [stepson])
        self.ensure_csc(stepson)
        con = next(c for c in ev.contacts if c.referrer_ref is occ)
        con.outcome = "early_help"
        ep = EHEpisode(child=stepson, referral_day=con.day + 3, source="6", reason="mental_health", consent="N",
                       start=None, end=con.day + 35, closure="no_consent", risk_noted=True,
                       summary="MASH assessment refused, stepped down; parents did not consent to early help; "
                       "closed", referrer_ref=con)  # fmt: skip
        ev.eh.append(ep)
        gp = Encounter(pid=step, kind="gp-consultation", day=day - 40, reason="low mood, thoughts of suicide",
                       basis="opinion", recorder="GP")  # fmt: skip
        ev.encounters.append(gp)
        people = {stepson: "stepson", step: "stepfather", m: "mother"}
        for t in ("case_study_4", "eh_closed_no_consent_with_risk"):
            self.out.append(Planted(t, "Guidance case 4: stepfather's suicidal ideation and drugs in the stepson's "
                                    "room; MASH refuses, early help closes for lack of consent: escalate.", people,
                                    events=[*earlier, occ, con, ep, gp],
                                    dates={"incident": day, "closed": ep.end or day}))  # fmt: skip

    def case_5(self) -> None:
        w, ev, rnd = self.w, self.ev, self.rnd
        made = self.unborn_father_on_probation(1, case_study=True)
        if not made:
            return
        p = made[0]
        dad = next(pid for pid, role in p.people.items() if role.startswith("father"))
        gp = Encounter(pid=dad, kind="gp-consultation", day=w.ref - rnd.randrange(100, 400),
                       reason="anger and alcohol use", basis="opinion", recorder="GP")  # fmt: skip
        ev.encounters.append(gp)
        ev.extra_people.setdefault("health", {})[dad] = gp.day
        p.events.append(gp)
        p.description = ("Guidance case 5: an unborn baby; the mother's records are reviewed, the father's are not "
                         "(no trigger), yet he is on probation for violence and his GP has recorded anger and "
                         "alcohol use.")  # fmt: skip


def plant(world: World, events: Events, sim: Sim, seed: int) -> list[Planted]:
    p = Planter(world, events, sim, seed)
    k = max(2, world.cfg.children // 2500)
    p.case_1()
    p.case_2()
    p.case_3()
    p.case_4()
    p.case_5()
    p.hidden_adult(k)
    p.unborn_father_on_probation(k)
    p.adult_around_households(max(1, k // 2))
    p.shared_address(k)
    p.co_occurring_missing(max(1, k // 2))
    p.slow_build_up(k)
    p.children_present_no_referral(k)
    p.feedback_overdue(k)
    p.eh_no_consent_with_risk(k)
    p.malicious_without_assessment(k)
    return p.out


def materialise(planted: list[Planted], ctx: Ctx) -> list[dict[str, Any]]:
    out = []
    counts: dict[str, int] = {}
    for p in planted:
        counts[p.type] = counts.get(p.type, 0) + 1
        keys: list[str] = []
        for e in p.events:
            for attr in ("key", "csc_key", "key903"):
                value = getattr(e, attr, "")
                if value and value not in keys:
                    keys.append(value)
            if not getattr(e, "key", ""):
                raise RuntimeError(f"pattern {p.type}: event {type(e).__name__} was not written")
        keys.extend(k for k in dict.fromkeys(p.record_keys) if k not in keys)
        for agency, pid in p.person_records:
            for key in ctx.truth.keys_of(agency, pid):
                if key not in keys:
                    keys.append(key)
        out.append(
            {
                "pattern_id": f"{p.type}-{counts[p.type]:03d}",
                "type": p.type,
                "description": p.description,
                "person_ids": [pid_text(pid) for pid in p.people],
                "roles": {pid_text(pid): role for pid, role in p.people.items()},
                "record_keys": keys,
                "dates": {name: ctx.iso(day) for name, day in p.dates.items()},
                "emergent": p.emergent,
            }
        )
    return out


def base_rates(ctx: Ctx) -> dict[str, Any]:
    """Measured rates, as the DfE counts them: of the referrals in the last 12 months, how many came within
    12 months of a previous referral of the same child."""
    ref = ctx.world.ref
    refs = sorted(
        (c.referral.child, c.referral.day)
        for c in ctx.events.contacts
        if c.outcome == "referral" and c.referral
    )
    in_year = re = 0
    for i, (child, day) in enumerate(refs):
        if day <= ref - 365:
            continue
        in_year += 1
        if i and refs[i - 1][0] == child and day - refs[i - 1][1] <= 365:
            re += 1
    children = ctx.world.cfg.children
    return {
        "referrals_total": len(refs),
        "referrals_last_12_months": in_year,
        "referrals_per_10000_children_last_12_months": round(in_year * 10000 / children, 1),
        "re_referral_rate_last_12_months": round(re / max(1, in_year), 3),
    }
