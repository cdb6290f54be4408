"""The local Neo4j Community 5.26 server, run from Maven Central jars on Java 17 (no Docker).

Layout:
- the jars (``lib/`` and ``plugins/``) are resolved once by Maven into ``<cache_dir>/neo4j-<version>/``,
  shared by every data dir on the machine;
- the server home (``conf``, ``data``, ``logs``, ``run``, ``import``) lives in the data dir.

The server is launched as ``org.neo4j.server.CommunityEntryPoint`` directly, not through the bootloader,
so the JVM flags the bootloader would add come from ``JVM_FLAGS`` below (see the recipe in the docs).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from graph import bulk_csv
from graph.config import NEO4J_VERSION, ServerSettings

log = logging.getLogger(__name__)

SUPPORTED_JAVA = (17, 21)
PID_FILE = "jigsaw-neo4j.pid"
# the import tool reads and writes the store through off-heap buffers; these let it (as bin/neo4j-admin does)
IMPORT_JVM_FLAGS = ["--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--enable-native-access=ALL-UNNAMED"]  # fmt: skip

# The 5.26 default conf's server.jvm.additional, minus AlwaysPreTouch (slow start on small boxes).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
]


class ServerError(Exception):
    """The local server could not be set up, started or stopped; the message says what to do."""


@dataclass(frozen=True)
class ServerState:
    running: bool
    pid: int | None
    bolt_uri: str
    stale_pid: bool = False


def _size_ok(value: str) -> str:
    if not re.fullmatch(r"\d+[kmgKMG]?", value):
        raise ServerError(f"memory size {value!r} is not like 512m or 2g (JIGSAW_NEO4J_HEAP / _PAGECACHE)")
    return value.lower()


def find_java() -> Path:
    """The java binary to run Neo4j 5.26 with: $JAVA_HOME, else java on PATH, else a JDK 17 under /usr/lib/jvm."""
    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    candidates += sorted(Path("/usr/lib/jvm").glob("*17*/bin/java"))
    for java in candidates:
        if java.exists() and java_major(java) in SUPPORTED_JAVA:
            return java
    raise ServerError(
        "Java 17 (or 21) is needed to run the local Neo4j 5.26 and none was found. "
        "Install it (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME; "
        "or point Jigsaw at a server of your own with NEO4J_URI."
    )


def java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def pid_alive(pid: int) -> bool:
    """True when ``pid`` is a live (not zombie) process that looks like our Neo4j."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    return b"CommunityEntryPoint" in cmdline


