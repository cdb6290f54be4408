"""The app's frame: login, the purpose and legal gateway, the sidebar, and which page to show.

Nothing is read from the graph before a valid session (checked on every run: expiry, disabled account,
changed role) and a purpose with a legal gateway. Every search, case view, export, alert decision and
match decision goes through ``Governance.record`` *before* anything is shown or changed; when recording
fails, nothing is shown. Nothing about a child is taken from the URL.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app.governance import (
    GATEWAYS,
    AccessPurpose,
    GovernanceError,
    Session,
    SessionExpired,
    access_purpose,
)
from app.web import services

PAGES = {
    "search": "Find a child",
    "case": "Case",
    "alerts": "Alerts",
    "review": "Review queue",
    "audit": "Audit",
}
PAGE_PERMISSION = {
    "search": "search",
    "case": "view_case",
    "alerts": "view_case",
    "review": "review_matches",
    "audit": "query_audit",
}

_STYLE = """
<style>
.jigsaw-banner {border: 3px solid #b00000; background: #fff4f4; padding: 0.6rem 1rem; border-radius: 6px;
                margin-bottom: 0.8rem;}
.jigsaw-banner b {color: #b00000;}
.jigsaw-marking {color: #b00000; font-weight: 700; letter-spacing: 0.05em;}
/* Meeting mode on a shared screen: nothing unreduced may show while the page reruns into meeting mode.
   Streamlit leaves the previous run's elements on screen until each is replaced, so from the moment the
   switch is on, the main area stays blank until the meeting page has been drawn to its end (the marker
   below is its last element); anything left after the marker from a longer previous page stays hidden. */
body:has(.st-key-meeting input:checked):not(:has(.jigsaw-meeting-ready)) [data-testid="stMain"] {visibility: hidden;}
body:has(.st-key-meeting input:checked) [data-testid="stElementContainer"]:has(.jigsaw-meeting-ready) ~ * {visibility: hidden;}
</style>
"""
_MEETING_STYLE = """
<style>
html, body, [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li,
[data-testid="stTable"] td, [data-testid="stTable"] th { font-size: 1.3rem !important; line-height: 1.5; }
h1 { font-size: 2.6rem !important; } h2, h3 { font-size: 1.9rem !important; }
.jigsaw-banner { font-size: 1.35rem; }
</style>
"""


def state() -> Any:
    return st.session_state


def current_session() -> Session | None:
    sess = state().get("session")
    return sess if isinstance(sess, Session) else None


def current_purpose() -> AccessPurpose | None:
    purpose = state().get("purpose")
    return purpose if isinstance(purpose, AccessPurpose) else None


def logout(message: str | None = None) -> None:
    for key in list(state().keys()):
        del state()[key]
    if message:
        state()["flash"] = message


def allowed(permission: str) -> bool:
    sess = current_session()
    return sess is not None and services.governance().policy.allows(sess.role, permission)


def audit_once(
    session: Session,
    action: str,
    purpose: AccessPurpose,
    details: dict[str, Any],
    person_id: str | None = None,
) -> bool:
    """Record ``action`` (about ``person_id``, if one) once per session for these details (Streamlit reruns the
    page on every click), before the page reads what it shows. False, with the reason on screen, when it cannot
    be recorded: show nothing."""
    key = (action, person_id, tuple(sorted((k, str(v)) for k, v in details.items())))
    done: set[Any] = state().setdefault("audited_views", set())
    if key in done:
        return True
    try:
        services.governance().record(session, action, person_id=person_id, purpose=purpose, details=details)
    except GovernanceError as exc:
        st.error(f"This view could not be recorded, so it is not shown: {exc}")
        return False
    done.add(key)
    return True


def login_page() -> None:
    st.title("Jigsaw")
    st.caption("The child's picture for the Multi-Agency Safeguarding Hub. Sign in to continue.")
    flash = state().pop("flash", None)
    if flash:
        st.warning(flash)
    with st.form("login_form"):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        try:
            session = services.governance().authenticate(username, password)
        except GovernanceError as exc:
            st.error(str(exc))
            return
        state()["session"] = session
        state()["view"] = "search"
        st.rerun()


def purpose_form(submit_label: str = "Continue") -> None:
    """Ask why (in words) and under which legal gateway; consent is not offered."""
    st.subheader("Purpose and legal gateway")
    st.write(
        "Say why you need to see children's information and under which legal gateway "
        "(NPCC MASH guidance, appendix). Every search, view and export is recorded with them."
    )
    current = current_purpose()
    codes = [g.code for g in GATEWAYS]
    labels = {g.code: f"{g.legislation}: {g.label}" for g in GATEWAYS}
    with st.form("purpose_form"):
        text = st.text_area(
            "Purpose", value=current.purpose if current else "", key="purpose_text", max_chars=2000
        )
        gateway = st.selectbox(
            "Legal gateway",
            codes,
            index=codes.index(current.gateway) if current else None,
            format_func=lambda c: labels[c],
            placeholder="Choose the legal gateway",
            key="purpose_gateway",
        )
        submitted = st.form_submit_button(submit_label)
    if submitted:
        try:
            purpose = access_purpose(text or "", gateway or "")
        except GovernanceError as exc:
            st.error(str(exc))
            return
        state()["purpose"] = purpose
        state()["changing_purpose"] = False
        state().pop("pdf", None)
        st.rerun()


def sidebar(session: Session) -> None:
    purpose = current_purpose()
    with st.sidebar:
        st.markdown('<span class="jigsaw-marking">OFFICIAL-SENSITIVE</span>', unsafe_allow_html=True)
        st.write(f"Signed in as **{session.username}** ({session.role})")
        if purpose:
            st.caption(f"Purpose: {purpose.purpose}")
            st.caption(f"Gateway: {purpose.gateway_label}")
            if st.button("Change purpose", key="change_purpose"):
                state()["changing_purpose"] = True
                st.rerun()
        meeting = bool(state().get("meeting"))
        if purpose and not meeting:
            pages = [
                p for p in PAGES if allowed(PAGE_PERMISSION[p]) and (p != "case" or state().get("case_id"))
            ]
            if pages:
                view = state().get("view", pages[0])
                choice = st.radio(
                    "Go to",
                    pages,
                    index=pages.index(view) if view in pages else 0,
                    format_func=lambda p: PAGES[p],
                    key=f"nav_{view}",
                )
                if choice != view:
                    state()["view"] = choice
                    st.rerun()
        if state().get("view") == "case" and state().get("case_id") and purpose:
            from app.web.views import case

            st.toggle("Meeting mode", key="meeting", help="Large, proportionate view for a strategy meeting")
            case.known_at_control()
        if st.button("Sign out", key="logout"):
            logout("You have signed out.")
            st.rerun()


def run() -> None:
    st.set_page_config(page_title="Jigsaw", page_icon=None, layout="wide")
    st.markdown(_STYLE, unsafe_allow_html=True)
    session = current_session()
    if session is None:
        login_page()
        return
    try:
        session = services.governance().check(session)
    except SessionExpired as exc:
        logout(str(exc))
        login_page()
        return
    state()["session"] = session
    sidebar(session)
    if not any(allowed(p) for p in ("search", "view_case", "query_audit")):
        st.info("Your role has no pages in this app.")
        return
    view = state().get("view", "search")
    if view == "audit" and allowed("query_audit"):
        from app.web.views import audit

        audit.page(session)
        return
    if not allowed("search") and allowed("query_audit"):
        state()["view"] = "audit"
        st.rerun()
    if current_purpose() is None or state().get("changing_purpose"):
        purpose_form()
        return
    purpose = current_purpose()
    assert purpose is not None
    from app.web.views import alerts, case, review, search

    if view == "case" and state().get("case_id"):
        if state().get("meeting"):
            st.markdown(_MEETING_STYLE, unsafe_allow_html=True)
        case.page(session, purpose, str(state()["case_id"]))
    elif view == "alerts" and allowed("view_case"):
        alerts.page(session, purpose)
    elif view == "review" and allowed("review_matches"):
        review.page(session, purpose)
    else:
        search.page(session, purpose)


def open_case(person_id: str) -> None:
    state()["case_id"] = person_id
    state()["view"] = "case"
    state()["meeting"] = False
    state().pop("pdf", None)
