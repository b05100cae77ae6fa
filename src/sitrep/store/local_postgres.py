"""A throwaway PostgreSQL server in a temporary folder, for the test suite and the benchmarks.

It uses the server programs of Debian's `postgresql` package (`initdb`, `pg_ctl`): a fresh cluster
with trust authentication, listening on a free loopback port only, removed again on `stop`. Run as
root it runs the server as the `postgres` user, as PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

USER = "sitrep"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs are not installed, or the server would not start."""


def server_binaries() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    installed = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl") if p.parent.parent.name.isdigit()]
    return max(installed, key=lambda folder: int(folder.parent.name), default=None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalPostgres:
    """Start with `start()` (or `with LocalPostgres() as pg:`); `url(name)` gives a database URL."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable  # False: fsync off, for tests; True: the server's defaults, for benchmarks
        self.port = 0
        self._root: Path | None = None
        self._databases = 0

    def __enter__(self) -> "LocalPostgres":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresUnavailable("running as root and there is no 'postgres' user to run the server") from exc
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> "LocalPostgres":
        """initdb into a new temporary folder and start the server on a free loopback port."""
        binaries = server_binaries()
        if binaries is None:
            raise PostgresUnavailable("PostgreSQL server programs not found (Debian: apt-get install postgresql)")
        self._root = Path(tempfile.mkdtemp(prefix="sitrep-pg-"))
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self._root, entry.pw_uid, entry.pw_gid)
        data = self._root / "data"
        self._run(str(binaries / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        self.port = _free_port()
        options = f"-p {self.port} -k {self._root} -c listen_addresses=127.0.0.1 -c max_connections=100"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self._root / "server.log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self._root is None:
            return
        binaries = server_binaries()
        try:
            if binaries is not None:
                self._run(str(binaries / "pg_ctl"), "-D", str(self._root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of a database on this server (psycopg 3 driver)."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name unless given) and return its URL."""
        if name is None:
            self._databases += 1
            name = f"ledger_{os.getpid()}_{self._databases}"
        with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


__all__ = ["LocalPostgres", "PostgresUnavailable", "server_binaries"]
