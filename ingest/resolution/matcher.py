"""Probabilistic matching with Splink 5 on DuckDB: the model's comparisons, its training, and scoring.

The comparisons (each a list of levels, best first) are defined here as Splink settings dictionaries so
that the saved model is plain JSON: names (exact, nickname group, Jaro-Winkler, phonetic, other names),
date of birth (exact, day/month transposed, one-character typo, expected date of an unborn baby),
sex, address and postcode history, and partial identifiers (the same or a one-typo NHS number, UPN,
PNC id or LA child id, valid or not). No term-frequency adjustments: a level's weight is the same for
every pair, which keeps the explanation simple and small loads stable. Training is unsupervised: u by random sampling, m by
expectation maximisation on two blockings. Nothing is downloaded: Splink's charts and example data
sets, which would fetch, are not used.
"""

from __future__ import annotations

import json
import logging
import math
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import splink
from splink import DuckDBAPI, Linker, SettingsCreator

from ingest.resolution.features import FEATURE_VERSION

log = logging.getLogger(__name__)

MODEL_FORMAT = 1


@dataclass(frozen=True)
class Level:
    sql: str
    label: str
    agrees: bool  # counts as an agreeing field in ``matched_fields``
    null: bool = False
    fixed_m: float | None = None  # a prior m, not trained: for levels training cannot observe


def _null(*cols: str, arrays: bool = False) -> Level:
    if arrays:
        cond = " OR ".join(f"len({c}_l) = 0 OR len({c}_r) = 0" for c in cols)
    else:
        cond = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in cols)
    return Level(cond, "missing", False, null=True)


_ID_PAIRS = ("nhs", "upn", "la_id", "pnc")


def one_edit_apart(col: str) -> str:
    """SQL true when ``{col}_l`` and ``{col}_r`` are at most one edit apart, as ``damerau_levenshtein(l, r)
    <= 1`` is (with the same NULLs), about six times faster in DuckDB, whose ``damerau_levenshtein`` made
    the dates and identifiers 11 of the 22 s the comparisons took on 5 million pairs. Strings of one length
    are within one edit when they differ in at most one place (a substitution) or in two (maybe a
    transposition: only ``damerau_levenshtein`` tells it from two substitutions); lengths one apart need
    ``damerau_levenshtein`` (an insertion or a deletion); other lengths never are. ``hamming`` raises on strings of two lengths (or
    two empty ones), and DuckDB may compute a repeated expression for every row before the condition that
    guards it: so it compares the left value with the right one, or with itself when their lengths differ,
    each with a character added (not empty)."""
    left, right = f"{col}_l", f"{col}_r"
    same = f"CASE WHEN length({left}) = length({right}) THEN {right} ELSE {left} END"
    apart = f"hamming({left} || '|', ({same}) || '|')"
    return (
        f"({left} = {right}"
        f" OR (length({left}) = length({right}) AND ({apart} <= 1"
        f" OR ({apart} = 2 AND damerau_levenshtein({left}, {right}) <= 1)))"
        f" OR (abs(length({left}) - length({right})) = 1 AND damerau_levenshtein({left}, {right}) <= 1))"
    )


_TYPO_IDS = ("nhs", "upn", "pnc")  # what "identifier one typo apart" compares (not the LA child id)
_DOB_ONE_EDIT = one_edit_apart("dob")
_ID_ONE_TYPO = " OR ".join(one_edit_apart(c) for c in _TYPO_IDS)
# what the models saved before ``one_edit_apart`` say for the same levels: such a model scores with the
# faster SQL (tests/test_resolution_units.py checks the two agree)
_SLOWER_SQL: dict[str, str] = {
    "damerau_levenshtein(dob_l, dob_r) <= 1": _DOB_ONE_EDIT,
    " OR ".join(f"damerau_levenshtein({c}_l, {c}_r) <= 1" for c in _TYPO_IDS): _ID_ONE_TYPO,
}

