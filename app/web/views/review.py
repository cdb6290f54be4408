"""The review queue: pairs of records entity resolution was unsure about, side by side; confirm or reject
(audited as a match decision, with the purpose and gateway)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.governance import AccessPurpose, GovernanceError, Session
from app.web import data, services


def page(session: Session, purpose: AccessPurpose) -> None:
    st.title("Review queue")
    st.caption("Records that may be the same person. Confirm only when you are sure; every decision is kept.")
    items = data.review_queue(services.driver(), services.database())
    if not items:
        st.info("Nothing to review.")
        return
    ids = [str(i["review_id"]) for i in items]
    pick = st.selectbox(
        "Pair",
        ids,
        format_func=lambda r: next(
            f"{i['left'].get('given_name') or ''} {i['left'].get('family_name') or ''} / "
            f"{i['right'].get('given_name') or ''} {i['right'].get('family_name') or ''} "
            f"(p={float(i.get('match_probability') or 0):.2f})"
            for i in items
            if str(i["review_id"]) == r
        ),
        key="review_pick",
    )
    item = next(i for i in items if str(i["review_id"]) == pick)
    st.markdown(f"Match probability **{float(item.get('match_probability') or 0):.2f}**")
    frame = pd.DataFrame(
        [
            {
                "field": c["field"].replace("_", " "),
                "record A": c["left"],
                "record B": c["right"],
                "agrees": "yes" if c["agrees"] else "no",
            }
            for c in item["comparison"]
        ]  # fmt: skip
    )
    st.table(frame)
    st.caption(f"A: {item['left'].get('record_key')} · B: {item['right'].get('record_key')}")
    with st.form("match_decision_form"):
        reason = st.text_input("Why (recorded)", key="review_reason")
        c1, c2 = st.columns(2)
        confirm = c1.form_submit_button("Confirm: same person")
        reject = c2.form_submit_button("Reject: different people")
    if confirm or reject:
        try:
            services.governance().record(
                session,
                "match_decision",
                purpose=purpose,
                details={
                    "review_id": pick,
                    "decision": "confirmed" if confirm else "rejected",
                    "records": [item["left"].get("record_key"), item["right"].get("record_key")],
                    "reason": (reason or "").strip(),
                },  # fmt: skip
            )
        except GovernanceError as exc:
            st.error(f"The decision could not be recorded, so it is not made: {exc}")
            return
        data.decide_match(
            services.driver(),
            services.database(),
            pick,
            bool(confirm),
            session.username,
            (reason or "").strip(),
        )
        st.success("Confirmed as the same person." if confirm else "Rejected: kept apart.")
