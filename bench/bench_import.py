"""Import 100,000 CSV rows through the import service, against a raw COPY of the same rows.

Data: 100,000 × SCALE existing people (``load_people``), then a CSV file of 100,000 × SCALE
rows (First Name, Last Name, Phone, Email, ZIP, Employer): ~20 % are existing people (their
phone typed in another format, their email in capitals), the rest new people with realistic
names and phone numbers in varied formats.

Value: rows/s of ``import_create`` + ``import_run`` end to end (the file streamed from disk: read
and checked, detect, normalize, match, write everything in one transaction, the report).
``IMPORT_FILE_ROWS`` sets the file's rows apart from SCALE (``IMPORT_FILE_ROWS=1000000`` imports
a real 1M-row file); ``import_peak_rss_mb`` is the process's peak resident memory during the
import (reset just before it, Linux ``/proc/self/clear_refs``), its floor the memory before.
Then a file of ``IMPORT_COMMAND_ROWS`` rows (1,000,000 × SCALE by default; 0: none) is written
to disk (streamed) and imported with ``manage.py import_contacts`` in a child process, into the
database the first import grew: its wall time and peak RSS (``getrusage``) are the
``import_command_*`` lines — a real 1M-row import in bounded memory, and at 1,000,000 rows the
line that carries the issue's ``<=60s`` target (its floor: the floor COPY's rate, at 1M rows).
``import_1m_seconds_extrapolated`` (the first import's time × 1M / its rows) is information: a
real million-row file lands in a table that grows tenfold while it is written, and costs more.
Floor: the same rows, already normalized in Python (untimed), COPied into contacts_contact,
contacts_phone and contacts_email with all their indexes, in a transaction rolled back after.
Every row is inserted as a new person there (no matching at all), so the floor is the least
work that stores the rows. The ``# … CPU`` lines give the CPU time each side used (this process
and its PostgreSQL backend), which moves far less than wall time on a busy machine.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction

from bench import lib
from bench.lib import Context, bench_line

HEADER = ["First Name", "Last Name", "Phone", "Email", "ZIP", "Employer"]
MATCH_SHARE = 0.2


def _typed(rng, e164: str) -> str:
    """``+17185550101`` as a person would type it, in one of the usual formats."""
    area, exchange, line = e164[2:5], e164[5:8], e164[8:]
    return rng.choice(lib.PHONE_FORMATS).format(a=area, e=exchange, l=line)


def build_file(ctx: Context, existing: list[lib.Person], rows: int) -> tuple[bytes, list[dict]]:
    """The CSV bytes, and each row already normalized (for the floor)."""
    from organizer.lib.text import fold

    rng = ctx.rng("import-file")
    matchable = [p for p in existing if p.phone_e164 or p.email]
    matched = rng.sample(matchable, min(len(matchable), round(rows * MATCH_SHARE)))
    fresh = list(lib.generate_people(rows - len(matched), seed=ctx.seed + 1))
    people = [(p, True) for p in matched] + [(p, False) for p in fresh]
    rng.shuffle(people)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    normalized = []
    for p, is_match in people:
        phone = _typed(rng, p.phone_e164) if p.phone_e164 else ""
        email = (p.email or "").upper() if is_match and rng.random() < 0.5 else (p.email or "")
        writer.writerow([p.first_name, p.last_name, phone, email, p.zip_code, p.employer])
        normalized.append(
            {"first_name": p.first_name, "last_name": p.last_name,
             "name_search": fold(f"{p.first_name} {p.last_name}"), "zip_code": p.zip_code,
             "employer": p.employer, "phone_raw": phone, "phone_e164": p.phone_e164,
             "email": (p.email or "").lower() or None}
        )  # fmt: skip
    return out.getvalue().encode(), normalized


def copy_floor(normalized: list[dict]) -> tuple[float, float]:
    """Seconds to COPY the normalized rows into the three tables (then rolled back), and
    seconds their deferred foreign-key checks take (untimed in the floor)."""
    from django.utils import timezone

    from contacts.models import Contact, Email, Phone

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_contact")
        first_id = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_phone")
        phone_id = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_email")
        email_id = cursor.fetchone()[0] + 1
    now = timezone.now()
    contacts, phones, emails = [], [], []
    for pk, row in enumerate(normalized, start=first_id):
        contacts.append(
            {"id": pk, "first_name": row["first_name"], "last_name": row["last_name"],
             "name_search": row["name_search"], "zip_code": row["zip_code"],
             "employer": row["employer"], "source": "bench", "created_at": now,
             "updated_at": now}
        )  # fmt: skip
        if row["phone_e164"]:
            phones.append(
                {"id": phone_id + len(phones), "contact": pk, "raw": row["phone_raw"],
                 "e164": row["phone_e164"], "kind": "mobile", "is_primary": True}
            )  # fmt: skip
        if row["email"]:
            emails.append(
                {
                    "id": email_id + len(emails),
                    "contact": pk,
                    "address": row["email"],
                    "is_primary": True,
                }
            )
    with transaction.atomic():
        backend = _backend_cpu()
        start = time.perf_counter()
        lib.copy_rows(Contact, contacts)
        lib.copy_rows(Phone, phones)
        lib.copy_rows(Email, emails)
        seconds = time.perf_counter() - start
        print(f"# floor CPU: postgres {_backend_cpu() - backend:.1f}s", flush=True)
        # Not part of the floor: the deferred foreign-key checks these rows would get at
        # commit (the import commits, so it pays them; printed for comparison).
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        checks = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, checks


def _backend_cpu() -> float:
    """CPU seconds this process's PostgreSQL backend has used (0 for a server elsewhere): with
    the process's own CPU time, a cost that hardly moves when the machine is busy."""
    connection.ensure_connection()
    return lib._backend_cpu_s(connection.connection.info.backend_pid)


