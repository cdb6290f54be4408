"""Emergent instances: situations the county's world holds that nobody planted, labelled from the world itself.

The base simulation keeps rules so that most patterns have only their planted instances, but a county of real
families makes some on its own: a 15-year-old victim of a crime whose record goes nowhere, a mother's partner
with a violent history whom no school, GP or social worker has written down, two teenagers who happen to go
missing on the same nights. A pattern that finds one of these is right, and the truth should say so.

Each labeller reads the world (true people, true dates, what really happened) and what each agency wrote
(``Truth.records`` and ``Truth.links``), never the graph or the queries' settings, and states a fact about the
world: "this child was involved in this incident and no contact about the child was made within three days".
The labels go to ``truth/patterns.json`` with ``"emergent": true``. ``queries/truth.py`` counts a finding that
points at one as correct (precision: is what the finding says true of the world?) and measures recall against
the planted instances only: a labeller may state more than a pattern's thresholds ask for (a hidden adult with
one old theft), so not every emergent instance is a finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ingest.synthetic.events import Events
from ingest.synthetic.output import Truth
from ingest.synthetic.patterns import Keyed, Planted
from ingest.synthetic.world import UNBORN, YEAR, World

# the police occurrences that are incidents (a missing episode has its own protocol: the return interview)
INCIDENT_KINDS = ("police_incident", "crime", "cpnci", "da_incident")
# "within three days": the guidance's next working day, over a weekend
REFERRAL_DAYS = 3
# two episodes are "at the same time" when they overlap, give or take a day (a night away, reported next morning)
SAME_TIME_SLACK_DAYS = 1
# a build-up of lower-level concerns: this many within a year, of this many kinds, from this many agencies (the
# low_level_concerns pattern's defaults, written down here, not read from its settings: fewer would label most
# families that meet a few services, and say little about whether a finding is true)
BUILD_UP, BUILD_UP_KINDS, BUILD_UP_AGENCIES = 6, 5, 4
HIDDEN_ADULT_TYPES = ("hidden_adult", "unborn_father_on_probation", "case_study_5", "shared_address")


def _child_on(w: World, pid: int, day: int) -> bool:
    born = int(w.dob[pid])
    return int(w.role[pid]) != UNBORN and born <= day and day - born < 18 * YEAR


def _keyed(events: Iterable[Keyed]) -> list[Keyed]:
    # an event no agency wrote is not in the county's data: nothing can point at it
    return [e for e in events if getattr(e, "key", "")]


def incidents_without_referral(w: World, ev: Events, taken: set[str]) -> list[Planted]:
    """A child (under 18 on the day, in any role but suspect) in a police incident, with no contact to social
    care and no early help referral about that child made within REFERRAL_DAYS of it."""
    told: dict[int, list[int]] = defaultdict(list)
    for con in ev.contacts:
        told[con.child].append(con.day)
    for ep in ev.eh:
        told[ep.child].append(ep.referral_day)
    out = []
    for occ in ev.occurrences:
        # before the county's years (w.start) the world holds crimes but no social care: whether anyone was
        # referred then is not known
        if (
            occ.kind not in INCIDENT_KINDS
            or not occ.key
            or occ.key in taken
            or not w.start <= occ.day <= w.ref
        ):
            continue
        for pid, role in occ.persons:
            if role == "suspect" or not _child_on(w, pid, occ.day):
                continue
            if any(occ.day <= d <= occ.day + REFERRAL_DAYS for d in told.get(pid, ())):
                continue
            age = int((occ.day - int(w.dob[pid])) // YEAR)
            out.append(
                Planted(
                    "child_involved_no_referral",
                    f"A child of {age} ({role}) in a police record ({occ.kind.replace('_', ' ')}); no contact to social "
                    f"care or early help about the child within {REFERRAL_DAYS} days (emergent: not planted).",
                    {pid: f"child ({role})"},
                    events=[occ],
                    dates={"incident": occ.day},
                    emergent=True,
                )
            )
    return out


def missing_together(w: World, ev: Events, taken: set[str]) -> list[Planted]:
    """Two children missing at the same time (episodes overlapping, give or take a day) on two or more
    occasions."""
    episodes = sorted((e for e in ev.missing if e.key and e.start <= w.ref), key=lambda e: (e.start, e.child))
    by_day: dict[int, list[int]] = defaultdict(list)
    for i, e in enumerate(episodes):
        for day in range(e.start - SAME_TIME_SLACK_DAYS, (e.end if e.end is not None else w.ref) + 1):
            by_day[day].append(i)
    together: dict[tuple[int, int], set[int]] = defaultdict(set)  # (child, other) -> the child's episodes
    for idx in by_day.values():
        for i in idx:
            for j in idx:
                a, b = episodes[i], episodes[j]
                if a.child != b.child:
                    together[(a.child, b.child)].add(i)
    out = []
    for (child, other), mine in sorted(together.items()):
        if child > other:
            continue
        theirs = together[(other, child)]
        if min(len(mine), len(theirs)) < 2:
            continue
        events = [episodes[i] for i in sorted(mine | theirs)]
        if {e.key for e in events} <= taken:
            continue
        out.append(
            Planted(
                "missing_together",
                f"Two children missing at the same time on {min(len(mine), len(theirs))} occasions "
                "(emergent: not planted).",
                {child: "young person", other: "young person"},
                events=_keyed([*(e.occurrence for e in events if e.occurrence), *events]),
                dates={f"missing_{k + 1}": e.start for k, e in enumerate(events)},
                emergent=True,
            )
        )
    return out


def _around(w: World, h: int, day: int) -> list[int]:
    """The adults around a household's children on a day: parents (resident or not), the mother's partner
    once he has moved in, her former partner."""
    out = [int(w.mother[h]), int(w.father[h]), int(w.absent_father[h]), int(w.ex_partner[h])]
    if int(w.partner[h]) >= 0 and int(w.partner_from[h]) <= day:
        out.append(int(w.partner[h]))
    return sorted({p for p in out if p >= 0})


def _histories(ev: Events) -> dict[int, list[tuple[int, Keyed]]]:
    """Adult -> (day, event) for each police or probation record of offending: a suspect in an incident, a
    supervision."""
    out: dict[int, list[tuple[int, Keyed]]] = defaultdict(list)
    for occ in ev.occurrences:
        for pid, role in occ.persons:
            if role == "suspect" and occ.key:
                out[pid].append((occ.day, occ))
    for sup in ev.supervisions:
        if sup.key:
            out[sup.pid].append((sup.start, sup))
    return out


def early_help_closed_with_risk(
    w: World, ev: Events, taken: set[str], history: dict[int, list[tuple[int, Keyed]]]
) -> list[Planted]:
    """Early help closed because the family did not consent while the child's world held risk in the year
    before: a domestic abuse incident at home, an adult around the child with a record of offending (or a
    police marker for violence, domestic abuse, sexual offending or MAPPA), the child missing or excluded.
    ``history``: _histories(ev)."""
    # each domestic abuse incident at an address, under each person in it (by its place in ev.occurrences, so
    # an episode's incidents keep that order)
    abuse: dict[int, list[int]] = defaultdict(list)
    for i, occ in enumerate(ev.occurrences):
        if occ.kind == "da_incident" and occ.addr is not None and occ.key:
            for pid, _role in occ.persons:
                abuse[pid].append(i)
    markers: dict[int, list[int]] = defaultdict(list)
    for pid, _kind, _level, start, _end in ev.police_flags:
        markers[pid].append(start)
    missing: dict[int, list[Keyed]] = defaultdict(list)
    for m in ev.missing:
        missing[m.child].append(m)
    excluded: dict[int, list[Keyed]] = defaultdict(list)
    for x in ev.exclusions:
        excluded[x.child].append(x)
    out = []
    for ep in ev.eh:
        if ep.closure != "no_consent" or ep.end is None or not ep.key or ep.key in taken:
            continue
        h, end = int(w.hh_of[ep.child]), ep.end
        since = end - 365
        adults = _around(w, h, end) if h >= 0 else []
        signals: list[Keyed] = []
        concerned: dict[int, str] = {}
        for a in adults:
            theirs = [e for day, e in history.get(a, ()) if day <= end and day >= end - 3 * 365]
            if theirs or any(day <= end for day in markers.get(a, ())):
                signals += theirs
                concerned[a] = "adult around the child with a record of offending"
        at_home = sorted({i for a in adults for i in abuse.get(a, ())})
        signals += [ev.occurrences[i] for i in at_home if since <= ev.occurrences[i].day <= end]
        signals += [m for m in missing.get(ep.child, ()) if since <= m.start <= end]
        signals += [x for x in excluded.get(ep.child, ()) if since <= x.day <= end]
        if not signals and not concerned:
            continue
        people = {ep.child: "child", **concerned}
        out.append(
            Planted(
                "eh_closed_no_consent_risk_present",
                "Early help closed for lack of consent while the child's world held risk (emergent: the "
                "family's need was low and nobody noted the risk at closure).",
                people,
                events=_keyed([ep, *signals]),
                dates={"closed": end},
                emergent=True,
            )
        )
    return out


def concerns_without_response(w: World, ev: Events, truth: Truth, taken: set[str]) -> list[Planted]:
    """Lower-level concerns about a child building up within a year, BUILD_UP or more of BUILD_UP_KINDS kinds
    from BUILD_UP_AGENCIES agencies (a missed appointment, an A&E visit, a term of persistent absence, an
    exclusion, a police incident, a third-sector concern, a contact to social care that went no further), with
    no referral, open social care involvement or early help from the first to a month after the last."""
    # child -> (day, agency, kind, record key) of each concern
    concerns: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    for enc in ev.encounters:
        if enc.kind in ("was-not-brought", "ae-attendance") and enc.key:
            concerns[enc.pid].append((enc.day, "health", enc.kind, enc.key))
    for pupil, key, term_start, _missed in truth.absences:
        concerns[pupil].append((term_start, "education", "persistent-absence", key))
    for x in ev.exclusions:
        if x.key:
            concerns[x.child].append((x.day, "education", "exclusion", x.key))
    for cme in ev.cme:
        if cme.key:
            concerns[cme.child].append((cme.reported, "education", "missing-education", cme.key))
    for occ in ev.occurrences:
        if occ.kind == "police_incident" and occ.key:
            for pid, role in occ.persons:
                if role != "reporter":  # a child who reports an incident is not its concern
                    concerns[pid].append((occ.day, "police", occ.kind, occ.key))
    for worry in ev.concerns:
        if worry.key:
            for pid, _role, _dob_known in worry.persons:
                concerns[pid].append((worry.day, "third_sector", "concern", worry.key))
    responses: dict[int, list[tuple[int, int]]] = defaultdict(list)  # child -> (from, to) of each response
    for con in ev.contacts:
        if con.outcome == "referral" and con.referral is not None:
            r = con.referral
            responses[con.child].append((r.day, r.close_day if r.close_day is not None else w.ref))
        elif con.key:
            concerns[con.child].append((con.day, "csc", "contact", con.key))
    for ep in ev.eh:
        responses[ep.child].append((ep.referral_day, ep.end if ep.end is not None else w.ref))
    out = []
    for child, found in concerns.items():
        if not _child_on(w, child, w.ref) and not _child_on(w, child, w.ref - 365):
            continue
        found.sort()
        start = 0
        while start < len(found):
            first = found[start][0]
            part = [c for c in found[start:] if c[0] <= first + 365]
            last = part[-1][0] + 30
            answered = any(a <= last and b >= first for a, b in responses.get(child, ()))
            kinds = {(agency, kind) for _, agency, kind, _ in part}
            if (
                not answered
                and len(part) >= BUILD_UP
                and len(kinds) >= BUILD_UP_KINDS
                and len({agency for _, agency, _, _ in part}) >= BUILD_UP_AGENCIES
                and not {key for *_, key in part} & taken  # a planted build-up is labelled once
            ):
                out.append(
                    Planted(
                        "concerns_without_response",
                        f"{len(part)} lower-level concerns about a child from "
                        f"{len({a for _, a, _, _ in part})} agencies within a year, with no referral or early "
                        "help (emergent: not planted).",
                        {child: "child"},
                        dates={"first_concern": first, "last_concern": part[-1][0]},
                        emergent=True,
                        record_keys=list(dict.fromkeys(key for *_, key in part)),
                    )
                )
                start += len(part)  # the next build-up starts after this one
            else:
                start += 1
    return out


def _seen(truth: Truth) -> dict[str, dict[int, set[int]]]:
    """agency -> person -> the people whose records there name them (health's related persons, a school's pupil
    contacts)."""
    out: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for agency, holder, person in truth.links:
        out[agency][person].add(holder)
    return out


def unseen_adults(
    w: World, ev: Events, truth: Truth, taken: set[int], history: dict[int, list[tuple[int, Keyed]]]
) -> list[Planted]:
    """An adult around a household's children (a parent, the mother's partner or former partner) with a police
    or probation record of offending in the last three years, or a police marker or supervision still open in
    them, whom none of social care, health, schools and early help holds with the family: social care and early
    help hold no record of him at all; no GP record of the children or their parents names him, nor any
    school's contacts for the children. ``history``: _histories(ev)."""
    open_since: dict[int, list[int]] = defaultdict(list)  # adult -> start of each marker or supervision
    for pid, _kind, _level, start, end in ev.police_flags:
        open_since[pid].append(start if end is None else end)
    for sup in ev.supervisions:
        open_since[sup.pid].append(sup.end if sup.end is not None else w.ref)
    links = _seen(truth)
    out = []
    since = w.ref - int(3 * YEAR)
    for h in range(w.n_hh):
        children = [c for c in w.children[h] if _child_on(w, c, w.ref)]
        if not children:
            continue
        family = {*children, int(w.mother[h]), int(w.father[h])}
        for a in _around(w, h, w.ref):
            if a in taken or a in family - {int(w.father[h])}:
                continue
            record = [e for day, e in history.get(a, ()) if since <= day <= w.ref]
            still_open = [day for day in open_since.get(a, ()) if day >= since]
            if not record and not still_open:
                continue
            if any(a in truth.records.get(agency, {}) for agency in ("csc", "early_help")):
                continue
            if any(links[agency].get(a, set()) & family for agency in ("health", "education")):
                continue
            people = {a: "adult around the children, unseen", int(w.mother[h]): "mother"}
            people.update({c: "child" for c in children})
            out.append(
                Planted(
                    "unseen_adult_with_history",
                    "An adult around the children, with a police or probation record of offending, whom no "
                    "social care, health, school or early help record of the family names (emergent: not "
                    "planted).",
                    {p: r for p, r in people.items() if p >= 0},
                    events=_keyed(record),
                    person_records=[("police", a), ("probation", a)],
                    dates={"last_offending": max((day for day, _ in history.get(a, ())), default=since)},
                    emergent=True,
                )
            )
    return out


def label(w: World, ev: Events, truth: Truth, planted: list[Planted]) -> list[Planted]:
    """Every emergent instance the labellers find, leaving out what a planted instance already covers."""
    planted_keys = {
        getattr(e, attr, "") for p in planted for e in p.events for attr in ("key", "csc_key", "key903")
    } - {""}
    # the adults of the planted people-around-the-child instances (they are hidden on purpose)
    planted_adults = {pid for p in planted if p.type in HIDDEN_ADULT_TYPES for pid in p.people}
    history = _histories(ev)  # read by two labellers
    return [
        *incidents_without_referral(w, ev, planted_keys),
        *missing_together(w, ev, planted_keys),
        *early_help_closed_with_risk(w, ev, planted_keys, history),
        *concerns_without_response(w, ev, truth, planted_keys),
        *unseen_adults(w, ev, truth, planted_adults, history),
    ]
