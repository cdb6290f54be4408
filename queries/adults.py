"""Adults around children: their own history, the children around them, and hidden adults ("invisible men").

A hidden adult is an adult around the child (a parent, a carer, the partner of a parent or carer, an adult
living at the child's address, the father or partner named on a maternity record) who is known to police or
probation but absent from the records children's social care or health hold about the child and the child's
carers. Hidden adults are ranked by their history, weighed with the ``adult_history`` indicators of
``risk_weights.yaml``; every point of history lists the fact and its source.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from graph.config import ConfigError
from queries import catalog
from queries import people as people_q
from queries.model import CARER_RELATIONS, CirclePerson, Fact, Link, Window, fact_from_row
from queries.risk import decay
from queries.settings import Indicator, PatternConfig, RiskConfig, load_pattern_config, load_risk_config

# relations that make an adult "around the child" for the hidden-adults question
AROUND_RELATIONS = frozenset(
    {
        "parent",
        "step_parent",
        "carer",
        "partner_of_carer",
        "suspect_at_home",
        "household_member",
        "partner",
        "ex_partner",
    }
)
HISTORY_ROLES = ("subject", "suspect", "offender")


@dataclass(frozen=True)
class HistoryItem:
    """One fact of an adult's own history and the points it carries."""

    indicator: str
    label: str
    weight: float
    decay: float
    points: float
    fact: Fact


@dataclass(frozen=True)
class AdultHistory:
    person_id: str
    points: float
    items: tuple[HistoryItem, ...]

    @property
    def labels(self) -> list[str]:
        return sorted({i.label for i in self.items})


def _matches(indicator: Indicator, fact: Fact, person_id: str) -> bool:
    if fact.fact_type not in indicator.fact_types:
        return False
    if indicator.properties and not any(
        fact.properties.get(prop) is not None and str(fact.properties[prop]).casefold() in values
        for prop, values in indicator.properties.items()
    ):
        return False
    if not indicator.roles:
        return True
    return any(i.person_id == person_id and i.role in indicator.roles for i in fact.involvements)


def score_history(
    person_id: str, facts: Iterable[Fact], reference_date: date, config: RiskConfig
) -> AdultHistory:
    """Weigh an adult's own facts with the ``adult_history`` indicators (first match, each fact once)."""
    items: list[HistoryItem] = []
    seen: set[str] = set()
    for fact in facts:
        if fact.fact_key in seen or (fact.occurred_on is not None and fact.occurred_on > reference_date):
            continue
        seen.add(fact.fact_key)
        indicator = next((x for x in config.adult_history if _matches(x, fact, person_id)), None)
        if indicator is None or indicator.weight == 0:
            continue
        _, factor = decay(fact, reference_date, config.history_half_life_days)
        items.append(
            HistoryItem(
                indicator.id, indicator.label, indicator.weight, factor, indicator.weight * factor, fact
            )
        )
    items.sort(key=lambda i: (-i.points, i.fact.occurred_on or date.min, i.fact.fact_key))
    return AdultHistory(person_id, round(sum(i.points for i in items), 6), tuple(items))


def histories(
    driver: catalog.Reader,
    database: str,
    person_ids: Sequence[str],
    reference_date: date,
    config: RiskConfig | None = None,
) -> dict[str, AdultHistory]:
    """Each adult's whole history up to ``reference_date``, weighed."""
    config = config or load_risk_config()
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    params = {
        "person_ids": ids,
        "history_types": history_fact_types(config),
        "reference_date": reference_date,
    }
    facts: dict[str, list[Fact]] = {pid: [] for pid in ids}
    for row in catalog.read(driver, database, "find_adult_history_facts", params):
        facts[row["key"]].append(fact_from_row(row["fact"], row["labels"], row["involvements"]))
    return {pid: score_history(pid, facts[pid], reference_date, config) for pid in ids}


def history_fact_types(config: RiskConfig) -> list[str]:
    return sorted({t for x in config.adult_history for t in x.fact_types})


