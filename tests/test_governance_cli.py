"""`jigsaw users` and `jigsaw audit` end to end, in a temporary data dir (no database needed)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.governance import AuthenticationError, Governance
from app.governance.roles import DEFAULT_ROLES_YAML

PASSWORD = "correct horse battery staple"
runner = CliRunner()


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JIGSAW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("JIGSAW_CONFIG", str(tmp_path / "absent.toml"))
    for name in ("JIGSAW_ROLES_FILE", "JIGSAW_SESSION_IDLE_MINUTES", "JIGSAW_SESSION_MAX_HOURS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def audit_lines(home: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (home / "governance" / "audit.jsonl").read_text().splitlines()]


def test_users_add_prompts_twice_hidden_and_is_audited_as_the_os_user(home: Path) -> None:
    result = runner.invoke(
        cli, ["users", "add", "Alice", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "added alice (admin)" in result.output and PASSWORD not in result.output
    entry = audit_lines(home)[-1]
    assert entry["user"] == f"os:{getpass.getuser()}" and entry["role"] == "operator"
    assert entry["details"] == {"op": "add", "role": "admin", "target": "alice"}
    assert Governance.open().authenticate("alice", PASSWORD).role == "admin"


def test_users_add_refuses_short_password_unknown_role_and_duplicates(home: Path) -> None:
    short = runner.invoke(
        cli, ["users", "add", "bob", "--role", "health", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 1 and "at least 12" in short.output
    unknown = runner.invoke(cli, ["users", "add", "bob", "--role", "nurse"])  # refused before any prompt
    assert unknown.exit_code == 1 and "unknown role 'nurse'" in unknown.output
    ok = runner.invoke(
        cli, ["users", "add", "bob", "--role", "health", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert ok.exit_code == 0, ok.output
    again = runner.invoke(
        cli, ["users", "add", "bob", "--role", "health", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_disable_enable_reset_set_role_and_list(home: Path) -> None:
    runner.invoke(
        cli, ["users", "add", "carol", "--role", "analyst", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert runner.invoke(cli, ["users", "disable", "carol"]).exit_code == 0
    listing = runner.invoke(cli, ["users", "list"])
    assert "carol" in listing.output and "disabled" in listing.output
    with pytest.raises(AuthenticationError, match="disabled"):
        Governance.open().authenticate("carol", PASSWORD)
    assert runner.invoke(cli, ["users", "enable", "carol"]).exit_code == 0
    new = "another long passphrase"
    reset = runner.invoke(cli, ["users", "reset", "carol", "--password-stdin"], input=new + "\n")
    assert reset.exit_code == 0, reset.output
    assert runner.invoke(cli, ["users", "set-role", "carol", "supervisor"]).exit_code == 0
    assert Governance.open().authenticate("carol", new).role == "supervisor"
    missing = runner.invoke(cli, ["users", "reset", "nobody", "--password-stdin"], input=new + "\n")
    assert missing.exit_code == 1 and "no user" in missing.output
    ops = [e["details"]["op"] for e in audit_lines(home) if e["action"] == "user_change"]  # type: ignore[index]
    assert ops == ["add", "disable", "enable", "reset_password", "set_role"]


def test_users_roles_prints_the_matrix_and_the_default_file(home: Path) -> None:
    matrix = runner.invoke(cli, ["users", "roles"])
    assert matrix.exit_code == 0
    assert "education (Education)\n  detail:  education, early_help\n" in matrix.output
    assert "auditor (Auditor (information governance))\n  detail:  -\n" in matrix.output
    default = runner.invoke(cli, ["users", "roles", "--default"])
    assert default.output == DEFAULT_ROLES_YAML
    assert set(yaml.safe_load(default.output)["roles"]) >= {"health", "education", "auditor"}


def test_audit_verify_show_export_and_tampering(home: Path, tmp_path: Path) -> None:
    runner.invoke(
        cli, ["users", "add", "dan", "--role", "auditor", "--password-stdin"], input=PASSWORD + "\n"
    )
    runner.invoke(cli, ["users", "add", "eve", "--role", "health", "--password-stdin"], input=PASSWORD + "\n")
    ok = runner.invoke(cli, ["audit", "verify"])
    assert ok.exit_code == 0 and "audit log OK: 2 entries" in ok.output
    head = next(line.split(" ", 1)[1] for line in ok.output.splitlines() if line.startswith("head: "))
    assert runner.invoke(cli, ["audit", "verify", "--anchor", head]).exit_code == 0
    assert runner.invoke(cli, ["audit", "verify", "--anchor", "two:abc"]).exit_code == 2

    shown = runner.invoke(cli, ["audit", "show", "--action", "user_change", "--since", "2000-01-01"])
    assert shown.exit_code == 0 and shown.output.count("user_change") == 2
    bad_day = runner.invoke(cli, ["audit", "show", "--since", "31/03/2026"])
    assert bad_day.exit_code == 2 and "not a date" in bad_day.output
    bad_action = runner.invoke(cli, ["audit", "show", "--action", "peek"])
    assert bad_action.exit_code == 1 and "unknown audit action" in bad_action.output

    out = tmp_path / "audit.csv"
    exported = runner.invoke(cli, ["audit", "export", "--out", str(out), "--action", "user_change"])
    assert exported.exit_code == 0 and "wrote 2 entries" in exported.output
    assert len(out.read_text().splitlines()) == 3
    assert [e["action"] for e in audit_lines(home)][-2:] == ["audit_view", "audit_export"]

    log = home / "governance" / "audit.jsonl"
    rows = log.read_text().splitlines(keepends=True)
    log.write_text(rows[0] + rows[2] + "".join(rows[3:]))  # delete the second entry
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1 and "BROKEN at seq 2" in broken.output
