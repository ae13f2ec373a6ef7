"""Backups of the database: ``make backup`` and ``make restore FILE=…``.

    python -m organizer.backup dump [FILE]     # default: backups/organizer-<UTC time>.dump
    python -m organizer.backup restore FILE    # replaces the database's contents with FILE's

Works against whatever ``DATABASE_URL`` the settings use: the embedded PostgreSQL under
``.data/`` (its own pg_dump / pg_restore, shipped with pgserver) or a server of your own (the
pg_dump / pg_restore on ``PATH``, or pgserver's when they are missing). The dump is PostgreSQL's
custom format (compressed; ``pg_restore --list FILE`` shows what is inside). Redis holds nothing
that needs a backup: every piece of work waiting is a row in PostgreSQL (see the README).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP_DIR = BASE_DIR / "backups"


def pg_tool(name: str) -> str:
    """pgserver's copy of a PostgreSQL program (version 16: reads servers 9.2–16), else PATH's."""
    try:
        from organizer.embedded import pg_bin

        shipped = pg_bin(name)
        if shipped.exists():
            return str(shipped)
    except ImportError:  # a production image without the embedded extra
        pass
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: install the PostgreSQL client programs")
    return found


def dump(database_url: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
        [
            pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
            f"--file={path}", f"--dbname={database_url}",
        ],
        check=True,
    )  # fmt: skip
    return path


def restore(path: Path, database_url: str) -> None:
    """Replace every table of the database with the dump's, in one transaction (on failure
    nothing changes)."""
    if not path.is_file():
        raise SystemExit(f"{path}: no such backup")
    subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
        [
            pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error", f"--dbname={database_url}", str(path),
        ],
        check=True,
    )  # fmt: skip


def _database_url() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "organizer.settings")
    from django.conf import settings

    return settings.DATABASE_URL


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[1] == "dump":
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        path = Path(argv[2]) if len(argv) > 2 else BACKUP_DIR / f"organizer-{stamp}.dump"
        print(f"Backed up to {dump(_database_url(), path)}")
        return 0
    if len(argv) == 3 and argv[1] == "restore":
        restore(Path(argv[2]), _database_url())
        print(f"Restored {argv[2]}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