def adults_with_history(
    driver: catalog.Reader, database: str, reference_date: date, config: RiskConfig | None = None
) -> list[str]:
    """Adults with any fact of a history type in a history role (the starting point of the adult sweeps)."""
    config = config or load_risk_config()
    params = {
        "history_types": history_fact_types(config),
        "roles": list(HISTORY_ROLES),
        "reference_date": reference_date,
    }
    return [r["person_id"] for r in catalog.read(driver, database, "find_adults_with_history", params)]


@dataclass(frozen=True)
class ChildLink:
    """How a child is around an adult (or linked to another child): the record behind it. The fields are in the
    order of find_children_around_adults's lists (a test holds the two together)."""

    kind: str
    type: str | None
    agency: str | None
    source_table: str | None
    source_record_id: str | None
    record_key: str | None
    via_person_id: str | None = None
    fact_key: str | None = None
    address_key: str | None = None
    household_key: str | None = None

    @property
    def link_key(self) -> str | None:
        if self.agency and self.source_table and self.source_record_id:
            return f"{self.agency}|{self.source_table}|{self.source_record_id}"
        return None


def children_around(
    driver: catalog.Reader, database: str, adult_windows: dict[str, Window], reference_date: date
) -> dict[str, dict[str, list[ChildLink]]]:
    """adult id -> child id -> the links that put the child around the adult."""
    params = {"adults": [w.param(pid) for pid, w in adult_windows.items()], "reference_date": reference_date}
    out: dict[str, dict[str, list[ChildLink]]] = {pid: {} for pid in adult_windows}
    # each link comes as a list in ChildLink's field order (see the query's header)
    for row in catalog.read(driver, database, "find_children_around_adults", params, plain=True):
        out[row["adult_id"]][row["child_id"]] = [ChildLink(*how) for how in row["how"]]
    return out


