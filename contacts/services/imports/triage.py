"""Reading a file once: each row is parsed, and either spooled as a new person (``spool.py``)
or kept for the planner's rules (``plan.py``).

A row is *simple* when none of its keys (phones, emails, external IDs) appears in another row of
the file or on anyone already in Organizer: it is one new person whatever the rules say, so it
is spooled for COPY as it is read, and only its keys' hashes stay in memory. Every other row
(*complex*) goes through the planner's grouping and matching, the same rules as ever. The rows'
keys are looked up in the database a batch at a time; a key seen again later in the file makes
the earlier row complex too (its spooled lines are skipped, and its line is read again from the
file). Hashes stand for the keys: two keys sharing a hash only send rows to the planner, which
compares the keys themselves. Typical files are mostly simple rows.
"""

from __future__ import annotations

from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
from django.db import connection

from contacts.models import Email, ExternalId, Phone
from contacts.services.imports.parse import Columns, Row, parse_row
from contacts.services.imports.plan import Plan, plan_people
from contacts.services.imports.spool import NewPeople, table
from organizer.lib.csvfiles import Rejection

BATCH_ROWS = 5_000
AHEAD_BATCHES = 8  # batches parsed ahead of their lookups (while a chunk is being written)


def _key_hashes(row: Row) -> list[int]:
    keys = [hash("p" + e164) for e164 in row.phones]
    keys.extend(hash("e" + address) for address in row.emails)
    keys.extend(hash(f"i{system}\x00{value}") for system, value in row.ids)
    return keys


def _taken(pg: psycopg.Connection, rows: list[Row]) -> set[int]:
    """The hashes of the rows' keys that someone in Organizer already has."""
    phones = [e164 for row in rows for e164 in row.phones]
    emails = [address for row in rows for address in row.emails]
    by_system: dict[str, list[str]] = {}
    for row in rows:
        for system, value in row.ids:
            by_system.setdefault(system, []).append(value)
    taken: set[int] = set()
    with pg.cursor() as cursor:
        if phones:
            cursor.execute(f"SELECT e164 FROM {table(Phone)} WHERE e164 = ANY(%s)", [phones])
            taken.update(hash("p" + e164) for (e164,) in cursor.fetchall())
        if emails:
            cursor.execute(f"SELECT address FROM {table(Email)} WHERE address = ANY(%s)", [emails])
            taken.update(hash("e" + address) for (address,) in cursor.fetchall())
        for system, values in by_system.items():
            cursor.execute(
                f"SELECT value FROM {table(ExternalId)} WHERE system = %s AND value = ANY(%s)",
                [system, values],
            )
            taken.update(hash(f"i{system}\x00{value}") for (value,) in cursor.fetchall())
    return taken


