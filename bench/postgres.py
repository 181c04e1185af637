"""A throwaway PostgreSQL server for the tests and the benchmarks: Debian's binaries, a cluster in a
temporary folder, listening on 127.0.0.1 only, with trust authentication for the postgres user.

    with PostgresServer() as server:         # initdb + pg_ctl start (as the postgres user when root)
        url = server.new_database()          # a fresh, empty database: postgresql://postgres@127.0.0.1:PORT/NAME

initdb refuses to run as root; as root the cluster's folder is given to the postgres user and the binaries
run as it (runuser). The server is stopped (pg_ctl stop -m fast) and its folder removed on exit.
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

INSTALL = ("PostgreSQL's server binaries are not installed (no initdb under /usr/lib/postgresql/*/bin): "
           "install them with `apt-get install postgresql` (as root) and run again")


class PostgresMissing(RuntimeError):
    """No PostgreSQL binaries on this machine: says how to install them."""


def binaries() -> Path:
    """The folder of the newest PostgreSQL's binaries; PostgresMissing when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        on_path = shutil.which("initdb")
        if on_path:
            return Path(on_path).resolve().parent
        raise PostgresMissing(INSTALL)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, durable: bool = True):
        self.durable = durable                 # False: no fsync (tests, whose data is thrown away)
        self.bin = binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="glassnet-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.started = False

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if done.returncode != 0:
            log = (self.folder / "log").read_text(errors="replace")[-2000:] if (self.folder / "log").exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}): {done.stderr.strip()} {log}")

    def start(self) -> "PostgresServer":
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-U", "postgres", "-E", "UTF8",
                  "--no-sync", "--locale=C")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start")
        self.started = True
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database on this server; its URL."""
        import psycopg
        name = f"g_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
