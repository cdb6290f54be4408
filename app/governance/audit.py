"""The audit trail: an append-only, hash-chained JSON Lines log of every access and change.

Each line is one entry: ``seq`` (1, 2, 3...), ``timestamp`` (UTC), ``user``, ``role``, ``action``, ``category``
(the DPA 2018 s62 logging category), ``person_id`` (the child or person concerned, if any), ``purpose`` and
``gateway`` (when the action needs them), ``details``, ``prev_hash`` (the previous entry's hash, 64 zeros for
the first) and ``hash`` = sha256 of the entry's canonical JSON (sorted keys, no spaces, UTF-8) without ``hash``.

Writers take an exclusive ``fcntl.flock`` on the log, read the last entry, and append one line with a single
``write`` followed by ``fsync``: concurrent writers (app workers, the scheduler, the CLI) cannot interleave.
Entries are never rewritten. A small head file beside the log (``<log>.head``: the last seq and hash) lets
:meth:`AuditLog.verify` detect lines cut from the end, which a chain alone cannot show. Anyone who can
write the data dir could still rebuild the whole chain: keep the head hash that ``jigsaw audit verify``
prints somewhere else (a ticket, an email) and pass it back with ``--anchor`` to prove nothing before it changed.

This module writes nothing to Python logging: the audit log is the record, and application logs must not
carry personal data.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

from app.governance.errors import AuditError, PolicyError
from app.governance.gateways import AccessPurpose

Category = Literal["collection", "alteration", "consultation", "disclosure", "combination", "erasure"]
CATEGORIES: tuple[str, ...] = (
    "collection",
    "alteration",
    "consultation",
    "disclosure",
    "combination",
    "erasure",
)

# action -> its default DPA 2018 s62 category. Logins touch no case data, so they carry none.
ACTIONS: dict[str, str | None] = {
    "search": "consultation",
    "case_view": "consultation",
    "export": "disclosure",
    "alert_decision": "alteration",
    "match_decision": "combination",
    "ingest": "collection",
    "user_change": "alteration",
    "login": None,
    "login_failed": None,
    "retention_review": "consultation",
    "deletion": "erasure",
    "audit_view": "consultation",
    "audit_export": "disclosure",
}
PURPOSE_REQUIRED = frozenset({"case_view", "export"})
GENESIS = "0" * 64
FIELDS: tuple[str, ...] = (
    "seq", "timestamp", "user", "role", "action", "category", "person_id", "purpose", "gateway", "details",
    "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user (``Session.actor``) or an operator at the CLI (role ``operator``)."""

    user: str
    role: str


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    timestamp: str
    user: str
    role: str
    action: str
    category: str | None
    person_id: str | None
    purpose: str | None
    gateway: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.timestamp)