def _rss_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` (the peak) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _command_run(ctx: Context, existing: list[lib.Person], rows: int, floor_rate: float) -> None:
    """Write ``rows`` rows to a file (streamed) and import it with the management command in a
    child process; print its wall time and peak RSS."""
    rng = ctx.rng("import-command")
    matchable = [p for p in existing if p.phone_e164 or p.email]
    matched = rng.sample(matchable, min(len(matchable), round(rows * MATCH_SHARE)))
    folder = tempfile.mkdtemp(prefix="bench-import-command-")
    path = Path(folder) / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        fresh = lib.generate_people(rows - len(matched), seed=ctx.seed + 7)
        for n, p in enumerate(fresh):
            if n < len(matched):
                m = matched[n]
                writer.writerow(
                    [
                        m.first_name,
                        m.last_name,
                        _typed(rng, m.phone_e164) if m.phone_e164 else "",
                        m.email or "",
                        m.zip_code,
                        m.employer,
                    ]
                )
            phone = _typed(rng, p.phone_e164) if p.phone_e164 else ""
            writer.writerow([p.first_name, p.last_name, phone, p.email or "", p.zip_code,
                             p.employer])  # fmt: skip
    size = path.stat().st_size
    env = dict(os.environ, DATABASE_URL=ctx.database_url, DEBUG="1")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", "import_contacts", str(path)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    path.unlink(missing_ok=True)
    os.rmdir(folder)
    summary = [line for line in done.stdout.splitlines() if line.startswith("created")]
    print(f"# command: {rows} rows ({size / 1e6:.1f} MB), exit {done.returncode}, "
          f"{summary[:1]} {done.stderr[-300:] if done.returncode else ''}", flush=True)  # fmt: skip
    if rows == 1_000_000:
        lib.report(f"import_command_{rows}_rows_seconds", seconds, "s",
                   floor=rows / floor_rate, target="<=60s", max_value=60)  # fmt: skip
    else:
        lib.report(f"import_command_{rows}_rows_seconds", seconds, "s", floor=rows / floor_rate,
                   target="info")  # fmt: skip
    print(
        bench_line("import_command_peak_rss_mb", peak, "MB", floor=0, target="<=1024MB",
                   ok=peak <= 1024),
        flush=True,
    )  # fmt: skip


def run(ctx: Context) -> None:
    from accounts.models import Role
    from contacts.models import ImportJob
    from contacts.services.imports import import_create, import_run

    lib.clear_data()
    started = time.monotonic()
    base = ctx.n(100_000, minimum=1000)
    data = lib.load_people(ctx, base)
    lib.analyze()
    user = lib.make_user("importer@bench.example", Role.STAFF)
    rows = int(os.environ.get("IMPORT_FILE_ROWS") or ctx.n(100_000, minimum=1000))
    content, normalized = build_file(ctx, data.people, rows)
    folder = tempfile.mkdtemp(prefix="bench-import-")
    path = Path(folder) / "bench.csv"
    path.write_bytes(content)
    size = len(content)
    del content
    print(
        f"# {base} people in the database, a file of {rows} rows ({size / 1e6:.1f} MB), "
        f"prepared in {time.monotonic() - started:.0f}s",
        flush=True,
    )

    floor_seconds, floor_checks = copy_floor(normalized)
    del normalized
    gc.collect()
    with connection.cursor() as cursor:  # the rolled-back rows leave dead tuples behind
        cursor.execute("VACUUM ANALYZE contacts_contact, contacts_phone, contacts_email")

    before = _rss_mb("VmRSS")
    _reset_peak_rss()
    backend, python = _backend_cpu(), time.process_time()
    start = time.perf_counter()
    job = import_create(by=user, filename="bench.csv", content=path, dry_run=False)
    job = import_run(job_id=job.pk)
    seconds = time.perf_counter() - start
    print(f"# import CPU: python {time.process_time() - python:.1f}s (both threads), postgres "
          f"{_backend_cpu() - backend:.1f}s", flush=True)  # fmt: skip
    peak = _rss_mb("VmHWM")
    path.unlink(missing_ok=True)
    os.rmdir(folder)
    if job is None or job.status != ImportJob.Status.DONE:
        print(f"# import did not finish: {job and job.status} {job and job.error}", flush=True)
        return
    print(
        f"# import: created {job.created_count}, updated {job.updated_count}, unchanged "
        f"{job.unchanged_count}, rejected {job.rejected_count} in {seconds:.1f}s; "
        f"floor COPY {floor_seconds:.1f}s (+{floor_checks:.1f}s of foreign-key checks at commit, "
        "not in the floor)",
        flush=True,
    )
    rate, floor_rate = rows / seconds, rows / floor_seconds
    ok = rate / floor_rate >= 0.5
    print(
        bench_line("import_rows_per_s", rate, "rows/s", floor=floor_rate,
                   target=">=0.5x_floor", ok=ok),
        flush=True,
    )  # fmt: skip
    print(
        bench_line("import_peak_rss_mb", peak, "MB", floor=before, target="<=1024MB",
                   ok=peak <= 1024),
        flush=True,
    )  # fmt: skip
    if rows >= 1_000_000:
        lib.report("import_1m_seconds", seconds * 1_000_000 / rows, "s",
                   floor=1_000_000 / floor_rate, target="<=60s", max_value=60)  # fmt: skip
    else:
        lib.report("import_1m_seconds_extrapolated", seconds * 1_000_000 / rows, "s",
                   floor=1_000_000 / floor_rate, target="info")  # fmt: skip
    given = os.environ.get("IMPORT_COMMAND_ROWS", "")
    command_rows = int(given) if given.strip() else ctx.n(1_000_000, minimum=1000)
    if command_rows:
        _command_run(ctx, data.people, command_rows, floor_rate)
