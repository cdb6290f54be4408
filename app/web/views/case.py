"""The case page: the child's picture as a graph, the multi-agency chronology, cumulative risk, hidden adults,
linked children, the child's views and alerts, all for one time window; meeting mode; the PDF briefing; what
changed between two times.

"As known at" (the sidebar's date control, empty for now): with a past time, every panel is the picture as
Jigsaw knew it then (``queries.known_at``: only what it had learnt by then, in the versions current then),
under a banner saying that it is not the current picture; the view is audited with that time, and the PDF
briefing states it.

Order of operations on every run: record the view (Governance.record, before reading anything), read the
picture (cached per case, window and as-known-at time), redact it for the role (Governance.redact), reduce it
for the meeting when meeting mode is on (app.governance.meeting_view), then draw. Panels are fragments, so a
filter in one reruns only that panel.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from neo4j_viz.streamlit import display_widget

from app.commands.case import known_at_banner, redact
from app.governance import AccessPurpose, GovernanceError, Session, meeting_view
from app.web import graphview, services, ui
from app.web.pdf import Stamp, briefing_pdf, picture_png
from queries.changes import by_agency
from queries.known_at import TooMuchToRewind, as_known_at

MARKERS = {"fact": "FACT", "opinion": "OPINION"}
FACTS_SHOWN_BY_DEFAULT = 25
KNOWN_AT_DAY = "known_at_day"  # the sidebar's "As known at" date (None: now); kept while cases are open
KNOWN_AT_TIME = "known_at_time"
EARLIEST_KNOWN_AT = date(2000, 1, 1)


def _name(person: Mapping[str, Any]) -> str:
    if person.get("display_name"):
        return str(person["display_name"])
    return " ".join(str(x) for x in (person.get("given_name"), person.get("family_name")) if x) or "(no name)"


def _marker(fact: Mapping[str, Any]) -> str:
    return str(fact.get("marker") or MARKERS.get(str(fact.get("basis") or "").lower(), "UNMARKED"))


def _stamp(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _record_view(
    session: Session, purpose: AccessPurpose, person_id: str, meeting: bool, at: datetime | None
) -> bool:
    """Audit the view once per case, purpose, mode and as-known-at time (a view of the past is audited as such);
    False (and an error shown) when it cannot be recorded."""
    key = (
        f"{person_id}|{purpose.gateway}|{purpose.purpose}|{'meeting' if meeting else 'analyst'}|{_stamp(at)}"
    )
    done: set[str] = st.session_state.setdefault("audited_views", set())
    if key in done:
        return True
    try:
        services.governance().record(
            session,
            "case_view",
            person_id=person_id,
            purpose=purpose,
            # a shared screen is a disclosure to the meeting, not only a consultation
            category="disclosure" if meeting else None,
            details={"mode": "meeting" if meeting else "analyst", "as_known_at": _stamp(at)},
        )
    except GovernanceError as exc:
        st.error(f"This view could not be recorded, so nothing is shown: {exc}")
        return False
    done.add(key)
    return True


def _back_to_now() -> None:
    st.session_state[KNOWN_AT_DAY] = None
    st.session_state[KNOWN_AT_TIME] = None


def chosen_known_at() -> datetime | None:
    """The time the case is shown as known at, from the "As known at" control (None: now). A date is the end of
    that day (UTC), or the time given; a time not yet passed is now."""
    day = st.session_state.get(KNOWN_AT_DAY)
    if not isinstance(day, date):
        return None
    when = st.session_state.get(KNOWN_AT_TIME)
    at = as_known_at(datetime.combine(day, when, tzinfo=UTC) if isinstance(when, time) else day)
    return at if at < datetime.now(UTC) else None


def known_at_control() -> None:
    """The "As known at" control (drawn in the sidebar, under meeting mode, while a case is open): empty is now,
    the current picture."""
    day = st.date_input(
        "As known at (empty: now)",
        value=None,
        min_value=EARLIEST_KNOWN_AT,
        max_value=date.today(),
        format="DD/MM/YYYY",
        key=KNOWN_AT_DAY,
        help="The case as Jigsaw knew it then: only what it had learnt by then, in the versions current then, "
        "with the person matches in force then. A date means the end of that day (UTC).",
    )
    if day is None:
        return
    st.time_input("Time (UTC; empty: the end of the day)", value=None, key=KNOWN_AT_TIME)
    st.button("Back to now", key="known_at_now", on_click=_back_to_now)
    if chosen_known_at() is None:
        st.caption("That time has not passed yet: the case shows the current picture.")


def _window(person_id: str, today: date, at: datetime | None) -> tuple[date, date]:
    first, _ = services.fact_span(services.database(), person_id)
    lo = today - timedelta(days=365)
    if first and first < lo:
        lo = first
    value = st.slider(
        "Time window (changes the graph, the chronology and every panel)",
        min_value=lo,
        max_value=today,
        value=(lo, today),
        format="DD/MM/YYYY",
        # the window ends on the day the picture is as known at: a new time starts a new window
        key=f"window_{person_id}" + (f"_{at:%Y%m%dT%H%M}" if at else ""),
    )
    start, end = value
    return start, end


def page(session: Session, purpose: AccessPurpose, person_id: str) -> None:
    meeting = bool(st.session_state.get("meeting"))
    at = chosen_known_at()
    if not _record_view(session, purpose, person_id, meeting, at):
        return
    # ages and recency as at the day the picture is as known at (as `jigsaw case --as-known-at` does)
    today = at.date() if at else date.today()
    db = services.database()
    banner = known_at_banner(at)
    if banner:
        st.warning(banner)
    if meeting:
        st.markdown(
            '<div class="jigsaw-banner"><b>MEETING MODE · OFFICIAL-SENSITIVE</b><br>'
            f"Purpose: {html.escape(purpose.purpose)}<br>"
            f"Legal gateway: {html.escape(purpose.gateway_label)}<br>"
            "Shown: what is necessary and proportionate. Other children by initials and age, addresses by "
            "area, opinion marked.</div>",
            unsafe_allow_html=True,
        )
    start, end = _window(person_id, today, at)
    try:
        pic = services.case_picture(db, person_id, start, end, today, at)
        panels = services.case_panels(db, person_id, start, end, today, at) if pic is not None else None
    except TooMuchToRewind as exc:
        st.error(str(exc))
        return
    if pic is None or panels is None:
        st.error(
            f"Jigsaw did not know this child as at {at:%d/%m/%Y %H:%M} UTC. Choose a later time, or clear "
            '"As known at" for the current picture.'
            if at
            else "No child with this id."
        )
        return
    gov = services.governance()
    visible = gov.redact(session, pic["facts"])
    visible_keys = {f["fact_key"] for f in visible}
    restricted = {f["fact_key"]: f.get("restricted_note") for f in visible if f.get("restricted")}
    involvement = {f["fact_key"]: f["people"] for f in pic["facts"] if f["fact_key"] in visible_keys}
    labels = {f["fact_key"]: f.get("labels", []) for f in pic["facts"]}
    for f in visible:
        f["labels"] = labels.get(f["fact_key"], [])
    hidden_ids = {p["person_id"] for p in panels["hidden_adults"]}
    linked = panels["linked_children"]
    child = dict(pic["child"])
    people = [dict(p, hidden=p["person_id"] in hidden_ids) for p in pic["people"]]

    analyst_child, analyst_people = child, people
    # linked children outside the circle: named in free text too, so the meeting reduction must know them
    extra = [c for c in linked if c["person_id"] not in {p["person_id"] for p in people}]
    if meeting:
        mv = meeting_view(person_id, [child, *people, *extra], visible, today)
        by_id = {p.get("person_id"): p for p in mv.people}
        child = {**by_id[person_id], "agencies": pic["child"]["agencies"]}
        people = [dict(by_id[p["person_id"]], hidden=p["hidden"]) for p in people]
        linked = [dict(by_id[c["person_id"]], linked_by=c["linked_by"]) for c in linked]
        hidden_view = [
            dict(by_id[h["person_id"]], why_hidden=h["why_hidden"]) for h in panels["hidden_adults"]
        ]
        facts = mv.facts
    else:
        hidden_view = panels["hidden_adults"]
        facts = visible
    for f in facts:
        f["marker"] = _marker(f)
        if f.get("restricted") and not f.get("summary"):
            f["summary"] = f.get("restricted_note")

    _header(child, meeting, start, end, at)
    left, right = st.columns([3, 2])
    with left:
        _graph_panel(child, people, pic["links"], facts, involvement, hidden_ids, meeting,
                     (session, purpose, start, end, today, at))  # fmt: skip
    with right:
        _risk_panel(panels["risk"], visible_keys, restricted, facts, meeting)
    _chronology_panel(facts, meeting, person_id)
    c1, c2 = st.columns(2)
    with c1:
        _hidden_panel(hidden_view, meeting)
    with c2:
        _linked_panel(linked, meeting)
    _views_panel([f for f in facts if f.get("fact_type") == "voice_of_child"], meeting)
    _alerts_panel(_visible_alerts(session, pic.get("alerts") or []), meeting, at)
    if not meeting:
        _changes_panel(session, purpose, person_id, at)
    _export_panel(
        session, purpose, analyst_child, analyst_people, extra, visible, panels["risk"], start, end, person_id,
        at,
    )  # fmt: skip
    if meeting:
        # the last element of the meeting page: until it is drawn the shared screen shows nothing (ui._STYLE)
        st.markdown('<div class="jigsaw-meeting-ready"></div>', unsafe_allow_html=True)


def _header(child: Mapping[str, Any], meeting: bool, start: date, end: date, at: datetime | None) -> None:
    st.title(_name(child))
    bits = []
    if child.get("kind") == "unborn":
        bits.append(f"unborn, due {child.get('expected_date_of_birth') or '?'}")
    elif child.get("age") is not None:
        bits.append(f"age {child['age']}")
    if not meeting and child.get("date_of_birth"):
        bits.append(f"born {child['date_of_birth']}")
    if child.get("area"):
        bits.append(f"area {child['area']}")
    if child.get("agencies"):
        bits.append("records: " + ", ".join(child["agencies"]))
    st.markdown(" · ".join(bits))
    if not meeting:
        ids = [f"{label} {child[k]}" for k, label in (("nhs_number", "NHS"), ("upn", "UPN"),
               ("la_child_id", "LA id"), ("pnc_id", "PNC")) if child.get(k)]  # fmt: skip
        if ids:
            st.caption(" · ".join(ids))
    st.caption(
        f"Window {start:%d/%m/%Y} to {end:%d/%m/%Y} · "
        + (f"as known at {at:%d/%m/%Y %H:%M} UTC" if at else "as known now")
    )


@st.fragment
def _graph_panel(
    child: dict[str, Any],
    people: list[dict[str, Any]],
    links: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    involvement: dict[str, list[dict[str, Any]]],
    hidden_ids: set[str],
    meeting: bool,
    context: tuple[Session, AccessPurpose, date, date, date, datetime | None],
) -> None:
    st.subheader("The picture")
    expanded_key = f"expanded_{child['person_id']}"
    expanded: list[str] = [] if meeting else st.session_state.setdefault(expanded_key, [])
    people, links = _with_expansions(child, people, links, expanded, context)
    # many record nodes hide the people: above a few dozen, records start hidden (the chronology has them all)
    show_facts = st.toggle(
        "Show records in the graph",
        value=not meeting and len(facts) <= FACTS_SHOWN_BY_DEFAULT,
        key=f"graph_facts_{child['person_id']}",
    )
    nodes, rels = graphview.graph_elements(
        child, people, links, facts if show_facts else [], involvement, hidden_ids
    )
    widget = graphview.visualization(nodes, rels).render_widget(height="560px" if not meeting else "640px")
    display_widget(widget, key=f"graph_{child['person_id']}_{'m' if meeting else 'a'}")
    st.caption(
        f"{sum(1 for n in nodes if n['properties']['type'] == 'person')} people, "
        f"{sum(1 for n in nodes if n['properties']['type'] == 'fact')} records drawn. "
        "Red: adult with risk history [RISK]; orange: hidden adult [HIDDEN]; blue: children."
    )
    selected = list(widget.selected.nodeIds) if widget.selected else []
    by_id = {str(p["person_id"]): p for p in [child, *people]}
    for node_id in selected[:3]:
        person = by_id.get(node_id)
        if person is None:
            fact = next((f for f in facts if f.get("fact_key") == node_id), None)
            if fact:
                st.info(f"{fact.get('occurred_on') or 'undated'} · {fact.get('agency')} · "
                        f"{fact.get('fact_type')} · {fact['marker']}: {fact.get('summary') or ''}")  # fmt: skip
            continue
        st.info(f"{_name(person)}: {person.get('relationship') or 'the child'}"
                + (f"; risk history: {', '.join(person.get('risk_reasons') or [])}" if person.get("risk_history")
                   else ""))  # fmt: skip
        if not meeting and person.get("kind") in {"child", "unborn"} and node_id != child["person_id"]:
            if st.button(f"Open {_name(person)}'s case", key=f"open_sel_{node_id}"):
                ui.open_case(node_id)
                st.rerun(scope="app")
        if not meeting and node_id != child["person_id"] and node_id not in expanded:
            if st.button(f"Expand {_name(person)}: show the people around them", key=f"expand_{node_id}"):
                expanded.append(node_id)
                st.rerun(scope="fragment")
    if expanded and st.button("Collapse expanded people", key=f"collapse_{child['person_id']}"):
        expanded.clear()
        st.rerun(scope="fragment")


def _with_expansions(
    child: dict[str, Any],
    people: list[dict[str, Any]],
    links: list[dict[str, Any]],
    expanded: list[str],
    context: tuple[Session, AccessPurpose, date, date, date, datetime | None],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The picture with the people around each expanded person added (each expansion audited as a view of
    that person, for the case's purpose, as known at the case's time)."""
    if not expanded:
        return people, links
    session, purpose, start, end, today, at = context
    people, links = list(people), list(links)
    shown = {child["person_id"], *(p["person_id"] for p in people)}
    done: set[str] = st.session_state.setdefault("audited_views", set())
    for pid in expanded:
        key = f"{pid}|{purpose.gateway}|{purpose.purpose}|expand|{_stamp(at)}"
        if key not in done:
            try:
                services.governance().record(
                    session, "case_view", person_id=pid, purpose=purpose,
                    details={"mode": "expand", "from_case": child["person_id"], "as_known_at": _stamp(at)},
                )  # fmt: skip
            except GovernanceError as exc:
                st.error(f"Expanding could not be recorded, so it is not shown: {exc}")
                return people, links
            done.add(key)
        try:
            circle = services.person_circle(services.database(), pid, start, end, today, at)
        except TooMuchToRewind as exc:
            st.error(str(exc))
            return people, links
        for other in circle:
            if other["person_id"] not in shown:
                people.append(other)
                shown.add(other["person_id"])
            links.append({"source": other["person_id"], "target": pid, "type": other["relationship"]})
    return people, links