def _parent_death_signal() -> None:
    """In the child before exec: ask Linux to send SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the caller stops the server itself


class LocalNeo4j:
    """One local Neo4j server home in ``settings.data_dir``."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.home = settings.data_dir
        self.jars = settings.cache_dir / f"neo4j-{NEO4J_VERSION}"

    # -- paths -------------------------------------------------------------------------------------
    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.settings.bolt_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / PID_FILE

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "neo4j.log"

    @property
    def console_file(self) -> Path:
        return self.home / "logs" / "console.log"

    # -- jars --------------------------------------------------------------------------------------
    def jars_ready(self) -> bool:
        return (self.jars / "lib" / f"neo4j-{NEO4J_VERSION}.jar").exists() and any(
            (self.jars / "plugins").glob("apoc-core-*.jar")
        )

    def install_jars(self) -> None:
        """Resolve the server's runtime classpath and APOC from Maven Central (once per machine)."""
        if self.jars_ready():
            return
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError(
                "Maven is needed once to fetch the Neo4j jars from Maven Central and was not found. "
                "Install it (Debian: apt-get install maven) or set NEO4J_URI to a server of your own."
            )
        partial = self.jars.with_name(self.jars.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        (partial / "lib").mkdir(parents=True)
        (partial / "plugins").mkdir(parents=True)
        poms = resources.files("graph.server")
        for pom, prop, target in (
            ("pom.xml", "jigsaw.lib", partial / "lib"),
            ("apoc-pom.xml", "jigsaw.plugins", partial / "plugins"),
        ):
            with resources.as_file(poms / pom) as pom_path:
                cmd = [mvn, "-q", "-B", "-f", str(pom_path), "package", f"-D{prop}={target}"]
                log.info("resolving %s with Maven", pom)
                proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
                raise ServerError(
                    f"downloading the Neo4j {NEO4J_VERSION} jars from Maven Central failed "
                    f"(mvn exit {proc.returncode}). Check network access to Maven Central or your "
                    f"~/.m2/settings.xml mirror. Maven said:\n{tail}"
                )
            # Maven writes its build dir next to the pom; inside site-packages that may be read-only.
            with resources.as_file(poms / pom) as pom_path:
                shutil.rmtree(Path(pom_path).parent / "target", ignore_errors=True)
        shutil.rmtree(self.jars, ignore_errors=True)
        partial.rename(self.jars)

    # -- home --------------------------------------------------------------------------------------
    def write_conf(self) -> None:
        s = self.settings
        for sub in ("conf", "data", "logs", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        conf = f"""# written by `jigsaw db start`; edit jigsaw.toml or JIGSAW_* variables instead
server.directories.data=data
server.directories.logs=logs
server.directories.plugins={self.jars / "plugins"}
server.directories.run=run
server.directories.import=import
server.default_listen_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:{s.bolt_port}
server.bolt.tls_level=DISABLED
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
server.memory.heap.initial_size={_size_ok(s.heap)}
server.memory.heap.max_size={_size_ok(s.heap)}
server.memory.pagecache.size={_size_ok(s.pagecache)}
dbms.usage_report.enabled=false
dbms.security.procedures.unrestricted=apoc.*
# Community keeps no incremental backups, so old transaction logs only fill the disk (16 GB beside a 9.8 GB
# store after loading and resolving 200,000 children with the default "2 days")
db.tx_log.rotation.retention_policy=2G size
"""
        (self.home / "conf" / "neo4j.conf").write_text(conf)

    def password(self) -> str:
        pw_file = self.settings.password_file
        if not pw_file.exists():
            raise ServerError(f"no password file at {pw_file}: run `jigsaw db start` first")
        return pw_file.read_text().strip()

    def _ensure_password(self, java: Path) -> None:
        """Generate the password and set it before the first start (it only takes effect then)."""
        pw_file = self.settings.password_file
        auth_ini = self.home / "data" / "dbms" / "auth.ini"
        if pw_file.exists() and auth_ini.exists():
            return
        if auth_ini.exists():
            raise ServerError(
                f"{auth_ini} exists but the password file {pw_file} is missing; "
                f"restore it, or remove {self.home} to start afresh"
            )
        password = pw_file.read_text().strip() if pw_file.exists() else secrets.token_urlsafe(24)
        pw_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        os.chmod(pw_file, 0o600)
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.home / "conf"))
        cmd = [str(java), "-cp", f"{self.jars / 'lib'}/*", "org.neo4j.cli.AdminTool",
               "dbms", "set-initial-password", password]  # fmt: skip
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise ServerError(f"setting the initial Neo4j password failed: {proc.stderr.strip()[-500:]}")

    # -- lifecycle ---------------------------------------------------------------------------------
    def read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def state(self) -> ServerState:
        pid = self.read_pid()
        if pid is not None and pid_alive(pid):
            return ServerState(True, pid, self.bolt_uri)
        # a pid file without its process: the server died (kill -9, crash, reboot); start() recovers
        return ServerState(False, None, self.bolt_uri, stale_pid=self.pid_file.exists())

    def start(self, timeout: float = 180.0, die_with_parent: bool = False) -> ServerState:
        """Start the server and wait until Bolt answers. Starting a running server does nothing.

        ``die_with_parent`` (Linux) stops the server when the starting process dies, so a test run that
        is killed leaves no server behind; the product's own server outlives the `jigsaw db start` call.
        """
        state = self.state()
        if state.running:
            self._wait_for_bolt(state.pid, timeout)
            return state
        if state.stale_pid:
            log.warning("removing a stale pid file: the server had died without cleaning up (recovering)")
            self.pid_file.unlink(missing_ok=True)
        if port_in_use(self.settings.bolt_port):
            raise ServerError(
                f"port {self.settings.bolt_port} on 127.0.0.1 is taken by another program. "
                "Stop it, or choose another port with JIGSAW_BOLT_PORT."
            )
        java = find_java()
        self.install_jars()
        self.write_conf()
        self._ensure_password(java)
        heap = _size_ok(self.settings.heap)
        cp = ":".join([f"{self.jars / 'plugins'}/*", f"{self.home / 'conf'}/*", f"{self.jars / 'lib'}/*"])
        cmd = [str(java), f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", cp,
               "org.neo4j.server.CommunityEntryPoint",
               f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}"]  # fmt: skip
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.home / "conf"))
        log_offset = len(self._read(self.log_file))
        with self.console_file.open("ab") as console:
            proc = subprocess.Popen(
                cmd, cwd=self.home, env=env, stdout=console, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_parent_death_signal if die_with_parent else None,
            )  # fmt: skip
        self.pid_file.write_text(f"{proc.pid}\n")
        self._wait_for_bolt(proc.pid, timeout, proc, log_offset)
        return ServerState(True, proc.pid, self.bolt_uri, stale_pid=state.stale_pid)

    def _wait_for_bolt(
        self,
        pid: int | None,
        timeout: float,
        proc: subprocess.Popen[bytes] | None = None,
        log_offset: int = 0,
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(
                    f"Neo4j exited during start (code {proc.returncode}). Last log lines:\n{self.tail_logs(15)}"
                )
            # with our own child, poll() is the truth: before the child has exec'd java, /proc/<pid>/cmdline
            # is still Python's, and pid_alive would call a starting server dead
            if proc is None and pid is not None and not pid_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise ServerError(f"Neo4j stopped during start. Last log lines:\n{self.tail_logs(15)}")
            # "Started." in this run's part of the log: the port alone may open before auth is ready
            if port_in_use(self.settings.bolt_port) and "Started." in self._read(self.log_file)[log_offset:]:
                return
            time.sleep(0.5)
        raise ServerError(
            f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f}s. See {self.log_file}"
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Shut down cleanly (SIGTERM runs Neo4j's shutdown hook); returns False when it was not running."""
        state = self.state()
        if not state.running or state.pid is None:
            return False
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_alive(state.pid):
            time.sleep(0.3)
        if pid_alive(state.pid):
            log.warning("Neo4j did not stop within %ss; killing it (it will recover on next start)", timeout)
            os.kill(state.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(state.pid, os.WNOHANG)
        self.pid_file.unlink(missing_ok=True)
        return True

    def import_database(self, database: str, arguments: list[str], report_dir: Path) -> None:
        """``neo4j-admin database import full`` into ``database`` of this (stopped) server, replacing it; the
        arguments name the CSV files (``--nodes=...``, ``--relationships=...``). The tool's output and its
        report of bad lines go to ``report_dir``; a failure raises ServerError with the end of its output. It
        uses every core (its default), a 2 GiB heap (it asked for 1.004 GiB at 200,000 children) and at most
        2 GiB off the heap: the server is stopped meanwhile, so this stays within the server's own budget."""
        if self.state().running:
            raise ServerError("the server must be stopped before an import")
        java = find_java()
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.home / "conf"))
        cmd = [str(java), "-Xmx2g", *IMPORT_JVM_FLAGS, "-cp", f"{self.jars / 'lib'}/*", "org.neo4j.cli.AdminTool",
               "database", "import", "full", database, "--overwrite-destination=true",
               "--multiline-fields=true", f"--array-delimiter={bulk_csv.ARRAY_DELIMITER_OPTION}", "--bad-tolerance=0",
               "--max-off-heap-memory=2G", f"--report-file={report_dir / 'import.report'}",
               *arguments]  # fmt: skip
        out = report_dir / "import.log"
        with out.open("wb") as fh:
            proc = subprocess.run(cmd, cwd=self.home, env=env, stdout=fh, stderr=subprocess.STDOUT)
        if proc.returncode != 0:
            tail = "\n".join(self._read(out).strip().splitlines()[-12:])
            raise ServerError(f"neo4j-admin database import failed (exit {proc.returncode}):\n{tail}")

    @staticmethod
    def _read(path: Path) -> str:
        try:
            return path.read_text(errors="replace")
        except OSError:
            return ""

    def tail_logs(self, lines: int = 50) -> str:
        out = []
        for path in (self.console_file, self.log_file):
            text = self._read(path).strip()
            if text:
                out.append(f"== {path}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(out) or f"(no logs yet in {self.home / 'logs'})"