def canonical_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(entry: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the entry without its ``hash`` (``prev_hash`` included)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int  # entries that verified, from the first
    head_seq: int  # seq of the last verified entry (0 when none)
    head_hash: str  # hash of the last verified entry (GENESIS when none)
    first_broken_seq: int | None = None
    reason: str = ""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _last_line(fd: int) -> bytes | None:
    """The last line of the file (with its newline), read backwards from the end; None for an empty file."""
    size = os.fstat(fd).st_size
    if size == 0:
        return None
    chunk = 8192
    end = size
    buf = b""
    while end > 0:
        start = max(0, end - chunk)
        buf = os.pread(fd, end - start, start) + buf
        end = start
        cut = buf.rfind(b"\n", 0, len(buf) - 1)
        if cut >= 0:
            return buf[cut + 1 :]
    return buf


class AuditLog:
    """The audit log at ``path`` (created 0600 on first write, its folder 0700)."""

    def __init__(self, path: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + ".head")
        self._clock = clock or (lambda: datetime.now(UTC))

    # -- writing --------------------------------------------------------------------------------------
    def append(
        self,
        actor: Actor,
        action: str,
        *,
        person_id: str | None = None,
        purpose: AccessPurpose | None = None,
        details: Mapping[str, Any] | None = None,
        category: str | None = None,
    ) -> AuditEntry:
        """Append one entry and return it. Raises AuditError when the log cannot be written: the caller must
        then not show or change anything (Jigsaw shows no data it cannot audit)."""
        if action not in ACTIONS:
            raise PolicyError(f"unknown audit action {action!r}; actions: {', '.join(ACTIONS)}")
        if not actor.user or not actor.role:
            raise PolicyError("an audit entry needs the acting user and role")
        if category is None:
            category = ACTIONS[action]
        elif category not in CATEGORIES:
            raise PolicyError(
                f"unknown DPA 2018 s62 category {category!r}; categories: {', '.join(CATEGORIES)}"
            )
        if action in PURPOSE_REQUIRED and purpose is None:
            raise PolicyError(f"{action.replace('_', ' ')} needs a purpose and a legal gateway")
        try:
            # the hash is taken over what is written, so details are normalised to plain JSON first
            clean_details = json.loads(json.dumps(dict(details or {}), default=str, allow_nan=False))
        except (TypeError, ValueError) as exc:
            raise PolicyError(f"audit details must be JSON-serialisable: {exc}") from None

        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise AuditError(f"cannot open the audit log {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            seq, prev_hash = self._tail(fd)
            body: dict[str, Any] = {
                "seq": seq + 1,
                "timestamp": self._clock().astimezone(UTC).isoformat(timespec="microseconds"),
                "user": actor.user,
                "role": actor.role,
                "action": action,
                "category": category,
                "person_id": person_id,
                "purpose": purpose.purpose if purpose else None,
                "gateway": purpose.gateway if purpose else None,
                "details": clean_details,
                "prev_hash": prev_hash,
            }
            body["hash"] = entry_hash(body)
            _write_all(fd, (canonical_json(body) + "\n").encode("utf-8"))
            os.fsync(fd)
            self._write_head(body["seq"], body["hash"])
        except OSError as exc:
            raise AuditError(f"cannot write the audit log {self.path}: {exc.strerror}") from None
        finally:
            os.close(fd)  # closing releases the lock
        return AuditEntry(**body)

    def _tail(self, fd: int) -> tuple[int, str]:
        line = _last_line(fd)
        if line is None:
            return 0, GENESIS
        try:
            if not line.endswith(b"\n"):
                raise ValueError("incomplete last line")
            last = json.loads(line)
            return int(last["seq"]), str(last["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(
                f"the last entry of the audit log {self.path} is damaged ({exc}); nothing can be audited "
                "until it is repaired: run `jigsaw audit verify` and see docs/governance.md"
            ) from None

    def _write_head(self, seq: int, hash_: str) -> None:
        tmp = self.head_path.with_name(self.head_path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, canonical_json({"seq": seq, "hash": hash_}).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.head_path)

    # -- reading --------------------------------------------------------------------------------------
    def _lines(self) -> Iterator[bytes]:
        try:
            with self.path.open("rb") as fh:
                fcntl.flock(fh.fileno(), fcntl.LOCK_SH)  # a writer's line is read whole or not at all
                yield from fh
        except FileNotFoundError:
            return

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry in file order. Raises AuditError at a line that is not an entry."""
        for lineno, raw in enumerate(self._lines(), 1):
            try:
                data = json.loads(raw)
                yield AuditEntry(**{k: data[k] for k in FIELDS})
            except (ValueError, KeyError, TypeError):
                raise AuditError(
                    f"{self.path} line {lineno} is not an audit entry: run `jigsaw audit verify`"
                ) from None

    def query(
        self,
        *,
        user: str | None = None,
        person_id: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> list[AuditEntry]:
        """Entries matching every filter given (``since``/``until`` inclusive; a date means that whole day, UTC)."""
        if action is not None and action not in ACTIONS:
            raise PolicyError(f"unknown audit action {action!r}; actions: {', '.join(ACTIONS)}")
        lo = _as_utc(since, time.min) if since is not None else None
        hi = _as_utc(until, time.max) if until is not None else None
        return [
            e
            for e in self.entries()
            if (user is None or e.user == user)
            and (person_id is None or e.person_id == person_id)
            and (action is None or e.action == action)
            and (lo is None or e.when >= lo)
            and (hi is None or e.when <= hi)
        ]

    # -- verification ---------------------------------------------------------------------------------
    def verify(self, anchor: tuple[int, str] | None = None) -> VerifyResult:
        """Check the whole chain; report the first seq that is missing, moved, altered or cut off.

        ``anchor`` is a (seq, hash) recorded outside the data dir earlier: the entry at that seq must still
        have that hash.
        """
        expected, prev = 1, GENESIS
        hashes: dict[int, str] = {}

        def broken(reason: str, seq: int | None = None) -> VerifyResult:
            return VerifyResult(False, expected - 1, expected - 1, prev, seq or expected, reason)

        for lineno, raw in enumerate(self._lines(), 1):
            if not raw.endswith(b"\n"):
                return broken(f"line {lineno} is incomplete (the log was cut off mid-entry)")
            try:
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise ValueError
            except ValueError:
                return broken(f"line {lineno} is not a JSON entry")
            if set(data) != set(FIELDS):
                return broken(f"line {lineno} has fields {sorted(set(data) ^ set(FIELDS))} added or missing")
            if data["seq"] != expected:
                return broken(
                    f"line {lineno} holds seq {data['seq']!r} where seq {expected} was expected "
                    "(an entry was deleted, inserted or moved)"
                )
            if data["prev_hash"] != prev:
                return broken(f"seq {expected} does not chain to the entry before it (prev_hash differs)")
            if entry_hash(data) != data["hash"]:
                return broken(f"seq {expected} was altered (its hash does not match its content)")
            prev = data["hash"]
            hashes[expected] = prev
            expected += 1

        count = expected - 1
        head = self._read_head()
        if head is not None:
            head_seq, head_hash = head
            if head_seq > count:
                return broken(
                    f"the log ends at seq {count} but entry {head_seq} was written (entries were cut off)"
                )
            if hashes.get(head_seq, GENESIS) != head_hash:
                return broken(f"seq {head_seq} differs from the hash the head file recorded", head_seq)
        elif count:
            return broken(
                f"the head file {self.head_path.name} is missing or unreadable: entries may have been cut off"
            )
        if anchor is not None:
            a_seq, a_hash = anchor
            if a_seq > count:
                return broken(f"the anchor names seq {a_seq} but the log ends at seq {count}")
            if hashes.get(a_seq) != a_hash:
                return broken(f"seq {a_seq} does not have the anchored hash (the chain was rewritten)", a_seq)
        return VerifyResult(True, count, count, prev)

    def _read_head(self) -> tuple[int, str] | None:
        try:
            data = json.loads(self.head_path.read_text())
            return int(data["seq"]), str(data["hash"])
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _as_utc(value: date | datetime, at: time) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, at, tzinfo=UTC)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> str:
    """A cell that a spreadsheet will not run as a formula (CSV injection)."""
    if value is None:
        return ""
    text = canonical_json(value) if isinstance(value, dict) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(entries: Iterable[AuditEntry], out: Path) -> int:
    """Write entries as CSV (mode 0600), details as JSON; returns how many were written."""
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    count = 0
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for entry in entries:
            row = asdict(entry)
            writer.writerow([_csv_cell(row[f]) for f in FIELDS])
            count += 1
    return count