@st.fragment
def _risk_panel(
    risk: Mapping[str, Any],
    visible_keys: set[str],
    restricted: Mapping[str, Any],
    facts: list[dict[str, Any]],
    meeting: bool,
) -> None:
    st.subheader("Cumulative risk")
    contributions = [dict(c) for c in risk["contributions"] if c["fact_key"] in visible_keys]
    shown_facts = {f.get("fact_key"): f for f in facts}
    for c in contributions:
        # the summary as this panel may show it: redacted for the role, reduced in meeting mode
        c["summary"] = shown_facts.get(c["fact_key"], {}).get("summary")
        if c["fact_key"] in restricted:
            c["summary"] = restricted[c["fact_key"]]
        c["marker"] = MARKERS.get(str(c.get("basis") or ""), "UNMARKED")
    st.metric("Score", risk["score"], help="Sum of the contributions below")
    st.write(f"Suggested continuum level: **{risk['suggested_level']}** (a suggestion for the analyst)")
    if risk.get("model"):
        st.caption(
            f"Weighted indicators with recency decay ({risk['model']}); each contribution names its source."
        )
    if not contributions:
        st.write("No risk indicators in this window.")
        return
    frame = pd.DataFrame(contributions)
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("sum(weight):Q", title="contribution"),
            y=alt.Y("indicator:N", sort="-x", title=None),
            color=alt.Color("agency:N"),
            tooltip=["indicator", "agency", "occurred_on", "marker", "source"],
        )
    )
    st.altair_chart(chart, width="stretch")
    table = frame[["occurred_on", "indicator", "weight", "agency", "marker", "source"]]
    if meeting:
        table = table.drop(columns=["source"])
    st.dataframe(table, hide_index=True, width="stretch")
    options = [c["fact_key"] for c in contributions]
    chosen = st.selectbox(
        "Open the source of a contribution",
        options,
        index=None,
        format_func=lambda k: next(
            f"{c['occurred_on'] or 'undated'} {c['indicator']} ({c['agency']})"
            for c in contributions
            if c["fact_key"] == k
        ),  # fmt: skip
        key="risk_source",
    )
    if chosen:
        fact = next((f for f in facts if f.get("fact_key") == chosen), None)
        if fact:
            shown = {k: fact.get(k) for k in ("occurred_on", "agency", "fact_type", "marker", "summary",
                     "recorded_by_role", "source_system", "source_table", "source_record_id") if fact.get(k)}  # fmt: skip
            if meeting:
                shown.pop("source_record_id", None)
            st.json(shown)