# comparison name -> levels, most specific first (Splink's order); the first is the null level
COMPARISONS: dict[str, tuple[Level, ...]] = {
    "given_name": (
        _null("given"),
        Level("given_l = given_r", "exact", True),
        Level("list_has_any(given_groups_l, given_groups_r)", "nickname", True),
        Level("jaro_winkler_similarity(given_l, given_r) >= 0.9", "similar", True),
        Level("given_ph_l = given_ph_r", "phonetic", True),
        Level("list_has_any(names_all_l, names_all_r)", "other given name", True),
        Level("jaro_winkler_similarity(given_l, given_r) >= 0.75", "loosely similar", False),
        Level("ELSE", "different", False),
    ),
    "family_name": (
        _null("family"),
        Level("family_l = family_r", "exact", True),
        Level("list_has_any(family_tokens_l, family_tokens_r)", "part of a double name", True),
        Level("jaro_winkler_similarity(family_l, family_r) >= 0.92", "similar", True),
        Level("family_ph_l = family_ph_r", "phonetic", True),
        Level("jaro_winkler_similarity(family_l, family_r) >= 0.8", "loosely similar", False),
        Level("ELSE", "different", False),
    ),
    "date_of_birth": (
        _null("dob_any"),
        Level("dob_l = dob_r", "exact", True),
        # unborn babies' records carry no NHS number and seldom fall in the EM blockings: their m is a prior
        Level(
            "is_expected_l AND is_expected_r AND dob_any_l = dob_any_r",
            "same expected date",
            True,
            fixed_m=0.005,
        ),
        Level("dob_l = dob_t_r", "day and month transposed", True),
        Level(_DOB_ONE_EDIT, "one character different", True),
        Level(
            "(is_expected_l OR is_expected_r) AND abs(date_diff('day', dob_any_l, dob_any_r)) <= 42",
            "born within six weeks of the expected date",
            True,
            fixed_m=0.01,
        ),
        Level("abs(date_diff('day', dob_any_l, dob_any_r)) <= 366", "within a year", False),
        Level("ELSE", "different", False),
    ),
    "sex": (
        _null("sex"),
        Level("sex_l = sex_r", "same", True),
        Level("ELSE", "different", False),
    ),
    "address": (
        _null("postcodes", arrays=True),
        Level("list_has_any(addresses_l, addresses_r)", "same address", True),
        Level("postcode_l = postcode_r", "same current postcode", True),
        Level("list_has_any(postcodes_l, postcodes_r)", "shared postcode in history", True),
        Level("list_has_any(districts_l, districts_r)", "same postcode district", False),
        Level("ELSE", "different", False),
    ),
    "identifiers": (
        Level(
            "NOT (" + " OR ".join(f"({c}_l IS NOT NULL AND {c}_r IS NOT NULL)" for c in _ID_PAIRS) + ")",
            "no identifier in common",
            False,
            null=True,
        ),
        Level(" OR ".join(f"{c}_l = {c}_r" for c in _ID_PAIRS), "same identifier", True),
        Level(
            _ID_ONE_TYPO,
            "identifier one typo apart",
            True,
        ),
        Level("ELSE", "different identifier", False),
    ),
}

# pairs the model scores: at least one must hold (each an equi-join, so blocks stay small). A name alone
# (phonetic surname with phonetic or nickname first name) made 150 million pairs at 200,000 children and
# four fifths of the scoring time; with the year of birth, or the day and month (a typo elsewhere in the
# date), or with no date of birth on one side and the same sex, it makes about 32 million (12 million of
# them with no date of birth on one side), and the persons found are the same but for 0.01 % of true pairs
# (docs/entity-resolution.md, "Blocking")
BLOCKING_RULES: tuple[str, ...] = (
    "l.dob = r.dob AND l.family_initial = r.family_initial",
    "l.dob = r.dob AND l.given_initial = r.given_initial",
    "l.dob = r.dob AND l.postcode = r.postcode",
    "l.dob = r.dob_t AND l.family_ph = r.family_ph",
    "l.family_ph = r.family_ph AND l.given_ph = r.given_ph AND l.dob_year = r.dob_year",
    "l.family_ph = r.family_ph AND l.given_canon = r.given_canon AND l.dob_year = r.dob_year",
    "l.family_ph = r.family_ph AND l.given_ph = r.given_ph AND l.dob_day_month = r.dob_day_month",
    # one side with no date of birth, as two rules: "l.dob IS NULL OR r.dob IS NULL" in one rule is checked
    # only after the join, on every same-named pair (27 of the 56 s of blocking at 200,000 children); each
    # half narrows one side before it (the same pairs)
    "l.family_ph = r.family_ph AND l.given_ph = r.given_ph AND l.sex = r.sex AND l.dob IS NULL",
    "l.family_ph = r.family_ph AND l.given_ph = r.given_ph AND l.sex = r.sex AND r.dob IS NULL",
    "l.postcode = r.postcode AND l.given_initial = r.given_initial",
    "l.postcode = r.postcode AND l.family_ph = r.family_ph",
    "l.nhs = r.nhs",
    "l.upn = r.upn",
    "l.pnc = r.pnc",
    "l.la_id = r.la_id",
)

