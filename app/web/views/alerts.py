"""The alerts inbox: the scheduled patterns' alerts, filtered and sorted; each opens its evidence; acknowledge
or close with a reason (audited as an alert decision, with the purpose and gateway)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app.governance import AccessPurpose, GovernanceError, Session
from app.web import data, services, ui

MIN_REASON = 10


def when(alert: dict[str, Any]) -> str:
    return str(alert.get("raised_at") or alert.get("created_at") or "")


def page(session: Session, purpose: AccessPurpose) -> None:
    st.title("Alerts")
    c1, c2, c3 = st.columns(3)
    status = c1.selectbox("Status", ["open or acknowledged", *data.ALERT_STATUSES, "all"], key="alert_status")
    # the inbox names children and what was found about them: listing it is recorded (as a search, once per
    # status filter in a session), before anything is read
    if not ui.audit_once(session, "search", purpose, {"via": "alerts inbox", "status": status}):
        return
    rows = data.alerts(services.driver(), services.database())
    if status == "open or acknowledged":
        rows = [a for a in rows if a["status"] in {"open", "acknowledged"}]
    elif status != "all":
        rows = [a for a in rows if a["status"] == status]
    patterns = sorted({str(a.get("pattern")) for a in rows})
    chosen = c2.multiselect("Pattern", patterns, default=patterns, key="alert_patterns")
    rows = [a for a in rows if str(a.get("pattern")) in chosen]
    order = c3.selectbox("Sort by", ["newest first", "oldest first", "pattern"], key="alert_sort")
    if order == "pattern":
        rows.sort(key=lambda a: (str(a.get("pattern")), when(a)))
    else:
        rows.sort(key=when, reverse=order == "newest first")
    if not rows:
        st.info("No alerts match.")
        return
    table = pd.DataFrame(
        [
            {
                "raised": when(a)[:10],
                "pattern": a.get("pattern"),
                "status": a["status"],
                "summary": a.get("summary") or "",
                "people": len(a["people"]),
                "evidence": len(a["evidence"]),
            }
            for a in rows
        ]  # fmt: skip
    )
    st.dataframe(table, hide_index=True, width="stretch")
    ids = [str(a["alert_id"]) for a in rows if a.get("alert_id")]
    pick = st.selectbox(
        "Open an alert",
        ids,
        index=None,
        format_func=lambda i: next(
            f"{when(a)[:10]} {a.get('pattern')}: {a.get('summary') or ''}"
            for a in rows
            if str(a.get("alert_id")) == i
        ),  # fmt: skip
        key="alert_pick",
    )
    if pick is None:
        return
    alert = next(a for a in rows if str(a.get("alert_id")) == pick)
    # an alert's evidence is the child's information: opening it is recorded like a case view
    opened: set[str] = st.session_state.setdefault("audited_alerts", set())
    if pick not in opened:
        try:
            services.governance().record(
                session,
                "case_view",
                person_id=alert.get("person_id"),
                purpose=purpose,
                details={"mode": "alert", "alert_id": pick, "pattern": alert.get("pattern")},
            )
        except GovernanceError as exc:
            st.error(f"Opening this alert could not be recorded, so it is not shown: {exc}")
            return
        opened.add(pick)
    st.subheader(f"{alert.get('pattern')} ({alert['status']})")
    st.write(alert.get("summary") or "")
    if alert.get("status_by"):
        st.caption(f"Last decision by {alert['status_by']}: {alert.get('status_reason') or ''}")
    st.markdown("**Evidence**")
    evidence = services.governance().redact(session, alert["evidence"])
    if evidence:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "date": e.get("occurred_on"),
                        "agency": e.get("agency"),
                        "type": e.get("fact_type"),
                        "marker": {"fact": "FACT", "opinion": "OPINION"}.get(str(e.get("basis")), "UNMARKED"),
                        "summary": e.get("summary") or e.get("restricted_note") or "",
                        "source": f"{e.get('agency')} {e.get('source_table')} {e.get('source_record_id')}",
                    }
                    for e in evidence
                ]
            ),  # fmt: skip
            hide_index=True,
            width="stretch",
        )
    if alert.get("person_id") and st.button("Open the child's case", key=f"alert_open_{alert['person_id']}"):
        ui.open_case(str(alert["person_id"]))
        st.rerun()
    if not ui.allowed("decide_alerts"):
        st.caption(f"The {session.role} role may not acknowledge or close alerts.")
        return
    with st.form("alert_decision_form"):
        decision = st.radio(
            "Decision", ["acknowledged", "closed"], horizontal=True, key="alert_decision_kind"
        )
        reason = st.text_area("Reason (recorded)", key="alert_reason")
        submitted = st.form_submit_button("Record decision")
    if submitted:
        if len((reason or "").strip()) < MIN_REASON:
            st.error(f"Give the reason in at least {MIN_REASON} characters.")
            return
        try:
            services.governance().record(
                session,
                "alert_decision",
                person_id=alert["people"][0] if alert["people"] else None,
                purpose=purpose,
                details={
                    "alert_id": pick,
                    "decision": decision,
                    "reason": reason.strip(),
                    "pattern": alert.get("pattern"),
                },  # fmt: skip
            )
        except GovernanceError as exc:
            st.error(f"The decision could not be recorded, so it is not made: {exc}")
            return
        data.decide_alert(
            services.driver(), services.database(), pick, decision, session.username, reason.strip()
        )
        st.success(f"Alert {decision}.")
