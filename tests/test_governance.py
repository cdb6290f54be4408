"""Governance without a database: passwords and sessions, roles and redaction, meeting mode, gateways,
the hash-chained audit log (tampering, concurrency), retention, and OpenID Connect claim mapping."""

from __future__ import annotations

import json
import logging
import multiprocessing
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from app.governance import (
    GATEWAYS,
    THIRD_PARTY_CONSENT,
    AccessPurpose,
    Actor,
    AuditError,
    AuditLog,
    AuthenticationError,
    Governance,
    GovernanceSettings,
    OIDCConfig,
    PermissionDenied,
    PolicyError,
    RetentionPolicy,
    Session,
    SessionExpired,
    access_purpose,
    default_policy,
    flag_for_review,
    identity_from_claims,
    incoming_share_basis,
    load_governance_settings,
    load_policy,
    meeting_view,
    operator_actor,
    role_from_claims,
)
from app.governance.audit import GENESIS, canonical_json, entry_hash, write_csv
from app.governance.roles import DEFAULT_ROLES_YAML
from graph.config import load_settings

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # fast for tests; one test uses defaults


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def gov(tmp_path: Path, clock: Clock) -> Governance:
    g = Governance(GovernanceSettings(home=tmp_path / "governance"), hasher=CHEAP, clock=clock)
    op = operator_actor()
    for name, role in [
        ("ada", "health"),
        ("ed", "education"),
        ("sue", "supervisor"),
        ("aud", "auditor"),
        ("ana", "analyst"),
    ]:
        g.add_user(op, name, role, PASSWORD)
    return g


def entries(g: Governance) -> list[dict[str, Any]]:
    return [json.loads(line) for line in g.audit.path.read_text().splitlines()]


PURPOSE = AccessPurpose(purpose="Strategy discussion for a s47 enquiry", gateway="CA1989_S47")


# -- passwords, users, sessions ---------------------------------------------------------------------------
def test_argon2_round_trip_and_wrong_password(gov: Governance) -> None:
    session = gov.authenticate("ADA", PASSWORD)  # usernames are case-insensitive
    assert (session.username, session.role, session.method) == ("ada", "health", "password")
    stored = json.loads(gov.settings.users_file.read_text())["users"]["ada"]["password_hash"]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in gov.settings.users_file.read_text()
    with pytest.raises(AuthenticationError, match="unknown username or wrong password"):
        gov.authenticate("ada", PASSWORD + "x")
    with pytest.raises(AuthenticationError, match="unknown username or wrong password"):
        gov.authenticate("nobody", PASSWORD)  # the same message: no hint which usernames exist


def test_default_argon2_parameters_and_rehash_on_login(tmp_path: Path, clock: Clock) -> None:
    settings = GovernanceSettings(home=tmp_path / "gov")
    Governance(settings, hasher=CHEAP, clock=clock).add_user(operator_actor(), "ada", "health", PASSWORD)
    strong = Governance(settings, clock=clock)  # argon2-cffi's defaults, as in production
    strong.authenticate("ada", PASSWORD)
    rehashed = strong.users.get("ada")
    assert rehashed is not None and "m=65536,t=3,p=4" in rehashed.password_hash
    assert strong.authenticate("ada", PASSWORD).username == "ada"


def test_password_and_username_rules(gov: Governance) -> None:
    op = operator_actor()
    with pytest.raises(PolicyError, match="at least 12"):
        gov.add_user(op, "newbie", "analyst", "x" * 11)
    gov.add_user(op, "newbie", "analyst", "x" * 12)
    with pytest.raises(PolicyError, match="already exists"):
        gov.add_user(op, "Newbie", "analyst", PASSWORD)
    with pytest.raises(PolicyError, match="must not be the username"):
        gov.add_user(op, "longusername1", "analyst", "LongUsername1")
    with pytest.raises(PolicyError, match="unknown role"):
        gov.add_user(op, "other", "superuser", PASSWORD)
    with pytest.raises(PolicyError, match="username"):
        gov.add_user(op, "has space", "analyst", PASSWORD)