class AdultReader:
    """Adults' histories, the children around them and those children's homes, each read once and kept: the
    adult sweeps (hidden adults, adults around several households) ask about the same adults, and a history
    costs a read of every history fact of the adult. One reader per sweep (the graph does not change within
    one); ``batch_size`` bounds each read."""

    def __init__(
        self,
        driver: catalog.Reader,
        database: str,
        reference_date: date,
        config: RiskConfig | None = None,
        batch_size: int = 2000,
    ) -> None:
        self.driver = driver
        self.database = database
        self.reference_date = reference_date
        self.config = config or load_risk_config()
        self.batch_size = batch_size
        self._candidates: list[str] | None = None
        self._histories: dict[str, AdultHistory] = {}
        self._around: dict[tuple[str, Window], dict[str, list[ChildLink]]] = {}
        self._homes: dict[tuple[str, Window], list[people_q.Residence]] = {}

    def candidates(self) -> list[str]:
        """Adults with any history fact (adults_with_history), in person id order."""
        if self._candidates is None:
            self._candidates = adults_with_history(
                self.driver, self.database, self.reference_date, self.config
            )
        return self._candidates

    def histories(self, person_ids: Sequence[str]) -> dict[str, AdultHistory]:
        missing = sorted({p for p in person_ids if p not in self._histories})
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            self._histories.update(
                histories(self.driver, self.database, batch, self.reference_date, self.config)
            )
        return {p: self._histories[p] for p in person_ids}

    def children_around(
        self, adult_ids: Sequence[str], window: Window
    ) -> dict[str, dict[str, list[ChildLink]]]:
        """adult id -> child id -> links, as children_around."""
        missing = [a for a in dict.fromkeys(adult_ids) if (a, window) not in self._around]
        step = max(1, self.batch_size // 4)  # an adult brings several children, each with its links
        for start in range(0, len(missing), step):
            batch = missing[start : start + step]
            found = children_around(
                self.driver, self.database, {a: window for a in batch}, self.reference_date
            )
            self._around.update({(a, window): children for a, children in found.items()})
        return {a: self._around[(a, window)] for a in adult_ids}

    def residences(self, child_ids: Sequence[str], window: Window) -> dict[str, list[people_q.Residence]]:
        """child id -> where the child lived in the window, as people.residences."""
        missing = [c for c in dict.fromkeys(child_ids) if (c, window) not in self._homes]
        for start in range(0, len(missing), self.batch_size):
            found = people_q.residences(
                self.driver, self.database, {c: window for c in missing[start : start + self.batch_size]}
            )
            self._homes.update({(c, window): homes for c, homes in found.items()})
        return {c: self._homes[(c, window)] for c in child_ids}


@dataclass(frozen=True)
class HiddenAdult:
    """An adult around the child, the agencies that know him, and those whose records of the child miss him."""

    person_id: str
    display_name: str | None
    age: int | None
    relations: dict[str, list[Link]]
    known_to: tuple[str, ...]
    seen_by: tuple[str, ...]
    absent_from: tuple[str, ...]
    hidden: bool
    history: AdultHistory

    def link_facts(self) -> list[str]:
        return sorted({x.fact_key for links in self.relations.values() for x in links if x.fact_key})


ANCHOR_RELATIONS = CARER_RELATIONS | {"sibling", "household_member"}


def _anchor_ids(child_id: str, circle: dict[str, CirclePerson], adult_id: str) -> list[str]:
    """The people whose records, when they hold the adult, mean the agency holds him in the child's family: the
    child, the parents and carers, the siblings and the others in the household (not the adult himself)."""
    family = (p.person_id for p in circle.values() if p.has(*ANCHOR_RELATIONS) and p.person_id != adult_id)
    return [child_id, *sorted(family)]


@dataclass(frozen=True)
class HiddenRule:
    """patterns.yaml's hidden_adult settings: when an adult around a child counts as hidden."""

    absent_from: tuple[str, ...]  # the agencies whose records of the child and the carers are watched
    unborn_absent_from: tuple[str, ...]  # for an unborn child
    mode: str  # all: absent from every watched agency; any: from at least one
    known_to: frozenset[str]  # and known to one of these

    @classmethod
    def from_config(cls, config: PatternConfig) -> HiddenRule:
        absent_from = tuple(config.get("hidden_adult", "absent_from"))
        # an unborn baby's records are its mother's maternity records: health holds the father there as a name
        # on the booking, not his history (guidance case 5), so for an unborn child fewer agencies may be watched
        unborn = tuple(config.params["hidden_adult"].get("unborn_absent_from") or absent_from)
        mode = str(config.get("hidden_adult", "mode"))
        if mode not in ("any", "all"):
            raise ConfigError(f"{config.source}: hidden_adult.mode must be any or all, not {mode!r}")
        return cls(absent_from, unborn, mode, frozenset(config.get("hidden_adult", "known_to")))

    @property
    def agencies(self) -> list[str]:
        return sorted(set(self.absent_from) | set(self.unborn_absent_from))

    def absent(self, seen_by: Sequence[str], unborn: bool) -> tuple[str, ...]:
        watch = self.unborn_absent_from if unborn else self.absent_from
        return tuple(a for a in watch if a not in seen_by)

    def hidden(self, known_to: Sequence[str], seen_by: Sequence[str], unborn: bool) -> bool:
        absent = self.absent(seen_by, unborn)
        watched = len(self.unborn_absent_from if unborn else self.absent_from)
        missing = bool(absent) if self.mode == "any" else len(absent) == watched
        return missing and bool(self.known_to & set(known_to))


def children_who_may_hide(
    driver: catalog.Reader,
    database: str,
    around: dict[str, dict[str, list[ChildLink]]],
    pattern_config: PatternConfig | None = None,
) -> set[str]:
    """The children (of ``around``: adult id -> child id -> links) with at least one of these adults who may be
    hidden from them. An adult whom a watched agency holds with the child's own records is not hidden from the
    child whatever the family's records hold (they only add to what is seen), and one known to none of the
    ``known_to`` agencies never is; so a sweep reads the whole circle of the other children only."""
    rule = HiddenRule.from_config(pattern_config or load_pattern_config())
    pairs: list[dict[str, Any]] = [
        {"child_id": c, "person_id": a, "anchor_ids": [c]} for a, children in around.items() for c in children
    ]
    if not pairs:
        return set()
    child_ids = sorted({c for children in around.values() for c in children})
    unborn = people_q.unborn(driver, database, child_ids)
    rows = catalog.read(
        driver, database, "find_adult_visibility", {"pairs": pairs, "agencies": rule.agencies}
    )
    return {r["child_id"] for r in rows if rule.hidden(r["known_to"], r["seen_by"], r["child_id"] in unborn)}


def hidden_adults_for(
    driver: catalog.Reader,
    database: str,
    windows: dict[str, Window],
    risk_config: RiskConfig | None = None,
    pattern_config: PatternConfig | None = None,
    circles: dict[str, dict[str, CirclePerson]] | None = None,
    only: Collection[str] | None = None,
    reader: AdultReader | None = None,
) -> dict[str, list[HiddenAdult]]:
    """For each child: every adult around the child with who knows him and whose records of the child miss him,
    hidden ones first, then by history points. ``hidden`` follows patterns.yaml's hidden_adult settings.
    ``only`` keeps the adults among these person ids (a sweep asks only about adults with enough history);
    ``reader`` supplies histories already read (weighed with its own risk config, as at the windows' date)."""
    risk_config = risk_config or load_risk_config()
    rule = HiddenRule.from_config(pattern_config or load_pattern_config())
    circles = circles if circles is not None else people_q.circles(driver, database, windows)
    unborn = people_q.unborn(driver, database, list(windows))
    pairs: list[dict[str, Any]] = []
    candidates: dict[str, list[CirclePerson]] = {}
    for child_id, circle in circles.items():
        around = [
            p
            for p in circle.values()
            if p.is_adult and set(p.relations) & AROUND_RELATIONS and (only is None or p.person_id in only)
        ]
        candidates[child_id] = around
        pairs += [
            {
                "child_id": child_id,
                "person_id": p.person_id,
                "anchor_ids": _anchor_ids(child_id, circle, p.person_id),
            }
            for p in around
        ]
    visibility = {
        (r["child_id"], r["person_id"]): r
        for r in catalog.read(
            driver,
            database,
            "find_adult_visibility",
            {"pairs": pairs, "agencies": rule.agencies},
        )
    }
    reference = max((w.reference_date for w in windows.values()), default=date.today())
    adult_ids = [p["person_id"] for p in pairs]
    if reader is not None and reader.reference_date != reference:
        raise ValueError(f"the reader is as at {reader.reference_date}, not {reference}")
    history = (
        reader.histories(adult_ids)
        if reader is not None
        else histories(driver, database, adult_ids, reference, risk_config)
    )
    out: dict[str, list[HiddenAdult]] = {}
    for child_id, around in candidates.items():
        found = []
        for p in around:
            vis = visibility.get((child_id, p.person_id), {"known_to": [], "seen_by": []})
            known = tuple(sorted(vis["known_to"]))
            seen = tuple(sorted(vis["seen_by"]))
            absent = rule.absent(seen, child_id in unborn)
            hidden = rule.hidden(known, seen, child_id in unborn)
            found.append(
                HiddenAdult(
                    person_id=p.person_id,
                    display_name=p.display_name,
                    age=p.age,
                    relations={k: v for k, v in p.relations.items() if k in AROUND_RELATIONS},
                    known_to=known,
                    seen_by=seen,
                    absent_from=absent,
                    hidden=hidden,
                    history=history[p.person_id],
                )
            )
        found.sort(key=lambda h: (not h.hidden, -h.history.points, h.person_id))
        out[child_id] = found
    return out


def hidden_adults(
    driver: catalog.Reader,
    database: str,
    person_id: str,
    window: Window,
    risk_config: RiskConfig | None = None,
    pattern_config: PatternConfig | None = None,
) -> list[HiddenAdult]:
    """The adults around one child who are hidden from children's social care's or health's records of the child
    (as patterns.yaml's hidden_adult settings say), ranked by their history; adults who are not hidden follow."""
    return hidden_adults_for(driver, database, {person_id: window}, risk_config, pattern_config)[person_id]
