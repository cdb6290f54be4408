"""What every page needs once per process: the Neo4j driver and Governance (st.cache_resource), and the
query results, cached per case, time window and "as known at" time (st.cache_data).

Cached results are the graph as read, before any role redaction: redaction and meeting-mode reduction are
applied per session on every run (``app/web/case.py``), never cached across users.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import neo4j
import streamlit as st

from app.governance import Governance, load_governance_settings
from app.web import data
from graph.config import Settings, load_settings
from graph.connection import make_driver

CACHE_TTL_SECONDS = 300  # new ingests show within five minutes; "Refresh" clears at once


def settings() -> Settings:
    return load_settings()


@st.cache_resource(show_spinner=False)
def _driver(uri_key: str, user: str) -> neo4j.Driver:
    return make_driver(load_settings())


def driver() -> neo4j.Driver:
    """One driver per server for the whole process (keyed by where it points, so tests can move it)."""
    s = settings()
    where = s.uri or f"local:{s.server.data_dir}:{s.server.bolt_port}"
    return _driver(where, s.user)


def database() -> str:
    return settings().database


@st.cache_resource(show_spinner=False)
def _governance(home: str) -> Governance:
    return Governance(load_governance_settings())


def governance() -> Governance:
    return _governance(str(load_governance_settings().home))


# -- cached reads (keyed by database, case, window, reference date and "as known at" time; not the driver) --
@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=256)
def case_picture(
    db: str, person_id: str, start: date | None, end: date | None, today: date, at: datetime | None = None
) -> Any:
    return data.case_picture(driver(), db, person_id, start, end, today, at)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=256)
def case_panels(
    db: str, person_id: str, start: date | None, end: date | None, today: date, at: datetime | None = None
) -> Any:
    pic = case_picture(db, person_id, start, end, today, at)
    if pic is None:
        return None
    return data.case_panels(driver(), db, pic, today, at)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=256)
def person_circle(
    db: str, person_id: str, start: date | None, end: date | None, today: date, at: datetime | None = None
) -> Any:
    return data.person_circle(driver(), db, person_id, start, end, today, at)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=64)
def fact_span(db: str, person_id: str) -> Any:
    return data.fact_span(driver(), db, person_id)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=64)
def case_changes(db: str, person_id: str, since: datetime, until: datetime | None, today: date) -> Any:
    return data.case_changes(driver(), db, person_id, since, until, today)


def clear_caches() -> None:
    case_picture.clear()
    case_panels.clear()
    person_circle.clear()
    fact_span.clear()
    case_changes.clear()