@dataclass
class _Triage:
    """Rows in, a batch at a time. While the main thread parses, one worker thread owns the
    import's connection: it looks up each batch's keys (and hands out ids for its new people)
    and writes each full chunk of new people, in order, so parsing and PostgreSQL's writing
    overlap. The main thread does not touch the connection until ``finish``."""

    spool: NewPeople
    pg: psycopg.Connection
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="import-writer")
    )
    pending: deque = field(default_factory=deque)  # (rows, lookup future), in file order
    writes: list[Future] = field(default_factory=list)
    credit: int = 0  # ids in hand or on their way, less the rows still to triage
    complex_rows: list[Row] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)  # every key hash of the file so far
    twice: set[int] = field(default_factory=set)  # key hashes on more than one row
    # The spooled rows' keys, flat: key hash, and the index of its row in ``lines``/``pids``.
    key_hashes: array = field(default_factory=lambda: array("q"))
    key_rows: array = field(default_factory=lambda: array("q"))
    lines: array = field(default_factory=lambda: array("q"))
    pids: array = field(default_factory=lambda: array("q"))
    tags: Counter = field(default_factory=Counter)  # the spooled rows' tags, as typed

    def submit(self, rows: list[Row]) -> None:
        want = max(0, len(rows) - self.credit)
        self.credit += want - len(rows)
        self.pending.append((rows, self.worker.submit(self._lookup, rows, want)))
        while len(self.pending) > AHEAD_BATCHES:
            self._triage(*self.pending.popleft())

    def _lookup(self, rows: list[Row], want: int) -> tuple[set[int], list[int]]:
        return _taken(self.pg, rows), self.spool.fetch_ids(want, self.pg) if want else []

    def finish(self) -> None:
        """Triage what is left and wait for the chunks being written."""
        while self.pending:
            self._triage(*self.pending.popleft())
        for write in self.writes:
            write.result()

    def stop(self) -> None:
        """Stop the worker (after its current task): the connection is the caller's again."""
        self.worker.shutdown(wait=True, cancel_futures=True)

    def _triage(self, rows: list[Row], lookup: Future) -> None:
        taken, ids = lookup.result()
        self.spool.take_ids(ids)
        seen, twice, spool = self.seen, self.twice, self.spool
        for row in rows:
            keys = _key_hashes(row)
            simple = True
            for key in keys:
                if key in taken:
                    simple = False
                if key in seen:
                    twice.add(key)
                    simple = False
                else:
                    seen.add(key)
            if not simple:
                self.complex_rows.append(row)
                self.credit += 1
                continue
            number = len(self.lines)
            pid = spool.new_id()
            self.lines.append(row.line)
            self.pids.append(pid)
            for key in keys:
                self.key_hashes.append(key)
                self.key_rows.append(number)
            if row.tags:
                self.tags.update(row.tags)
            full = spool.add(pid, row.fields, row.phones, row.emails, row.ids, row.tags,
                             row.languages)  # fmt: skip
            if full is not None:
                self.writes.append(self.worker.submit(spool.write_chunk, full, self.pg))

    def taken_back(self) -> list[int]:
        """The spooled rows (by index) that share a key with a later row."""
        twice = self.twice
        if not twice:
            return []
        return sorted({n for key, n in zip(self.key_hashes, self.key_rows, strict=True)
                       if key in twice})  # fmt: skip


def plan_import(
    records: Callable[[], Iterator[tuple[int, list[str]]]],
    columns: Columns,
    progress: Callable[[int], None],
    spool: NewPeople,
) -> Plan:
    """Everything the import would do: the simple rows spooled in ``spool`` (written by
    ``write.apply_plan``), the others planned. ``records()`` reads the file's rows (again)."""
    plan = Plan()
    connection.ensure_connection()
    triage = _Triage(spool, connection.connection)
    batch: list[Row] = []
    number = 0
    try:
        for number, (line, cells) in enumerate(records(), start=1):
            row = parse_row(line, cells, columns)
            if isinstance(row, Row):
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    triage.submit(batch)
                    batch = []
            else:
                plan.rejections.append(Rejection(line, " ".join(row)[:300], cells))
            progress(number)
        if batch:
            triage.submit(batch)
        triage.finish()
    finally:
        triage.stop()
    plan.total_rows = number
    back = triage.taken_back()
    complex_rows = triage.complex_rows
    if back:
        again = list(_parse_again(records(), {triage.lines[n] for n in back}, columns))
        for row in again:  # their tags are the planner's now
            triage.tags.subtract(row.tags)
        complex_rows.extend(again)
        complex_rows.sort(key=lambda row: row.line)
        spool.take_back({triage.pids[n] for n in back})
    plan.simple = len(triage.lines) - len(back)
    plan.simple_tags = [name for name, count in triage.tags.items() if count > 0]
    del triage
    plan_people(complex_rows, plan)
    plan.rejections.sort(key=lambda r: r.line)
    return plan


def _parse_again(records: Iterable[tuple[int, list[str]]], wanted: set[int], columns: Columns):
    """The rows of ``wanted`` lines, parsed again (reading stops after the last one)."""
    last = max(wanted)
    for line, cells in records:
        if line in wanted:
            row = parse_row(line, cells, columns)
            assert isinstance(row, Row)  # it parsed the first time
            yield row
        if line >= last:
            break
