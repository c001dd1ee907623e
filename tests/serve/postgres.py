"""A throwaway PostgreSQL cluster for tests: initdb into a temp folder, serve on a loopback port, stop, delete."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER, PASSWORD = "tunesmith", "s3cret-pw"  # scram-sha-256 over TCP: the URL's password is really checked
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. "
    "Install Debian's `postgresql` package (apt-get install -y postgresql; .ci/run does this)."
)


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: PATH first, then the newest Debian cluster version."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name.split(".")[0]))
    return next((Path(f) for f in reversed(folders) if (Path(f) / "initdb").exists()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """One PostgreSQL server on 127.0.0.1; as root it runs as the `postgres` user (initdb refuses root)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.user = "postgres" if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="tunesmith-pg-"))  # not under pytest's root-only tmp folder
        self.data = self.root / "data"
        self.port = free_port()
        self.version = ""

    def start(self) -> Cluster:
        (self.root / "pw").write_text(PASSWORD + "\n")
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(self.root / "pw", self.user)
        self._run("initdb", "-D", str(self.data), "-U", USER, "--auth=scram-sha-256", f"--pwfile={self.root / 'pw'}")
        self._serve()
        self.version = self._run("postgres", "--version").strip()
        return self

    def crash_and_restart(self) -> None:
        """Stop in `immediate` mode (no shutdown checkpoint: like a crash, recovered from the WAL), start again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self._serve()

    def _serve(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stop the server and delete its folder (immediate: nothing of it is kept, so no shutdown checkpoint)."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", driver: str = "postgresql") -> str:
        return f"{driver}://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL (plain postgresql://, as a user would write it)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def _run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [str(self.bin / program), *args], user=self.user, capture_output=True, text=True, cwd=self.root
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{self.log()}")
        return done.stdout
