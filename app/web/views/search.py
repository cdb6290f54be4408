"""Find a child by name (fuzzy), date of birth or identifier; every search is audited with its purpose."""

from __future__ import annotations

from datetime import date

import streamlit as st

from app.governance import AccessPurpose, GovernanceError, Session
from app.web import services, ui
from app.web.search import KIND_LABELS, SearchInputError, find_children, parse_search


def page(session: Session, purpose: AccessPurpose) -> None:
    st.title("Find a child")
    with st.form("search_form"):
        text = st.text_input(
            "Name, date of birth (dd/mm/yyyy) or identifier (NHS number, UPN, LA child id, PNC id)",
            key="search_text",
            max_chars=80,
        )
        submitted = st.form_submit_button("Search")
    if submitted:
        try:
            parsed = parse_search(text)
        except SearchInputError as exc:
            st.error(str(exc))
            st.session_state.pop("search_results", None)
            return
        today = date.today()
        results = find_children(services.driver(), services.database(), parsed, today)
        try:
            services.governance().record(
                session,
                "search",
                purpose=purpose,
                details={"kind": parsed.kind, "terms": parsed.value, "results": len(results)},
            )
        except GovernanceError as exc:
            st.error(f"Search not recorded, so not shown: {exc}")
            st.session_state.pop("search_results", None)
            return
        st.session_state["search_results"] = {"label": KIND_LABELS[parsed.kind], "rows": results}
    found = st.session_state.get("search_results")
    if not found:
        return
    rows = found["rows"]
    if not rows:
        st.info(f"No child found by {found['label']}.")
        return
    st.caption(f"{len(rows)} found by {found['label']}")
    for row in rows:
        name = " ".join(x for x in (row["given_name"], row["family_name"]) if x) or "(no name recorded)"
        if row["unborn"]:
            age = f"unborn, due {row['expected_date_of_birth'] or '?'}"
        else:
            age = f"age {row['age']}" if row["age"] is not None else "age unknown"
        born = f"born {row['date_of_birth']}" if row["date_of_birth"] else ""
        cols = st.columns([4, 2, 2, 4, 2])
        cols[0].markdown(f"**{name}**")
        cols[1].write(age)
        cols[2].write(row["area"] or "area unknown")
        cols[3].write(", ".join(row["agencies"]) + (f"  ·  {born}" if born else ""))
        if cols[4].button("Open", key=f"open_{row['person_id']}"):
            ui.open_case(row["person_id"])
            st.rerun()
