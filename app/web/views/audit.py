"""The auditor's page: query the audit trail (itself audited by Governance.query_audit) and check the chain."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.governance import GovernanceError, Session
from app.web import services


def page(session: Session) -> None:
    st.title("Audit trail")
    gov = services.governance()
    with st.form("audit_query_form"):
        c1, c2, c3 = st.columns(3)
        user = c1.text_input("User", key="audit_user")
        person = c2.text_input("Child / person id", key="audit_person")
        action = c3.selectbox("Action", ["", "search", "case_view", "export", "alert_decision", "match_decision",
                                         "login", "login_failed", "user_change"], key="audit_action")  # fmt: skip
        submitted = st.form_submit_button("Query")
    if submitted:
        try:
            entries = gov.query_audit(
                session, user=user or None, person_id=person or None, action=action or None
            )
        except GovernanceError as exc:
            st.error(str(exc))
            return
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "seq": e.seq,
                        "when": e.timestamp,
                        "user": e.user,
                        "role": e.role,
                        "action": e.action,
                        "category": e.category,
                        "person": e.person_id,
                        "purpose": e.purpose,
                        "gateway": e.gateway,
                    }
                    for e in entries
                ]
            ),  # fmt: skip
            hide_index=True,
            width="stretch",
        )
    result = gov.verify_audit()
    if result.ok:
        st.success(f"Chain verified: {result.entries} entries, head {result.head_hash[:16]}…")
    else:
        st.error(f"Chain broken at entry {result.first_broken_seq}: {result.reason}")