@st.fragment
def _chronology_panel(facts: list[dict[str, Any]], meeting: bool, person_id: str) -> None:
    st.subheader("Multi-agency chronology")
    if not facts:
        st.write("Nothing recorded in this window.")
        return
    agencies = sorted({str(f.get("agency")) for f in facts})
    types = sorted({str(f.get("fact_type")) for f in facts})
    c1, c2, c3 = st.columns(3)
    pick_agencies = c1.multiselect("Agency", agencies, default=agencies, key=f"chrono_agency_{person_id}")
    pick_types = c2.multiselect("Event type", types, default=types, key=f"chrono_type_{person_id}")
    pick_markers = c3.multiselect(
        "Fact / opinion", ["FACT", "OPINION", "UNMARKED"], default=["FACT", "OPINION", "UNMARKED"],
        key=f"chrono_marker_{person_id}",
    )  # fmt: skip
    rows = [
        {
            "date": f.get("occurred_on") or "",
            "agency": f.get("agency"),
            "type": str(f.get("fact_type", "")).replace("_", " "),
            "marker": f["marker"],
            "summary": f.get("summary") or "",
            "recorded by": f.get("recorded_by_role") or "",
            "source": f"{f.get('source_system') or ''} {f.get('source_table') or ''} {f.get('source_record_id') or ''}",
        }
        for f in facts
        if str(f.get("agency")) in pick_agencies
        and str(f.get("fact_type")) in pick_types
        and f["marker"] in pick_markers
    ]
    st.caption(f"{len(rows)} of {len(facts)} records")
    if not rows:
        return
    frame = pd.DataFrame(rows)
    dated = frame[frame["date"] != ""].copy()
    if not dated.empty:
        dated["when"] = pd.to_datetime(dated["date"])
        timeline = (
            alt.Chart(dated)
            .mark_point(filled=True, size=140)
            .encode(
                x=alt.X("when:T", title=None),
                y=alt.Y("agency:N", title=None),
                color=alt.Color(
                    "marker:N",
                    scale=alt.Scale(
                        domain=["FACT", "OPINION", "UNMARKED"], range=["#1f77b4", "#d62728", "#7f7f7f"]
                    ),
                ),  # fmt: skip
                shape=alt.Shape("marker:N"),
                tooltip=["date", "agency", "type", "marker", "summary"],
            )
            .properties(height=60 + 30 * dated["agency"].nunique())
        )
        st.altair_chart(timeline, width="stretch")
    if meeting:
        frame = frame.drop(columns=["source", "recorded by"])
        frame["summary"] = [
            s if m != "OPINION" or s.startswith("[OPINION]") else f"[OPINION] {s}"
            for s, m in zip(frame["summary"], frame["marker"], strict=True)
        ]
        st.table(frame)
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


