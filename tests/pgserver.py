"""A PostgreSQL server for the tests: the one named by ``SHIENAPP_TEST_POSTGRES_URL``, or a
throwaway cluster started here when the server programs are found (Debian's
``/usr/lib/postgresql/<version>/bin``, or ``initdb`` and ``pg_ctl`` on the PATH).

Each test gets its own database, copied (``CREATE DATABASE … TEMPLATE``) from one made and
migrated once per run, so a test costs a copy and not eight migrations.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ENV_URL = "SHIENAPP_TEST_POSTGRES_URL"


def server_bin_dir() -> Path | None:
    """Where ``initdb`` and ``pg_ctl`` are, the newest Debian version first."""
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A cluster in a temporary folder on 127.0.0.1, stopped and removed by :meth:`stop`.

    As root (initdb refuses it) the programs run as the ``postgres`` user through ``runuser``.
    """

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="shienapp-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres = hasattr(os, "geteuid") and os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> str:
        self._run("initdb", "-D", str(self.data), "--auth=trust", "-E", "UTF8", "-U", "postgres")
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o", options,
            "start",
        )  # fmt: skip
        self._watch()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _watch(self) -> None:
        """Stop the cluster when this process ends however it ends (a run killed by a timeout
        never reaches the session's teardown): a shell outside the process group waits for it."""
        stop = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop"]
        if self._as_postgres:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        script = (
            f"while kill -0 {os.getpid()} 2>/dev/null; do sleep 2; done; "
            f"if [ -d {shlex.quote(str(self.data))} ]; then {shlex.join(stop)} >/dev/null 2>&1; "
            f"rm -rf {shlex.quote(str(self.folder))}; fi"
        )
        # The outer shell returns at once; the watcher it leaves behind belongs to init.
        subprocess.run(
            ["sh", "-c", f"( {script} ) &"],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "fast", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class Server:
    """Databases on one server: a template at head, and a fresh copy of it per test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        tag = uuid.uuid4().hex[:8]
        self.prefix = f"shienapp_test_{tag}"
        self.template = f"{self.prefix}_template"
        self._made: list[str] = []
        self._template_ready = False

    @property
    def parsed(self) -> URL:
        return make_url(self.url)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def empty_database(self) -> str:
        """A new database with no tables at all (for the migrations and for migrate-to)."""
        name = f"{self.prefix}_{len(self._made)}"
        self._execute(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        return _with_database(self.url, name)

    def fresh_database(self) -> str:
        """A new database at the head revision, empty of rows."""
        if not self._template_ready:
            from shienapp.storage.db import upgrade_to_head

            self._execute(f'CREATE DATABASE "{self.template}"')
            upgrade_to_head(_with_database(self.url, self.template))
            self._template_ready = True
        name = f"{self.prefix}_{len(self._made)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self._made.append(name)
        return _with_database(self.url, name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self._made:
            self._made.remove(name)

    def close(self) -> None:
        for name in [*self._made, self.template]:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


@contextmanager
def server() -> Iterator[Server | str]:
    """The server to test against, or a string saying why there is none."""
    url = os.environ.get(ENV_URL)
    cluster: Cluster | None = None
    if not url:
        bin_dir = server_bin_dir()
        if bin_dir is None:
            yield (f"PostgreSQL がありません（{ENV_URL} が未設定で、initdb も見つかりません）")
            return
        cluster = Cluster(bin_dir)
        try:
            url = cluster.start()
        except (OSError, subprocess.SubprocessError) as exc:
            cluster.stop()
            yield f"PostgreSQL を起動できませんでした: {exc}"
            return
    found = Server(url)
    try:
        yield found
    finally:
        try:
            found.close()
        finally:
            if cluster is not None:
                cluster.stop()
