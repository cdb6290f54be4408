"""The review queue: pairs of records entity resolution was unsure about, side by side with the comparison
that scored them; confirm or reject with a reason (audited as a match decision, with purpose and gateway)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.governance import AccessPurpose, GovernanceError, Session
from app.web import data, services, ui

MIN_REASON = 10


def page(session: Session, purpose: AccessPurpose) -> None:
    st.title("Review queue")
    st.caption("Records that may be the same person. Confirm only when you are sure; every decision is kept.")
    # the queue and each pair show people's names and dates of birth: recorded before they are read
    if not ui.audit_once(session, "search", purpose, {"via": "review queue"}):
        return
    items = data.review_queue(services.driver(), services.database())
    if not items:
        st.info("Nothing to review.")
        return
    labels = {
        i["review_id"]: f"{i['left_name'] or '?'} ({i['left_agency']}) / {i['right_name'] or '?'} "
        f"({i['right_agency']}), p={float(i['probability'] or 0):.2f}"
        for i in items
    }
    pick = st.selectbox("Pair", list(labels), format_func=lambda r: labels[r], key="review_pick")
    if not ui.audit_once(session, "search", purpose, {"via": "review queue", "review": pick}):
        return
    detail = data.review_detail(services.driver(), services.database(), pick)
    st.markdown(f"Match probability **{float(detail['review'].get('probability') or 0):.2f}**")
    st.table(
        pd.DataFrame(
            [
                {
                    "field": f["field"].replace("_", " "),
                    "record A": f["left"],
                    "record B": f["right"],
                    "agrees": "yes" if f["agrees"] else "no",
                }
                for f in detail["fields"]
            ]  # fmt: skip
        )
    )
    if detail["comparison"]:
        st.markdown("**How the pair was scored**")
        st.dataframe(pd.DataFrame(detail["comparison"]), hide_index=True, width="stretch")
    for earlier in detail["history"]:
        st.caption(f"Earlier decision: {earlier}")
    with st.form("match_decision_form"):
        reason = st.text_input("Why (recorded)", key="review_reason")
        c1, c2 = st.columns(2)
        confirm = c1.form_submit_button("Confirm: same person")
        reject = c2.form_submit_button("Reject: different people")
    if not (confirm or reject):
        return
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        st.error(f"Give the reason in at least {MIN_REASON} characters.")
        return
    decision = "confirmed" if confirm else "rejected"
    try:
        services.governance().record(
            session,
            "match_decision",
            purpose=purpose,
            details={
                "review_id": pick,
                "decision": decision,
                "reason": reason,
                "records": [f["left"] for f in detail["fields"] if f["field"] == "record_key"]
                + [f["right"] for f in detail["fields"] if f["field"] == "record_key"],
            },  # fmt: skip
        )
    except GovernanceError as exc:
        st.error(f"The decision could not be recorded, so it is not made: {exc}")
        return
    try:
        message = data.decide_match(
            services.driver(), services.database(), pick, bool(confirm), session.username, reason
        )
    except data.DecisionRefused as exc:
        st.error(f"Refused: {exc}")
        return
    services.clear_caches()
    st.success(message)