@st.fragment
def _hidden_panel(hidden: list[dict[str, Any]], meeting: bool) -> None:
    st.subheader("Hidden adults")
    if not hidden:
        st.write("No adult around the child is missing from children's social care and health records.")
        return
    for person in hidden:
        risk = (
            f" — risk history: {', '.join(person.get('risk_reasons') or [])}"
            if person.get("risk_history")
            else ""
        )
        age = f" ({person['age']})" if person.get("age") is not None else ""
        st.markdown(f"**{_name(person)}**{age}{risk}")
        st.caption(person.get("why_hidden", ""))


@st.fragment
def _linked_panel(linked: list[dict[str, Any]], meeting: bool) -> None:
    st.subheader("Linked children")
    if not linked:
        st.write("No other child linked in this window.")
        return
    for c in linked:
        age = f" ({c['age']})" if c.get("age") is not None else ""
        st.markdown(f"**{_name(c)}**{age}")
        st.caption("; ".join(c.get("linked_by") or []))
        if not meeting and st.button("Open case", key=f"open_linked_{c['person_id']}"):
            ui.open_case(c["person_id"])
            st.rerun(scope="app")


@st.fragment
def _views_panel(views: list[dict[str, Any]], meeting: bool) -> None:
    st.subheader("The child's views")
    if not views:
        st.write("No views of the child recorded in this window.")
        return
    for v in sorted(views, key=lambda f: f.get("occurred_on") or "", reverse=True):
        st.markdown(f"**{v.get('occurred_on') or 'undated'}** · {v.get('agency')} · {v['marker']}")
        st.write(v.get("summary") or "")


