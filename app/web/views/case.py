"""The case page: the child's picture as a graph, the multi-agency chronology, cumulative risk, hidden adults,
linked children and the child's views, all for one time window; meeting mode; the PDF briefing.

Order of operations on every run: record the view (Governance.record, before reading anything), read the
picture (cached per case and window), redact it for the role (Governance.redact), reduce it for the meeting
when meeting mode is on (app.governance.meeting_view), then draw. Panels are fragments, so a filter in one
reruns only that panel.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from neo4j_viz.streamlit import display_widget

from app.governance import AccessPurpose, GovernanceError, Session, meeting_view
from app.web import graphview, services, ui
from app.web.pdf import Stamp, briefing_pdf, picture_png

MARKERS = {"fact": "FACT", "opinion": "OPINION"}
FACTS_SHOWN_BY_DEFAULT = 25


def _name(person: Mapping[str, Any]) -> str:
    if person.get("display_name"):
        return str(person["display_name"])
    return " ".join(str(x) for x in (person.get("given_name"), person.get("family_name")) if x) or "(no name)"


def _marker(fact: Mapping[str, Any]) -> str:
    return str(fact.get("marker") or MARKERS.get(str(fact.get("basis") or "").lower(), "UNMARKED"))


def _record_view(session: Session, purpose: AccessPurpose, person_id: str, meeting: bool) -> bool:
    """Audit the view once per case, purpose and mode; False (and an error shown) when it cannot be recorded."""
    key = f"{person_id}|{purpose.gateway}|{purpose.purpose}|{'meeting' if meeting else 'analyst'}"
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
            details={"mode": "meeting" if meeting else "analyst"},
        )
    except GovernanceError as exc:
        st.error(f"This view could not be recorded, so nothing is shown: {exc}")
        return False
    done.add(key)
    return True


def _window(person_id: str, child: Mapping[str, Any] | None, today: date) -> tuple[date, date]:
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
        key=f"window_{person_id}",
    )
    start, end = value
    return start, end


def page(session: Session, purpose: AccessPurpose, person_id: str) -> None:
    meeting = bool(st.session_state.get("meeting"))
    if not _record_view(session, purpose, person_id, meeting):
        return
    today = date.today()
    db = services.database()
    if meeting:
        st.markdown(
            '<div class="jigsaw-banner"><b>MEETING MODE · OFFICIAL-SENSITIVE</b><br>'
            f"Purpose: {html.escape(purpose.purpose)}<br>"
            f"Legal gateway: {html.escape(purpose.gateway_label)}<br>"
            "Shown: what is necessary and proportionate. Other children by initials and age, addresses by "
            "area, opinion marked.</div>",
            unsafe_allow_html=True,
        )
    start, end = _window(person_id, None, today)
    pic = services.case_picture(db, person_id, start, end, today)
    if pic is None:
        st.error("No child with this id.")
        return
    panels = services.case_panels(db, person_id, start, end, today)
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

    _header(child, meeting, start, end)
    left, right = st.columns([3, 2])
    with left:
        _graph_panel(child, people, pic["links"], facts, involvement, hidden_ids, meeting,
                     (session, purpose, start, end))  # fmt: skip
    with right:
        _risk_panel(panels["risk"], visible_keys, restricted, facts, meeting)
    _chronology_panel(facts, meeting, person_id)
    c1, c2 = st.columns(2)
    with c1:
        _hidden_panel(hidden_view, meeting)
    with c2:
        _linked_panel(linked, meeting)
    _views_panel([f for f in facts if f.get("fact_type") == "voice_of_child"], meeting)
    _export_panel(
        session, purpose, analyst_child, analyst_people, extra, visible, panels["risk"], start, end, person_id
    )
    if meeting:
        # the last element of the meeting page: until it is drawn the shared screen shows nothing (ui._STYLE)
        st.markdown('<div class="jigsaw-meeting-ready"></div>', unsafe_allow_html=True)


def _header(child: Mapping[str, Any], meeting: bool, start: date, end: date) -> None:
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
    st.caption(f"Window {start:%d/%m/%Y} to {end:%d/%m/%Y}")


@st.fragment
def _graph_panel(
    child: dict[str, Any],
    people: list[dict[str, Any]],
    links: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    involvement: dict[str, list[dict[str, Any]]],
    hidden_ids: set[str],
    meeting: bool,
    context: tuple[Session, AccessPurpose, date, date],
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
    context: tuple[Session, AccessPurpose, date, date],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The picture with the people around each expanded person added (each expansion audited as a view of
    that person, for the case's purpose)."""
    if not expanded:
        return people, links
    session, purpose, start, end = context
    people, links = list(people), list(links)
    shown = {child["person_id"], *(p["person_id"] for p in people)}
    done: set[str] = st.session_state.setdefault("audited_views", set())
    for pid in expanded:
        key = f"{pid}|{purpose.gateway}|{purpose.purpose}|expand"
        if key not in done:
            try:
                services.governance().record(
                    session, "case_view", person_id=pid, purpose=purpose,
                    details={"mode": "expand", "from_case": child["person_id"]},
                )  # fmt: skip
            except GovernanceError as exc:
                st.error(f"Expanding could not be recorded, so it is not shown: {exc}")
                return people, links
            done.add(key)
        for other in services.person_circle(services.database(), pid, start, end, date.today()):
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
) -> None:
    st.subheader("Briefing for the strategy meeting")
    if not ui.allowed("export"):
        st.caption(f"The {session.role} role may not export.")
        return
    st.caption(
        "The PDF shows what meeting mode shows, stamped OFFICIAL-SENSITIVE with you, the purpose and gateway."
    )
    if st.button("Prepare PDF briefing", key="prepare_pdf"):
        today = date.today()
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
        )
        png = picture_png(reduced_people, graphview.person_caption(reduced_child), person_id)
        st.session_state["pdf"] = {
            "case": person_id,
            "bytes": briefing_pdf(
                stamp, reduced_child, reduced_people, mv.facts, _pdf_risk(risk, mv.facts), png
            ),
        }
    pdf = st.session_state.get("pdf")
    if pdf and pdf["case"] == person_id:
        st.download_button(
            "Download the PDF briefing",
            data=pdf["bytes"],
            file_name=f"jigsaw-briefing-{date.today():%Y%m%d}.pdf",
            mime="application/pdf",
            key="download_pdf",
        )