def test_governance_files_are_private(gov: Governance) -> None:
    for path in (gov.settings.users_file, gov.settings.audit_file, gov.audit.head_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(gov.settings.home.stat().st_mode) == 0o700


def test_disabled_user_cannot_log_in_and_open_session_ends(gov: Governance) -> None:
    session = gov.authenticate("ed", PASSWORD)
    gov.disable_user(operator_actor(), "ed")
    with pytest.raises(AuthenticationError, match="disabled"):
        gov.authenticate("ed", PASSWORD)
    with pytest.raises(SessionExpired):
        gov.check(session)
    with pytest.raises(SessionExpired):
        gov.record(session, "search", details={"query": "smith"})
    gov.enable_user(operator_actor(), "ed")
    assert gov.authenticate("ed", PASSWORD).role == "education"


def test_role_change_ends_open_sessions(gov: Governance) -> None:
    session = gov.authenticate("ana", PASSWORD)
    gov.set_role(operator_actor(), "ana", "supervisor")
    with pytest.raises(SessionExpired):
        gov.check(session)
    assert gov.authenticate("ana", PASSWORD).role == "supervisor"


def test_failed_logins_are_audited_without_passwords(gov: Governance) -> None:
    for username, password in [("ada", "wrong password!!"), ("ghost", PASSWORD), ("my secret pass", "x")]:
        with pytest.raises(AuthenticationError):
            gov.authenticate(username, password)
    gov.disable_user(operator_actor(), "ed")
    with pytest.raises(AuthenticationError):
        gov.authenticate("ed", PASSWORD)
    failed = [e for e in entries(gov) if e["action"] == "login_failed"]
    assert [(e["user"], e["details"]["reason"]) for e in failed] == [
        ("ada", "wrong_password"),
        ("ghost", "unknown_user"),
        ("(not a valid username)", "unknown_user"),  # maybe a password typed in the wrong box: not kept
        ("ed", "disabled"),
    ]
    assert failed[0]["role"] == "health" and failed[0]["category"] is None
    text = gov.audit.path.read_text()
    assert "wrong password!!" not in text and "my secret pass" not in text and PASSWORD not in text
    ok = gov.authenticate("ada", PASSWORD)
    login = entries(gov)[-1]
    assert login["action"] == "login" and login["details"]["session"] == ok.session_id


def test_session_idle_timeout_and_maximum_age(gov: Governance, clock: Clock) -> None:
    session = gov.authenticate("sue", PASSWORD)
    assert session.expires_at == START + timedelta(minutes=30)
    clock.advance(minutes=29)
    session = gov.check(session)  # used: the idle clock restarts
    clock.advance(minutes=29)
    session = gov.check(session)
    clock.advance(minutes=31)
    with pytest.raises(SessionExpired, match="30 minutes"):
        gov.check(session)

    session = gov.authenticate("sue", PASSWORD)
    for _ in range(35):  # busy all day, never idle for 30 minutes
        clock.advance(minutes=20)
        session = gov.check(session)
    clock.advance(minutes=20)  # 12 hours since login
    with pytest.raises(SessionExpired, match="maximum length"):
        gov.check(session)


def test_session_timeout_is_configurable(tmp_path: Path) -> None:
    toml = tmp_path / "jigsaw.toml"
    toml.write_text('[governance]\nsession_idle_minutes = 10\nroles_file = "roles.yaml"\n')
    env = {"JIGSAW_CONFIG": str(toml), "JIGSAW_HOME": str(tmp_path / "home")}
    settings = load_governance_settings(load_settings(env), env)
    assert settings.idle_timeout == timedelta(minutes=10)
    assert settings.roles_file == Path("roles.yaml")
    assert settings.users_file == (tmp_path / "home").resolve() / "governance" / "users.json"
    env["JIGSAW_SESSION_IDLE_MINUTES"] = "5"
    assert load_governance_settings(load_settings(env), env).idle_timeout == timedelta(minutes=5)
    env["JIGSAW_SESSION_IDLE_MINUTES"] = "0"
    with pytest.raises(PolicyError, match="session_idle_minutes"):
        load_governance_settings(load_settings(env), env)


def test_only_sessions_and_the_cli_operator_act(gov: Governance) -> None:
    with pytest.raises(PolicyError, match="Session"):
        gov.record(Actor("ada", "supervisor"), "search")  # a bare actor cannot claim a role
    forged = Session("mallory", "supervisor", START, START, timedelta(minutes=30), timedelta(hours=12))
    with pytest.raises(SessionExpired):
        gov.record(forged, "search")  # no such user in the store


# -- roles and data minimisation ---------------------------------------------------------------------------
HEALTH_FACT = {
    "fact_key": "health|ae|1",
    "agency": "health",
    "fact_type": "ae_attendance",
    "occurred_on": "2026-01-04",
    "basis": "fact",
    "detail": "Attended A&E with a spiral fracture of the left arm",
    "description": "X-ray: spiral fracture",
    "clinician": "Dr Example",
}
EDUCATION_FACT = {
    "fact_key": "education|absence|7",
    "agency": "education",
    "fact_type": "absence",
    "basis": "fact",
    "detail": "Absent 14 sessions this term",
}


def test_health_detail_hidden_from_education_shown_to_health() -> None:
    policy = default_policy()
    facts = [HEALTH_FACT, EDUCATION_FACT]
    education = policy.redact_facts(facts, "education")
    health_as_education = education[0]
    assert health_as_education["detail"] is None and health_as_education["restricted"] is True
    assert "description" not in health_as_education and "clinician" not in health_as_education
    assert health_as_education["fact_type"] == "ae_attendance"  # the summary: that health holds something
    assert health_as_education["occurred_on"] == "2026-01-04"
    assert "health, supervisor" in health_as_education["restricted_note"]
    assert education[1]["detail"] == EDUCATION_FACT["detail"]

    health = policy.redact_facts(facts, "health")
    assert health[0]["detail"] == HEALTH_FACT["detail"] and health[0]["clinician"] == "Dr Example"
    assert health[1]["detail"] is None  # education detail is not health's to see
    assert policy.redact_facts(facts, "supervisor")[0]["restricted"] is False
    assert policy.redact_facts(facts, "auditor") == []
    assert HEALTH_FACT["detail"] and "restricted" not in HEALTH_FACT  # the input is not changed


def test_fact_of_unknown_or_missing_agency_is_never_detail() -> None:
    policy = default_policy()
    odd = [{"agency": "martians", "detail": "x", "fact_type": "t"}, {"detail": "y", "fact_type": "t"}]
    assert [f["detail"] for f in policy.redact_facts(odd, "supervisor")] == [None, None]
    with pytest.raises(PolicyError, match="unknown role"):
        policy.redact_facts(odd, "janitor")


def test_redaction_and_permissions_enforced_through_governance(gov: Governance) -> None:
    education = gov.authenticate("ed", PASSWORD)
    assert gov.redact(education, [HEALTH_FACT])[0]["detail"] is None
    auditor = gov.authenticate("aud", PASSWORD)
    with pytest.raises(PermissionDenied, match="auditor role may not view case"):
        gov.redact(auditor, [HEALTH_FACT])
    with pytest.raises(PermissionDenied, match="export"):
        gov.record(education, "export", person_id="P1", purpose=PURPOSE)
    with pytest.raises(PermissionDenied):
        gov.add_user(education, "someone", "analyst", PASSWORD)
    with pytest.raises(PermissionDenied):
        gov.query_audit(education)
    assert not any(e["action"] == "export" for e in entries(gov))


def test_roles_file_is_configurable_and_validated(tmp_path: Path) -> None:
    custom = DEFAULT_ROLES_YAML.replace(
        "    detail: [education, early_help]\n", "    detail: [education, early_help, health]\n"
    )
    path = tmp_path / "roles.yaml"
    path.write_text(custom)
    assert load_policy(path).redact_facts([HEALTH_FACT], "education")[0]["restricted"] is False
    for broken, message in [
        (
            DEFAULT_ROLES_YAML.replace("detail: [health, csc]", "detail: [health, cfs]"),
            "unknown agencies cfs",
        ),
        (DEFAULT_ROLES_YAML.replace("[search, view_case]\n", "[search, view_cases]\n", 1), "view_cases"),
        (DEFAULT_ROLES_YAML.replace("    default: summary\n", "    defualt: summary\n", 1), "defualt"),
        (DEFAULT_ROLES_YAML.replace("[query_audit]", "[]"), "no role has the query_audit permission"),
        ("roles: [", "not valid YAML"),
    ]:
        path.write_text(broken)
        with pytest.raises(PolicyError, match=message):
            load_policy(path)


def test_default_roles_cover_the_issue_and_the_graph_agencies() -> None:
    policy = default_policy()
    assert set(policy.roles) == {
        "mash_police", "social_care", "health", "education", "analyst", "supervisor", "auditor", "admin",
    }  # fmt: skip
    assert [r for r in policy.roles if policy.allows(r, "manage_users")] == ["admin"]
    assert [r for r in policy.roles if policy.allows(r, "query_audit")] == ["auditor"]
    assert policy.detail_roles("health") == ["health", "supervisor"]
    model = pytest.importorskip("graph.model")
    assert set(policy.agencies) == set(model.AGENCIES)


# -- meeting mode ------------------------------------------------------------------------------------------
def test_meeting_mode_reduces_other_children_addresses_and_marks_opinion() -> None:
    today = date(2026, 3, 2)
    people = [
        {"person_id": "C1", "given_name": "Amy", "family_name": "Smith", "date_of_birth": "2019-05-01",
         "kind": "child", "nhs_number": "9434765919", "address": "12 Rose Lane, Leeds LS6 2AB"},
        {"person_id": "C2", "given_name": "Jayden", "family_name": "Smith", "date_of_birth": "2016-03-03",
         "relationship": "sibling", "upn": "A123456789012", "address": "12 Rose Lane, Leeds LS6 2AB"},
        {"person_id": "A1", "given_name": "Dean", "family_name": "Brown", "date_of_birth": "1990-01-01",
         "kind": "adult", "pnc_id": "2001/0000001X", "postcode": "ls7 4cd"},
    ]  # fmt: skip
    facts = [
        {"agency": "police", "basis": "opinion", "postcode": "LS6 2AB",
         "detail": "Officer felt Jayden Smith was scared of Dean; seen at LS7 4CD. Jayden cried."},
        {"agency": "csc", "basis": "fact", "detail": "Amy seen at school"},
        {"agency": "health", "detail": "No marker given"},
    ]  # fmt: skip
    view = meeting_view("C1", people, facts, today)
    subject, sibling, adult = view.people
    assert subject["given_name"] == "Amy" and subject["age"] == 6 and subject["nhs_number"] == "9434765919"
    assert subject["area"] == "LS6" and "address" not in subject
    assert sibling == {
        "person_id": "C2",
        "relationship": "sibling",
        "display_name": "J.S.",
        "age": 9,
        "area": "LS6",
    }
    assert adult["given_name"] == "Dean" and adult["age"] == 36 and adult["area"] == "LS7"
    assert "pnc_id" not in adult and "date_of_birth" not in adult and "postcode" not in adult

    opinion, fact, unmarked = view.facts
    assert opinion["marker"] == "OPINION"
    assert opinion["detail"] == "[OPINION] Officer felt J.S. was scared of Dean; seen at LS7. J.S. cried."
    assert opinion["area"] == "LS6" and "postcode" not in opinion
    assert fact["marker"] == "FACT" and fact["detail"] == "Amy seen at school"
    assert unmarked["marker"] == "UNMARKED"
    assert people[1]["given_name"] == "Jayden"  # the input is not changed

    by_area = meeting_view("C1", people, facts, today, granularity="area")
    assert by_area.people[0]["area"] == "LS" and "seen at LS." in by_area.facts[0]["detail"]


# -- purposes and gateways ---------------------------------------------------------------------------------
def test_every_appendix_gateway_is_accepted() -> None:
    codes = {g.code for g in GATEWAYS}
    assert codes == {
        "CA1989_S7", "CA1989_S17", "CA1989_S31", "CA1989_S37", "CA1989_S47", "CA2004_S10", "CA2004_S11",
        "CDA1998_S115", "UKGDPR_6_1_C", "UKGDPR_6_1_E", "UKGDPR_6_1_D", "UKGDPR_6_1_F",
    }  # fmt: skip
    for code in codes:
        assert access_purpose("Screening a police referral", code).gateway == code
    assert access_purpose("Screening a police referral", "ca1989-s47").gateway == "CA1989_S47"
    assert "Children Act 1989 s47" in PURPOSE.gateway_label


def test_consent_is_rejected_as_a_basis_and_purpose_must_be_stated() -> None:
    for consent in ("consent", "UKGDPR_6_1_A", "UK GDPR 6(1)(a)", THIRD_PARTY_CONSENT):
        with pytest.raises(PolicyError, match="consent is not a basis"):
            access_purpose("Screening a police referral", consent)
    with pytest.raises(PolicyError, match="unknown legal gateway"):
        access_purpose("Screening a police referral", "CA1989_S99")
    with pytest.raises(PolicyError, match="at least 10 characters"):
        access_purpose("   checking  ", "CA1989_S17")  # 8 characters once trimmed
    # a third party's share on the data subject's consent is recorded as such (case study 2)
    assert incoming_share_basis("third_party_consent") == THIRD_PARTY_CONSENT
    assert incoming_share_basis("cda1998_s115") == "CDA1998_S115"
    with pytest.raises(PolicyError, match=THIRD_PARTY_CONSENT):
        incoming_share_basis("consent")


def test_case_view_and_export_need_purpose_and_are_audited_with_it(gov: Governance) -> None:
    sue = gov.authenticate("sue", PASSWORD)
    with pytest.raises(PolicyError, match="purpose"):
        gov.record(sue, "case_view", person_id="P1")
    gov.record(sue, "case_view", person_id="P1", purpose=PURPOSE)
    gov.record(sue, "export", person_id="P1", purpose=PURPOSE, details={"format": "pdf"})
    gov.record(sue, "alert_decision", person_id="P1", details={"alert": "A9", "decision": "close"})
    gov.record(sue, "match_decision", person_id="P1", details={"pair": ["r1", "r2"], "decision": "confirm"})
    view, export, alert, match = entries(gov)[-4:]
    assert (view["action"], view["category"], view["person_id"]) == ("case_view", "consultation", "P1")
    assert (view["purpose"], view["gateway"]) == (PURPOSE.purpose, "CA1989_S47")
    assert (view["user"], view["role"], view["details"]["session"]) == ("sue", "supervisor", sue.session_id)
    assert (export["category"], export["details"]["format"]) == ("disclosure", "pdf")
    assert alert["category"] == "alteration" and match["category"] == "combination"
    with pytest.raises(PolicyError, match="unknown audit action"):
        gov.record(sue, "peek")
    with pytest.raises(PolicyError, match="recorded by Governance itself"):
        gov.record(sue, "login")


# -- the audit log -----------------------------------------------------------------------------------------
@pytest.fixture()
def log(tmp_path: Path, clock: Clock) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.jsonl", clock)
    actor = Actor("sue", "supervisor")
    for i in range(1, 7):
        clock.advance(minutes=1)
        audit.append(actor, "case_view", person_id=f"P{i}", purpose=PURPOSE)
    return audit


def lines(log: AuditLog) -> list[str]:
    return log.path.read_text().splitlines(keepends=True)


def test_audit_chain_verifies(log: AuditLog) -> None:
    result = log.verify()
    assert result.ok and result.entries == 6 and result.first_broken_seq is None
    rows = [json.loads(line) for line in lines(log)]
    assert [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[0]["prev_hash"] == GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after["prev_hash"] == before["hash"]
    body = {k: v for k, v in rows[2].items() if k != "hash"}
    assert rows[2]["hash"] == entry_hash(rows[2])
    assert len(rows[2]["hash"]) == 64 and canonical_json(body).startswith('{"action":"case_view"')
    assert result.head_hash == rows[-1]["hash"]
    assert rows[0]["timestamp"] == "2026-03-02T09:01:00.000000+00:00"


def test_editing_a_field_is_detected_at_that_seq(log: AuditLog) -> None:
    text = lines(log)
    row = json.loads(text[2])
    row["person_id"] = "P999"
    text[2] = canonical_json(row) + "\n"
    log.path.write_text("".join(text))
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 3 and "altered" in result.reason
    assert result.entries == 2


def test_rehashing_an_edited_entry_breaks_the_next_link(log: AuditLog) -> None:
    text = lines(log)
    row = json.loads(text[2])
    row["purpose"] = "Nothing to see here at all"
    row["hash"] = entry_hash(row)
    text[2] = canonical_json(row) + "\n"
    log.path.write_text("".join(text))
    result = log.verify()
    assert result.first_broken_seq == 4 and "prev_hash" in result.reason


def test_deleting_a_line_is_detected(log: AuditLog) -> None:
    text = lines(log)
    del text[3]
    log.path.write_text("".join(text))
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 4 and "deleted" in result.reason


def test_reordering_is_detected(log: AuditLog) -> None:
    text = lines(log)
    text[1], text[2] = text[2], text[1]
    log.path.write_text("".join(text))
    assert log.verify().first_broken_seq == 2


def test_truncation_is_detected(log: AuditLog) -> None:
    text = lines(log)
    log.path.write_text("".join(text[:4]))  # the last two entries cut off
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 5 and "cut off" in result.reason
    log.path.write_text("".join(text)[:-30])  # cut mid-entry
    result = log.verify()
    assert not result.ok and result.first_broken_seq == 6
    log.path.unlink()  # the whole log gone, the head file still says 6 entries were written
    assert log.verify().first_broken_seq == 1


def test_a_fully_rewritten_chain_is_caught_by_an_outside_anchor(log: AuditLog) -> None:
    anchor = (4, json.loads(lines(log)[3])["hash"])
    assert log.verify(anchor).ok
    rows = [json.loads(line) for line in lines(log)]
    rows[1]["person_id"] = "P-hidden"
    prev = GENESIS
    for row in rows:  # an insider recomputes every hash and the head file
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(row)
    log.path.write_text("".join(canonical_json(r) + "\n" for r in rows))
    log.head_path.write_text(canonical_json({"seq": 6, "hash": prev}))
    assert log.verify().ok  # the chain alone cannot show this (documented)
    result = log.verify(anchor)
    assert not result.ok and result.first_broken_seq == 4 and "anchored" in result.reason


def test_a_damaged_tail_stops_all_writing(log: AuditLog) -> None:
    with log.path.open("a") as fh:
        fh.write('{"seq": 7, "trunc')
    with pytest.raises(AuditError, match="damaged"):
        log.append(Actor("sue", "supervisor"), "search")
    assert log.verify().first_broken_seq == 7


def test_audit_refuses_bad_input(log: AuditLog) -> None:
    actor = Actor("sue", "supervisor")
    with pytest.raises(PolicyError, match="unknown audit action"):
        log.append(actor, "snoop")
    with pytest.raises(PolicyError, match="category"):
        log.append(actor, "search", category="browsing")
    with pytest.raises(PolicyError, match="needs a purpose"):
        log.append(actor, "export")
    with pytest.raises(PolicyError, match="user and role"):
        log.append(Actor("", "supervisor"), "search")
    assert log.verify().entries == 6


def _append_many(path: str, worker: int, count: int) -> None:
    audit = AuditLog(Path(path))
    for i in range(count):
        audit.append(Actor(f"user{worker}", "analyst"), "search", details={"worker": worker, "i": i})


def test_concurrent_appends_from_several_processes_keep_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_append_many, args=(str(path), w, 40)) for w in range(6)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    log = AuditLog(path)
    result = log.verify()
    assert result.ok, result.reason
    assert result.entries == 240
    got = [(e.details["worker"], e.details["i"]) for e in log.entries()]
    assert sorted(got) == [(w, i) for w in range(6) for i in range(40)]
    for w in range(6):  # each process's own entries stay in its order
        assert [i for wk, i in got if wk == w] == list(range(40))


def test_query_filters_and_csv_export(gov: Governance, clock: Clock, tmp_path: Path) -> None:
    sue = gov.authenticate("sue", PASSWORD)
    gov.record(sue, "case_view", person_id="P1", purpose=PURPOSE)
    clock.advance(days=2)
    sue = gov.authenticate("sue", PASSWORD)
    gov.record(sue, "case_view", person_id="P2", purpose=PURPOSE)
    ana = gov.authenticate("ana", PASSWORD)
    gov.record(ana, "search", details={"query": '=HYPERLINK("http://x")'})
    auditor = gov.authenticate("aud", PASSWORD)
    assert [e.person_id for e in gov.query_audit(auditor, action="case_view")] == ["P1", "P2"]
    assert [e.action for e in gov.query_audit(auditor, user="ana")] == ["login", "search"]
    assert [e.person_id for e in gov.query_audit(auditor, person_id="P2")] == ["P2"]
    since = gov.query_audit(auditor, action="case_view", since=date(2026, 3, 3))
    assert [e.person_id for e in since] == ["P2"]
    until = gov.query_audit(auditor, action="case_view", until=date(2026, 3, 2))
    assert [e.person_id for e in until] == ["P1"]
    viewed = [e for e in entries(gov) if e["action"] == "audit_view"]
    assert (
        len(viewed) == 5
        and viewed[0]["user"] == "aud"
        and viewed[0]["details"]["filters"] == {"action": "case_view"}
    )

    out = tmp_path / "audit.csv"
    assert gov.export_audit(auditor, out, user="ana") == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = out.read_text().splitlines()
    assert rows[0].startswith("seq,timestamp,user,role,action,category,person_id,purpose,gateway,details")
    assert entries(gov)[-1]["action"] == "audit_export"

    evil = tmp_path / "evil.csv"
    log = AuditLog(tmp_path / "evil.jsonl")
    log.append(
        Actor("sue", "supervisor"),
        "case_view",
        purpose=AccessPurpose(purpose="=cmd|' /C calc'!A0", gateway="CA1989_S17"),
    )
    write_csv(log.entries(), evil)
    assert ",'=cmd|" in evil.read_text()  # a spreadsheet shows it as text, it does not run it


def test_no_personal_data_in_application_logs(gov: Governance, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    session = gov.authenticate("sue", PASSWORD)
    with pytest.raises(AuthenticationError):
        gov.authenticate("sue", "not the password")
    gov.record(session, "case_view", person_id="CHILD-4711", purpose=PURPOSE, details={"name": "Amy Smith"})
    gov.redact(session, [HEALTH_FACT])
    gov.add_user(operator_actor(), "zed", "analyst", PASSWORD)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("sue", "zed", "CHILD-4711", "Amy Smith", PASSWORD, "spiral fracture"):
        assert secret not in logged
    assert "CHILD-4711" in gov.audit.path.read_text()  # the audit log is the record


# -- retention ---------------------------------------------------------------------------------------------
def test_records_past_review_are_flagged_never_deleted() -> None:
    records: list[dict[str, Any]] = [
        {"fact_key": "police|1", "agency": "police", "recorded_on": "2019-01-10"},
        {"fact_key": "police|2", "agency": "police", "recorded_on": "2021-01-10"},
        {"fact_key": "csc|3", "agency": "csc", "recorded_on": "2019-01-10"},  # csc: 25 years
        {
            "fact_key": "health|4",
            "agency": "health",
            "recorded_on": "2025-01-01",
            "review_date": "2026-01-01",
        },
        {"fact_key": "health|5", "agency": "health"},
        {"fact_key": "police|6", "agency": "police", "recorded_on": date(2020, 3, 2)},  # due today
    ]
    snapshot = json.dumps(records, default=str)
    policy = RetentionPolicy(default_years=6, agency_years={"csc": 25})
    flags = flag_for_review(records, date(2026, 3, 2), policy)
    assert [(f.record_id, f.review_due) for f in flags] == [
        ("police|1", date(2025, 1, 10)),
        ("health|4", date(2026, 1, 1)),
        ("police|6", date(2026, 3, 2)),
        ("health|5", None),  # no date at all: a person must look
    ]
    assert flags[0].reason == "6 years since recorded_on 2019-01-10"
    assert json.dumps(records, default=str) == snapshot
    with pytest.raises(ValueError):
        RetentionPolicy(default_years=0)


def test_retention_review_and_deletion_are_audited(gov: Governance) -> None:
    flags = flag_for_review(
        [{"fact_key": "police|1", "agency": "police", "recorded_on": "2010-01-01"}],
        date(2026, 3, 2),
        RetentionPolicy(),
    )
    sue = gov.authenticate("sue", PASSWORD)
    gov.record_retention_review(sue, flags)
    with pytest.raises(PolicyError, match="at least 10"):
        gov.record_deletion(sue, ["police|1"], "old")
    gov.record_deletion(sue, ["police|1"], "Past review, no longer necessary", person_id="P1")
    review, deletion = entries(gov)[-2:]
    assert review["action"] == "retention_review" and review["details"]["flagged"][0]["record"] == "police|1"
    assert (deletion["action"], deletion["category"], deletion["details"]["records"]) == (
        "deletion",
        "erasure",
        ["police|1"],
    )
    with pytest.raises(PermissionDenied):
        gov.record_deletion(
            gov.authenticate("ana", PASSWORD), ["police|1"], "Past review, no longer necessary"
        )


# -- OpenID Connect ----------------------------------------------------------------------------------------
OIDC = OIDCConfig(
    issuer="https://login.example.gov.uk/realms/mash",
    client_id="jigsaw",
    redirect_uri="https://jigsaw.example.gov.uk/oauth2callback",
    role_claim="realm_access.roles",
    role_map={"MASH-Police": "mash_police", "MASH-Supervisors": "supervisor", "MASH-Analysts": "analyst"},
)


def claims(**over: Any) -> dict[str, Any]:
    now = int(START.timestamp())
    base: dict[str, Any] = {
        "iss": "https://login.example.gov.uk/realms/mash",
        "aud": "jigsaw",
        "exp": now + 3600,
        "iat": now - 10,
        "preferred_username": "PC.Jones@force.police.uk",
        "realm_access": {"roles": ["offline_access", "MASH-Police"]},
    }
    base.update(over)
    return base


def test_oidc_role_claim_mapping() -> None:
    policy = default_policy()
    assert role_from_claims(claims(), OIDC, policy) == "mash_police"
    flat = OIDC.model_copy(update={"role_claim": "roles"})
    assert role_from_claims({"roles": "MASH-Analysts"}, flat, policy) == "analyst"
    with pytest.raises(AuthenticationError, match="no Jigsaw role"):
        role_from_claims(claims(realm_access={"roles": ["Everyone"]}), OIDC, policy)
    with pytest.raises(AuthenticationError, match="no Jigsaw role"):
        role_from_claims({}, OIDC, policy)
    two = claims(realm_access={"roles": ["MASH-Police", "MASH-Supervisors"]})
    with pytest.raises(AuthenticationError, match="several Jigsaw roles"):
        role_from_claims(two, OIDC, policy)
    ranked = OIDC.model_copy(update={"role_precedence": ("supervisor", "mash_police")})
    assert role_from_claims(two, ranked, policy) == "supervisor"
    with pytest.raises(PolicyError, match="unknown role"):
        OIDC.model_copy(update={"role_map": {"X": "god"}}).check_roles(policy)


def test_oidc_claims_are_checked_before_a_session_opens() -> None:
    policy = default_policy()
    assert identity_from_claims(claims(), OIDC, policy, START) == ("pc.jones@force.police.uk", "mash_police")
    assert identity_from_claims(claims(aud=["other", "jigsaw"]), OIDC, policy, START)[1] == "mash_police"
    later = START + timedelta(hours=2)
    for bad, message in [
        (claims(iss="https://evil.example.com"), "not configured for"),
        (claims(aud="another-app"), "another application"),
        (claims(exp=int(START.timestamp()) - 120), "expired"),
        (claims(preferred_username=None), "preferred_username"),
    ]:
        with pytest.raises(AuthenticationError, match=message):
            identity_from_claims(bad, OIDC, policy, START)
    with pytest.raises(AuthenticationError, match="too old"):  # an old cookie cannot reopen a session
        identity_from_claims(claims(exp=int(later.timestamp()) + 60), OIDC, policy, later)


def test_oidc_login_is_audited(tmp_path: Path, clock: Clock) -> None:
    g = Governance(GovernanceSettings(home=tmp_path / "gov", oidc=OIDC), hasher=CHEAP, clock=clock)
    session = g.authenticate_oidc(claims())
    assert (session.method, session.role) == ("oidc", "mash_police")
    assert g.check(session).username == "pc.jones@force.police.uk"
    with pytest.raises(AuthenticationError):
        g.authenticate_oidc(claims(realm_access={"roles": []}))
    with pytest.raises(AuthenticationError):
        g.authenticate_oidc(claims(preferred_username=None))
    login, failed, nameless = entries(g)
    assert (login["action"], login["details"]["method"]) == ("login", "oidc")
    assert failed["action"] == "login_failed" and "no Jigsaw role" in failed["details"]["reason"]
    assert failed["user"] == "pc.jones@force.police.uk"
    assert nameless["user"] == "(no username claim)"


def test_oidc_config_and_secret_handling(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="https"):
        OIDCConfig(issuer="http://idp.example.com", client_id="j", role_map={"a": "admin"})
    assert OIDCConfig(issuer="http://localhost:8080/realms/x", client_id="j", role_map={"a": "admin"})
    with pytest.raises(PolicyError, match="JIGSAW_OIDC_CLIENT_SECRET"):
        OIDC.client_secret({})
    assert OIDC.client_secret({"JIGSAW_OIDC_CLIENT_SECRET": "s3cret"}) == "s3cret"
    secret = tmp_path / "oidc-secret"
    secret.write_text("from-file\n")
    secret.chmod(0o644)
    from_file = OIDC.model_copy(update={"client_secret_file": secret})
    with pytest.raises(PolicyError, match="chmod 600"):
        from_file.client_secret({})
    secret.chmod(0o600)
    assert from_file.client_secret({}) == "from-file"
    section = OIDC.streamlit_auth_section("c" * 32, {"JIGSAW_OIDC_CLIENT_SECRET": "s3cret"})
    assert section["server_metadata_url"] == (
        "https://login.example.gov.uk/realms/mash/.well-known/openid-configuration"
    )
    assert (
        section["client_kwargs"] == {"scope": "openid profile email"} and section["client_secret"] == "s3cret"
    )


def test_oidc_settings_from_jigsaw_toml(tmp_path: Path) -> None:
    toml = tmp_path / "jigsaw.toml"
    toml.write_text(
        "[governance.oidc]\n"
        'issuer = "https://login.microsoftonline.com/tenant/v2.0"\n'
        'client_id = "abc"\n'
        'role_claim = "roles"\n'
        '[governance.oidc.role_map]\n"Jigsaw.Auditor" = "auditor"\n'
        "[governance.retention]\ndefault_years = 7\nagency_years = { csc = 25 }\n"
    )
    env = {"JIGSAW_CONFIG": str(toml), "JIGSAW_HOME": str(tmp_path / "home")}
    settings = load_governance_settings(load_settings(env), env)
    assert settings.oidc is not None and settings.oidc.role_map == {"Jigsaw.Auditor": "auditor"}
    assert settings.retention.years_for("csc") == 25 and settings.retention.years_for("police") == 7
    toml.write_text('[governance.oidc]\nissuer = "https://x"\nclient_id = "abc"\nclient_secret = "oops"\n')
    with pytest.raises(PolicyError, match="client_secret"):  # a secret in the toml is refused
        load_governance_settings(load_settings(env), env)


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIGSAW_SESSION_IDLE_MINUTES", "JIGSAW_SESSION_MAX_HOURS", "JIGSAW_ROLES_FILE"):
        monkeypatch.delenv(name, raising=False)