def _visible_alerts(session: Session, alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The child's alerts as the role may see them: an alert whose evidence the role sees only in summary (or not
    at all) shows no summary, so that the summary does not leak what the evidence holds."""
    gov = services.governance()
    out = []
    for alert in alerts:
        seen = gov.redact(session, alert["evidence"])
        hidden = len(seen) < len(alert["evidence"]) or any(e.get("restricted") for e in seen)
        out.append({**alert, "summary": "(restricted)" if hidden else alert.get("summary")})
    return out


@st.fragment
def _alerts_panel(alerts: list[dict[str, Any]], meeting: bool, at: datetime | None) -> None:
    st.subheader("Alerts")
    if not alerts:
        st.write("No alerts about this child" + (" then." if at else "."))
        return
    if at:
        st.caption("Each alert with the status it had then.")
    rows = [
        {
            "raised": str(a.get("raised_at") or "")[:10],
            "pattern": a.get("pattern"),
            "status": a["status"] + ("" if a.get("active") else " (no longer seen)"),
            "summary": a.get("summary") or "",
            "decided by": a.get("status_by") or "",
            "evidence": len(a["evidence"]),
        }
        for a in alerts
    ]
    frame = pd.DataFrame(rows)
    if meeting:
        st.table(frame[["raised", "pattern", "status"]])
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


def _when(value: Any) -> str:
    """ISO time text as "2026-03-10 09:00"."""
    return str(value or "")[:16].replace("T", " ")


def _what(side: Mapping[str, Any] | None) -> str:
    if not side:
        return ""
    if side.get("restricted"):
        return f"{side.get('fact_type')} ({side.get('restricted_note')})"
    return str(side.get("summary") or side.get("fact_type") or "")


def _fields(change: Mapping[str, Any], side: Mapping[str, Any]) -> str:
    """The fields a correction changed, as the role may see them: of a fact seen only in summary, only the
    fields the summary keeps."""
    fields = [str(f) for f in change.get("fields") or []]
    if not side.get("restricted"):
        return ", ".join(fields)
    shown = [f for f in fields if f in side]
    return ", ".join(shown + (["(restricted fields)"] if len(shown) < len(fields) else []))


def change_rows(
    changes: list[dict[str, Any]], redact_facts: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    """The "what changed" table and its counts by agency (``queries.changes.changes_dict(...)["changes"]`` as
    plain data), with both versions of each fact redacted as the case page redacts facts (``redact_facts``:
    Governance.redact for the session); a change whose both versions the role may not see is not shown at all,
    nor counted."""
    visible = [c for c in redact(changes, redact_facts) if c.get("before") or c.get("after")]
    rows = []
    for c in visible:
        side = c.get("after") or c.get("before") or {}
        rows.append(
            {
                "learnt": _when(c.get("learnt_at")),
                "agency": side.get("agency"),
                "change": c["kind"],
                "date": c.get("occurred_on") or "",
                "what": _what(side),
                "was": _what(c.get("before")) if c["kind"] == "corrected" else "",
                "fields changed": _fields(c, side),
                "source": side.get("source_record_id") or "",
            }
        )
    return rows, by_agency(visible)


def _risk_then(score: Any, level: Any) -> str:
    return "not known then" if score is None else f"{score:.2f} (level {level})"


@st.fragment
def _changes_panel(session: Session, purpose: AccessPurpose, person_id: str, at: datetime | None) -> None:
    """What changed in the child's picture between two times (``queries.changes``): each fact added, corrected
    or withdrawn, in the order Jigsaw learnt it, by agency, redacted for the role like the rest of the page."""
    st.subheader("What changed")
    st.caption(
        "Facts added, corrected or withdrawn between the picture as known at one time and as known at another, "
        "in the order Jigsaw learnt them, with the agency and when Jigsaw learnt each: who knew what, and when."
    )
    today = date.today()
    with st.form(f"changes_form_{person_id}"):
        c1, c2 = st.columns(2)
        since_day = c1.date_input(
            "Since (as known at the end of)",
            value=at.date() if at else today - timedelta(days=90),
            min_value=EARLIEST_KNOWN_AT,
            max_value=today,
            format="DD/MM/YYYY",
            key=f"changes_since_{person_id}",
        )
        until_day = c2.date_input(
            "Until (as known at the end of; empty: now)",
            value=None,
            min_value=EARLIEST_KNOWN_AT,
            max_value=today,
            format="DD/MM/YYYY",
            key=f"changes_until_{person_id}",
        )
        submitted = st.form_submit_button("Show what changed")
    asked_key = f"changes_asked_{person_id}"
    if submitted:
        st.session_state[asked_key] = (since_day, until_day)
    asked = st.session_state.get(asked_key)
    if not asked or asked[0] is None:
        return
    since = as_known_at(asked[0])
    until = as_known_at(asked[1]) if asked[1] is not None else None
    if until is not None and until >= datetime.now(UTC):
        until = None  # a time not yet passed is now
    if until is not None and until <= since:
        st.error('"Until" must be after "Since".')
        return
    details = {"mode": "changes", "since": since.isoformat(), "until": _stamp(until)}
    if not ui.audit_once(session, "case_view", purpose, details, person_id=person_id):
        return
    try:
        report = services.case_changes(services.database(), person_id, since, until, today)
    except TooMuchToRewind as exc:
        st.error(str(exc))
        return
    if report is None:
        st.info("Jigsaw knew no child with this id at either time.")
        return
    gov = services.governance()
    rows, counts = change_rows(report["changes"], lambda facts: gov.redact(session, facts))
    risk = report["risk"]
    st.markdown(
        f"Between **{since:%d/%m/%Y %H:%M} UTC** and **"
        + (f"{until:%d/%m/%Y %H:%M} UTC" if until else "now")
        + f"** (facts dated {report['window'][0]} to {report['window'][1]}). Cumulative risk: "
        f"{_risk_then(risk['before'], risk['level_before'])} → {_risk_then(risk['after'], risk['level_after'])}."
    )
    if not rows:
        st.write("Nothing you may see changed between these times.")
        return
    st.dataframe(
        pd.DataFrame([{"agency": agency, **n} for agency, n in counts.items()]),
        hide_index=True,
        width="stretch",
        key=f"changes_by_agency_{person_id}",
    )
    st.caption(f"{len(rows)} changes, in the order Jigsaw learnt them (a withdrawn fact has no time learnt).")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"changes_table_{person_id}")


def _pdf_risk(risk: Mapping[str, Any], facts: list[dict[str, Any]]) -> dict[str, Any]:
    """The risk panel for the briefing: only contributions whose fact the role may see, without free text."""
    markers = {f.get("fact_key"): f.get("marker") for f in facts}
    return {
        "score": risk["score"],
        "suggested_level": risk["suggested_level"],
        "contributions": [
            {
                "indicator": c["indicator"],
                "occurred_on": c.get("occurred_on"),
                "agency": c.get("agency"),
                "marker": markers[c["fact_key"]],
                "points": c.get("weight"),
            }
            for c in risk["contributions"]
            if c["fact_key"] in markers
        ],  # fmt: skip
    }


def _export_panel(
    session: Session,
    purpose: AccessPurpose,
    child: dict[str, Any],
    people: list[dict[str, Any]],
    extra: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    risk: Mapping[str, Any],
    start: date,
    end: date,
    person_id: str,
    at: datetime | None,
) -> None:
    st.subheader("Briefing for the strategy meeting")
    if not ui.allowed("export"):
        st.caption(f"The {session.role} role may not export.")
        return
    st.caption(
        "The PDF shows what meeting mode shows, stamped OFFICIAL-SENSITIVE with you, the purpose and gateway"
        + (f", and as known at {at:%d/%m/%Y %H:%M} UTC on every page." if at else ", as known now.")
    )
    if st.button("Prepare PDF briefing", key="prepare_pdf"):
        today = at.date() if at else date.today()
        linked_ids = {p["person_id"] for p in people}
        mv = meeting_view(person_id, [child, *people, *extra], facts, today)
        by_id = {p.get("person_id"): p for p in mv.people}
        reduced_people = [dict(by_id[pid], hidden=p.get("hidden")) for pid, p in
                          ((p["person_id"], p) for p in people) if pid in by_id]  # fmt: skip
        reduced_child = {**by_id[person_id], "agencies": child.get("agencies")}
        try:
            services.governance().record(
                session,
                "export",
                person_id=person_id,
                purpose=purpose,
                details={
                    "format": "pdf",
                    "facts": len(mv.facts),
                    "people": len(linked_ids),
                    "window": [start.isoformat(), end.isoformat()],
                    "as_known_at": _stamp(at),
                },  # fmt: skip
            )
        except GovernanceError as exc:
            st.error(f"The export could not be recorded, so it is not made: {exc}")
            return
        stamp = Stamp(
            generated_at=datetime.now(UTC),
            user=session.username,
            role=session.role,
            purpose=purpose.purpose,
            gateway=purpose.gateway_label,
            window=f"{start:%d/%m/%Y} to {end:%d/%m/%Y}",
            as_known_at=at,
        )
        png = picture_png(reduced_people, graphview.person_caption(reduced_child), person_id)
        st.session_state["pdf"] = {
            "case": person_id,
            "at": at,
            "bytes": briefing_pdf(
                stamp, reduced_child, reduced_people, mv.facts, _pdf_risk(risk, mv.facts), png
            ),
        }
    pdf = st.session_state.get("pdf")
    # a briefing prepared for another time is not offered for this one
    if pdf and pdf["case"] == person_id and pdf.get("at") == at:
        st.download_button(
            "Download the PDF briefing",
            data=pdf["bytes"],
            file_name=f"jigsaw-briefing-{date.today():%Y%m%d}"
            + (f"-as-known-at-{at:%Y%m%d}" if at else "")
            + ".pdf",
            mime="application/pdf",
            key="download_pdf",
        )