# pairs that are almost surely the same person, to estimate how often two random records match
_SURE_RULES: tuple[str, ...] = (
    "l.nhs_valid = r.nhs_valid",
    "l.dob = r.dob AND l.given = r.given AND l.family = r.family AND l.postcode = r.postcode",
)
# the blockings expectation maximisation trains on (each leaves the other comparisons free)
_EM_RULES: tuple[str, ...] = (
    "l.dob = r.dob",
    "l.family_ph = r.family_ph AND l.given_ph = r.given_ph",
)


def faster_levels(splink_model: dict[str, Any]) -> dict[str, Any]:
    """A saved model's Splink settings with each level written in ``_SLOWER_SQL``'s slower form given its
    faster equivalent (the level, its label and its m and u stay as trained)."""
    out: dict[str, Any] = json.loads(json.dumps(splink_model))
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            sql = level.get("sql_condition")
            if isinstance(sql, str) and sql in _SLOWER_SQL:
                level["sql_condition"] = _SLOWER_SQL[sql]
    return out


def settings_dict() -> dict[str, Any]:
    """The untrained model as Splink settings (dedupe across every agency's records)."""
    comparisons = []
    for name, levels in COMPARISONS.items():
        comparison_levels = []
        for level in levels:
            entry: dict[str, Any] = {"sql_condition": level.sql, "label_for_charts": level.label}
            if level.null:
                entry["is_null_level"] = True
            if level.fixed_m is not None:
                entry["m_probability"] = level.fixed_m
                entry["fix_m_probability"] = True
            comparison_levels.append(entry)
        comparisons.append({"output_column_name": name, "comparison_levels": comparison_levels})
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons,
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "probability_two_random_records_match": 1e-4,
    }


def level_labels() -> dict[str, dict[int, Level]]:
    """comparison -> gamma value -> level (Splink numbers the null level -1, the last level 0)."""
    out: dict[str, dict[int, Level]] = {}
    for name, levels in COMPARISONS.items():
        non_null = [lv for lv in levels if not lv.null]
        mapping = {-1: next(lv for lv in levels if lv.null)}
        for i, level in enumerate(non_null):
            mapping[len(non_null) - 1 - i] = level
        out[name] = mapping
    return out


_LABELS = level_labels()


def matched_fields(gammas: dict[str, int]) -> list[str]:
    """ "given_name:nickname", "date_of_birth:day and month transposed", ...: the agreeing comparisons."""
    out = []
    for name, gamma in gammas.items():
        level = _LABELS[name].get(int(gamma))
        if level is not None and level.agrees:
            out.append(f"{name}:{level.label}")
    return out


def comparison_detail(gammas: dict[str, int], weights: dict[str, float]) -> dict[str, dict[str, Any]]:
    """For the review screen: each comparison's level and its match weight (log2 Bayes factor)."""
    out: dict[str, dict[str, Any]] = {}
    for name, gamma in gammas.items():
        level = _LABELS[name].get(int(gamma))
        out[name] = {
            "level": level.label if level else str(gamma),
            "agrees": bool(level and level.agrees),
            "match_weight": round(float(weights.get(name, 0.0)), 2),
        }
    return out


_MEMORY = re.compile(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)")


def valid_memory_limit(value: str) -> bool:
    """A size DuckDB takes for its memory limit (3GB, 512MB, 1.5GiB): nothing else reaches its SET statement."""
    return _MEMORY.fullmatch(value) is not None


class ModelError(Exception):
    """The saved model cannot be used (wrong format, other features); retrain it."""


def _with_extra_columns(table: pa.Table) -> pa.Table:
    """Columns only blocking needs: one canonical nickname group (a scalar to join on), and the day and
    month of birth ("MM-DD": a typo in the year keeps them)."""
    groups = table.column("given_groups").to_pylist()
    canon = [g[0] if g else None for g in groups]
    day_month = pc.utf8_slice_codeunits(table.column("dob"), 5, 10)
    return table.append_column("given_canon", pa.array(canon, pa.string())).append_column(
        "dob_day_month", day_month
    )


def _numbered(table: pa.Table) -> tuple[pa.Table, pa.ChunkedArray]:
    """The table with ``unique_id`` (the record key) replaced by the key's place among the keys in sorted
    order, and the keys in that order (to turn places back into keys). DuckDB joins and compares integers
    much faster than record keys: Splink joins both records onto each of 32 million blocked pairs at 200,000
    children. Sorted, so that ``l.unique_id < r.unique_id`` puts each pair's records in the same order as the
    keys themselves (byte order, as DuckDB and Arrow compare strings)."""
    keys = table.column("unique_id")
    order = pc.sort_indices(keys).to_numpy()
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order), dtype=np.int64)
    numbered = table.set_column(table.schema.get_field_index("unique_id"), "unique_id", pa.array(place))
    return numbered, keys.take(pa.array(order))


class Matcher:
    """Owns one DuckDB database holding the records' features, and the Splink linker over it."""

    def __init__(
        self,
        features: pa.Table,
        model: dict[str, Any] | None = None,
        threads: int | None = None,
        memory_limit: str | None = None,
    ):
        self.con = duckdb.connect(":memory:")
        self._spill: tempfile.TemporaryDirectory[str] | None = None
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            if not valid_memory_limit(memory_limit):
                raise ValueError(f"memory limit {memory_limit!r}: give a size such as 3GB or 512MB")
            # past the limit DuckDB writes to disk instead of growing (or being killed by the system)
            self._spill = tempfile.TemporaryDirectory(prefix="jigsaw-duckdb-")
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
            self.con.execute(f"SET temp_directory = '{self._spill.name}'")
        self.db_api = DuckDBAPI(self.con)
        self._features = _with_extra_columns(features)
        self.records = self.db_api.register(self._features, table_name="jigsaw_records")
        self._scoring: tuple[Any, pa.ChunkedArray] | None = None  # the numbered records, and their keys
        if model is not None:
            check_model(model)
            # blocking chooses which pairs are scored, not how: a saved model scores with today's rules
            splink_settings: dict[str, Any] | SettingsCreator = {
                **faster_levels(model["splink"]),
                "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
            }
        else:
            splink_settings = settings_dict()
        self.linker = Linker(self.records, splink_settings, log_level=None)
        self.trained = model is not None

    def close(self) -> None:
        self.con.close()
        if self._spill is not None:
            self._spill.cleanup()

    def train(
        self,
        seed: int,
        max_pairs_u: float,
        recall: float = 0.8,
        min_labelled_pairs: int = 200,
        max_pairs_em: float | None = None,
    ) -> None:
        """Estimate the parameters from the records themselves (no hand-labelled pairs needed).

        u: random sampling. m: expectation maximisation on two blockings; then, when enough records share
        a valid NHS number, m of every comparison except the identifiers is re-estimated from those pairs
        (they are the same person, so how their names, dates and addresses differ is what true matches
        look like; EM alone takes twins and siblings for matches).
        """
        training = self.linker.training
        try:
            training.estimate_probability_two_random_records_match(list(_SURE_RULES), recall=recall)
        except ValueError as exc:  # more sure matches than the recall allows: keep the default prior
            log.warning("could not estimate the prior match probability (%s); kept the default", exc)
        training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
        for rule in _EM_RULES:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=max_pairs_em
            )
        self.trained = True
        labelled = self.con.execute(
            "SELECT coalesce(sum(n * (n - 1) / 2), 0) FROM "
            "(SELECT count(*) AS n FROM jigsaw_records WHERE nhs_valid IS NOT NULL GROUP BY nhs_valid)"
        ).fetchall()[0][0]
        if labelled < min_labelled_pairs:
            log.info("too few records share an NHS number to estimate m from them; kept the EM estimates")
            return
        em_model = self.linker.misc.save_model_to_json()
        blank = json.loads(json.dumps(em_model))  # m unknown, so that levels the labels never reach show
        for comparison in blank["comparisons"]:
            for level in comparison["comparison_levels"]:
                if not level.get("fix_m_probability"):
                    level.pop("m_probability", None)
        relabel = Linker(self.records, blank, log_level=None)
        relabel.training.estimate_m_from_label_column("nhs_valid")
        merged = _merge_m(em_model, relabel.misc.save_model_to_json(), floor=0.5 / labelled)
        self.linker = Linker(self.records, merged, log_level=None)

    def model(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """The trained model as JSON-ready data: Jigsaw's metadata and Splink's own settings."""
        return {
            "jigsaw": {
                "format": MODEL_FORMAT,
                "feature_version": FEATURE_VERSION,
                "splink_version": splink.__version__,
                **metadata,
            },
            "splink": self.linker.misc.save_model_to_json(),
        }

    def predict(self, threshold: float, gammas_from_weights: bool = True) -> pd.DataFrame:
        """Scored pairs at or above ``threshold``: left, right, match_probability, matched_fields, detail.

        Each comparison's level is read back from its match weight (each level of a comparison has its own
        weight, without term-frequency adjustments), so that Splink need not carry every compared column of
        both records through to its output: 67 -> 55 s at 200,000 children. When two levels of a comparison
        share a weight, or ``gammas_from_weights`` is False, Splink keeps the columns and its levels instead.
        """
        if not self.trained:
            raise ModelError("the model is not trained")
        names = list(COMPARISONS)
        levels = level_weights(self.linker.misc.save_model_to_json()) if gammas_from_weights else None
        # scored with the records numbered (``_numbered``); trained with their keys, as before, since which
        # random pairs estimate u depends on the ids
        if self._scoring is None:
            numbered, keys = _numbered(self._features)
            self._scoring = (self.db_api.register(numbered, table_name="jigsaw_records_numbered"), keys)
        records, keys = self._scoring
        self.linker = Linker(
            records, {**self.linker.misc.save_model_to_json(), "retain_matching_columns": levels is None,
                      "retain_intermediate_calculation_columns": True}, log_level=None
        )  # fmt: skip
        scored = self.linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
        cols = ", ".join(
            ["unique_id_l AS left_place", "unique_id_r AS right_place", "match_probability", "match_weight"]
            + ([f"gamma_{n}" for n in names] if levels is None else [])
            + [f"mw_{n} AS w_{n}" for n in names]
        )
        frame: pd.DataFrame = self.con.execute(f"SELECT {cols} FROM {scored.physical_name}").df()
        scored.drop_table_from_database_and_remove_from_cache()
        for side in ("left", "right"):  # places back to record keys
            places = pa.array(frame.pop(f"{side}_place").to_numpy())
            frame.insert(0 if side == "left" else 1, f"{side}_key", keys.take(places).to_numpy())
        if frame.empty:
            return pd.DataFrame(
                columns=["left_key", "right_key", "match_probability", "matched_fields", "detail"]
            )
        weights = frame[[f"w_{n}" for n in names]].to_numpy()
        if levels is None:
            gammas = frame[[f"gamma_{n}" for n in names]].to_numpy()
        else:
            gammas = np.column_stack([_gammas(weights[:, i], levels[n], n) for i, n in enumerate(names)])
        fields, details = [], []
        # without term-frequency adjustments a pair's weights follow from its levels: work each distinct
        # combination of levels out once (there are few), and share the result
        seen: dict[tuple[int, ...], tuple[list[str], dict[str, dict[str, Any]]]] = {}
        for g_row, w_row in zip(gammas.tolist(), weights.tolist(), strict=True):
            key = tuple(g_row)
            if key not in seen:
                g = dict(zip(names, (int(x) for x in g_row), strict=True))
                w = dict(zip(names, (float(x) for x in w_row), strict=True))
                seen[key] = (matched_fields(g), comparison_detail(g, w))
            f, d = seen[key]
            fields.append(f)
            details.append(d)
        out = frame[["left_key", "right_key", "match_probability"]].copy()
        out["matched_fields"] = pd.Series(fields, index=out.index, dtype=object)
        out["detail"] = pd.Series(details, index=out.index, dtype=object)
        return out


M_U_CLAMP = 1e-300  # Splink clamps m and u to this before taking a level's weight (log2 m/u)
WEIGHT_TOLERANCE = 1e-6


def level_weights(model: dict[str, Any]) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """comparison -> (its levels' match weights, sorted; their gamma values), from Splink's saved model; None
    when a level has no m or u, or two levels of a comparison are too close in weight to tell apart."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for comparison in model["comparisons"]:
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        pairs = [(0.0, -1)]  # the null level's weight is 0 (Splink)
        for i, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            if not isinstance(m, int | float) or not isinstance(u, int | float):
                return None
            pairs.append((math.log2(max(m, M_U_CLAMP) / max(u, M_U_CLAMP)), len(non_null) - 1 - i))
        pairs.sort()
        weights = np.array([w for w, _ in pairs])
        if np.any(np.diff(weights) < 1000 * WEIGHT_TOLERANCE):
            return None
        out[comparison["output_column_name"]] = (weights, np.array([g for _, g in pairs]))
    return out


def _gammas(observed: np.ndarray, level: tuple[np.ndarray, np.ndarray], name: str) -> np.ndarray:
    """The gamma value of each observed match weight of one comparison: the level with that weight."""
    weights, gammas = level
    idx = np.clip(np.searchsorted(weights, observed), 1, len(weights) - 1)
    nearest = np.where(np.abs(weights[idx - 1] - observed) <= np.abs(weights[idx] - observed), idx - 1, idx)
    if np.any(np.abs(weights[nearest] - observed) > WEIGHT_TOLERANCE):
        raise ModelError(f"{name}: a pair's match weight is no level's weight; the model and Splink disagree")
    return gammas[nearest]


def _merge_m(em_model: dict[str, Any], labelled: dict[str, Any], floor: float) -> dict[str, Any]:
    """The EM model with m taken from the label-based estimate, except for the identifiers comparison
    (the labels are identifiers, so they say nothing about it) and fixed levels. A level the labelled
    pairs never reached is rare among true matches: it gets ``floor`` (half a pair's share), and each
    comparison's m values are scaled to sum to one again."""
    merged: dict[str, Any] = json.loads(json.dumps(em_model))
    by_name = {c["output_column_name"]: c for c in labelled["comparisons"]}
    for comparison in merged["comparisons"]:
        name = comparison["output_column_name"]
        if name == "identifiers":
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        new_levels = [lv for lv in by_name[name]["comparison_levels"] if not lv.get("is_null_level")]
        free = []
        for level, new in zip(levels, new_levels, strict=True):
            if level.get("fix_m_probability"):
                continue
            m = new.get("m_probability")
            level["m_probability"] = m if isinstance(m, int | float) and m > 0 else floor
            free.append(level)
        fixed = sum(float(lv["m_probability"]) for lv in levels if lv.get("fix_m_probability"))
        total = sum(float(lv["m_probability"]) for lv in free)
        for level in free:
            level["m_probability"] = float(level["m_probability"]) * (1 - fixed) / total
    return merged


def check_model(model: dict[str, Any]) -> None:
    meta = model.get("jigsaw") if isinstance(model, dict) else None
    if not isinstance(meta, dict) or "splink" not in model:
        raise ModelError("not a Jigsaw resolution model (no 'jigsaw' and 'splink' sections)")
    if meta.get("format") != MODEL_FORMAT:
        raise ModelError(f"model format {meta.get('format')!r}, this Jigsaw reads {MODEL_FORMAT}")
    if meta.get("feature_version") != FEATURE_VERSION:
        raise ModelError(
            f"model trained on features v{meta.get('feature_version')}, this Jigsaw computes v{FEATURE_VERSION}"
        )
