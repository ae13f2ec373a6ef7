"""New people, written once: their rows are formatted for COPY as the file is read (on disk, in
chunks, so a million-row file never sits in memory), then streamed into the tables.

Each new person gets its id when its row is read (blocks of ids from the contacts' sequence), so
its phones, emails, external IDs and tags are spooled with it. Rows the planner takes back (a
later row turned out to share a phone with them) are skipped when the chunks are streamed.

Writing a chunk: emails, phones, IDs and tags first, the people last (the foreign keys are
checked at the end of the chunk), with the search index's insert triggers stepped aside
(``search_deferred``); then the "imported" history entries; then the chunk's deferred
foreign-key checks, while the rows they read are still in PostgreSQL's buffers (checked at
COMMIT instead, a million rows' checks would read back pages long evicted). The chunk's search
rows are written by one set-based statement after its COPYs (``search_rows``), still on the
worker thread, so they overlap with the reading of the file as the triggers' did.
"""

from __future__ import annotations

import shutil
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import NOT_PROVIDED, Model
from psycopg.copy import FileWriter
from psycopg.types.json import Jsonb

from contacts.models import Contact, ContactEvent, Email, ExternalId, Phone, SearchDoc
from contacts.services.imports.columns import TEXT_FIELDS
from organizer.lib.text import fold

CHUNK_ROWS = 20_000  # new people per chunk: one COPY per table, then their foreign-key checks
ID_BLOCK = 5_000
# COPY sends text for the column type to parse, so an empty array can go as its literal: much
# cheaper than adapting an empty list for every row.
EMPTY_ARRAY = "{}"
CONTACT_FIELDS = (*TEXT_FIELDS, "membership_status", "member_since")
PHONE_COLUMNS = ("contact_id", "raw", "e164", "kind", "is_primary")
EMAIL_COLUMNS = ("contact_id", "address", "is_primary")
ID_COLUMNS = ("contact_id", "system", "value")
TAG_COLUMNS = ("contact_id", "tag_id")
_LAST = ("languages", "source", "name_search", "email_ok", "sms_ok", "created_at", "updated_at",
         "created_by_id", "updated_by_id")  # fmt: skip


def spool_dir() -> Path:
    """Where running imports spool their new people; the sweep removes what a killed worker
    left behind."""
    return Path(settings.IMPORT_UPLOAD_DIR) / "spool"


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _copy_default(f) -> object:
    default = f.get_default()
    if f.get_internal_type() == "JSONField":
        return Jsonb(default)
    if f.get_internal_type() == "ArrayField" and default == []:
        return EMPTY_ARRAY
    return default


def copy_layout(
    model: type[Model], columns: Sequence[str], *, with_pk: bool = False
) -> tuple[str, tuple]:
    """``COPY … FROM STDIN`` for ``columns`` (attribute names) followed by the model's other
    columns, and those other columns' values: their field's default, the same for every row
    (appended to each row). Nullable columns whose default is NULL are left out: PostgreSQL
    stores NULL there without being sent it for every row."""
    given = [model._meta.get_field(name) for name in columns]
    given_names = {f.attname for f in given}
    rest = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in given_names
        and not getattr(f, "generated", False)
        and (with_pk or not f.primary_key)
        and not (f.null and f.get_default() is None and f.db_default is NOT_PROVIDED)
    ]
    names = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *rest))
    return f"COPY {table(model)} ({names}) FROM STDIN", tuple(_copy_default(f) for f in rest)


def new_ids(count: int, pg: psycopg.Connection | None = None) -> list[int]:
    """``count`` new contact ids from the sequence, in increasing order (on ``pg``, a psycopg
    connection, else Django's)."""
    sql = (  # one array rather than a row per id
        "SELECT array_agg(n ORDER BY n) FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
        "AS n FROM generate_series(1, %s)) s"
    )
    with _cursor(pg) as cursor:
        cursor.execute(sql, [Contact._meta.db_table, count])
        return cursor.fetchone()[0] or []


def _cursor(pg: psycopg.Connection | None = None) -> psycopg.Cursor:
    """A psycopg cursor on ``pg`` or on Django's connection (of this thread)."""
    if pg is None:
        connection.ensure_connection()
        pg = connection.connection
    return pg.cursor()


@lru_cache(maxsize=100_000)
def _folded(part: str) -> str:
    return fold(part)


def name_search(first: str, preferred: str, last: str) -> str:
    """``Contact.build_name_search``, folding each part once per import: names repeat (many
    Marias, many Garcias), and folding works character by character, so the folded parts joined
    by a space are the folded whole."""
    return " ".join(f for f in (_folded(first), _folded(preferred), _folded(last)) if f)


@dataclass
class _Chunk:
    folder: Path
    ids: array = field(default_factory=lambda: array("q"))  # its people, in file order
    tags: dict[str, array] = field(default_factory=dict)  # tag as typed -> contact ids
    written: bool = False

    def path(self, kind: str) -> Path:
        return self.folder / f"{kind}.copy"


class NewPeople:
    """The COPY rows of the import's new people, spooled to a temporary folder; use as a
    context manager (the folder is removed at the end). ``dry_run``: ids are counted, nothing is
    spooled or written."""

    def __init__(self, *, fields: Iterable[str] = CONTACT_FIELDS, source: str, filename: str,
                 now, by_id: int | None, dry_run: bool = False):  # fmt: skip
        self.source, self.now, self.by_id, self.dry_run = source[:120], now, by_id, dry_run
        self.summary = f"Imported from {filename}"[:300]
        present = set(fields)
        self.fields = [(n, Contact._meta.get_field(n).get_default()) for n in CONTACT_FIELDS
                       if n in present]  # fmt: skip
        self.contact_columns = ("id", *(n for n, _d in self.fields), *_LAST)
        self.email_ok = Contact._meta.get_field("email_ok").get_default()
        self.sms_ok = Contact._meta.get_field("sms_ok").get_default()
        self.layouts = {
            "emails": copy_layout(Email, EMAIL_COLUMNS),
            "phones": copy_layout(Phone, PHONE_COLUMNS),
            "ids": copy_layout(ExternalId, ID_COLUMNS),
            "contacts": copy_layout(Contact, self.contact_columns, with_pk=True),
        }
        self.chunks: list[_Chunk] = []
        self.folder: Path | None = None
        self.ids: list[int] = []  # ids to hand out, last first (``take_ids``)
        self.skip: set[int] = set()  # spooled people taken back (``take_back``)
        self._counter = 0
        self._files: list = []
        self._copies: dict[str, psycopg.Copy] = {}
        self._rest: dict[str, tuple] = {}
        self._formatting: psycopg.Cursor | None = None

    def __enter__(self) -> NewPeople:
        if not self.dry_run:
            spool_dir().mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(dir=spool_dir()))
            self._formatting = _cursor()  # it only lends its adapters to the formatters
        return self

    def __exit__(self, *exc) -> None:
        self._close_chunk()
        if self._formatting is not None:
            self._formatting.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def fetch_ids(self, count: int, pg: psycopg.Connection | None = None) -> list[int]:
        """``count`` ids for new people (numbers only in a dry run), for ``take_ids``."""
        if self.dry_run:
            self._counter += count
            return list(range(self._counter - count + 1, self._counter + 1))
        return new_ids(count, pg)

    def take_ids(self, ids: list[int]) -> None:
        self.ids = ids[::-1] + self.ids

    def new_id(self) -> int:
        if not self.ids:
            self.take_ids(self.fetch_ids(ID_BLOCK))
        return self.ids.pop()

    def add(self, pid: int, fields: dict, phones: dict[str, tuple[str, str]],
            emails: Sequence[str], ids: Sequence[tuple[str, str]], tags: Sequence[str],
            languages: Sequence[str]) -> _Chunk | None:  # fmt: skip
        """Spool one new person (``pid`` from ``new_id``) with their phones, emails, IDs, tags.
        Returns the chunk this person filled, if they did (it can be written then)."""
        if self.dry_run:
            return None
        chunk = self._chunk()
        chunk.ids.append(pid)
        get = fields.get
        write = self._copies["contacts"].write_row
        write(
            (
                pid,
                *[get(name, default) for name, default in self.fields],
                list(languages) if languages else EMPTY_ARRAY,
                str(get("source") or self.source)[:120],
                name_search(
                    str(get("first_name", "")),
                    str(get("preferred_name", "")),
                    str(get("last_name", "")),
                ),
                self.email_ok and bool(emails),  # no "Email OK" without an email
                self.sms_ok and bool(phones),  # no "Texts OK" without a phone
                self.now,
                self.now,
                self.by_id,
                self.by_id,
            )
            + self._rest["contacts"]
        )
        if phones:
            write, rest, primary = self._copies["phones"].write_row, self._rest["phones"], True
            for e164, (raw, kind) in phones.items():
                write((pid, raw, e164, kind, primary, *rest))
                primary = False
        if emails:
            write, rest, primary = self._copies["emails"].write_row, self._rest["emails"], True
            for address in emails:
                write((pid, address, primary, *rest))
                primary = False
        if ids:
            write, rest = self._copies["ids"].write_row, self._rest["ids"]
            for system, value in ids:
                write((pid, system, value, *rest))
        for name in tags:
            chunk.tags.setdefault(name, array("q")).append(pid)
        if len(chunk.ids) >= CHUNK_ROWS:
            self._close_chunk()
            return chunk
        return None

    def _chunk(self) -> _Chunk:
        if self._copies:
            return self.chunks[-1]
        assert self.folder is not None
        chunk = _Chunk(self.folder / str(len(self.chunks)))
        chunk.folder.mkdir()
        self.chunks.append(chunk)
        for kind, (_sql, rest) in self.layouts.items():
            file = chunk.path(kind).open("wb")
            self._files.append(file)
            copy = psycopg.Copy(self._formatting, binary=False, writer=FileWriter(file))
            copy.__enter__()
            self._copies[kind] = copy
            self._rest[kind] = rest
        return chunk

    def _close_chunk(self) -> None:
        for copy in self._copies.values():
            copy.__exit__(None, None, None)
        for file in self._files:
            file.close()
        self._copies, self._files = {}, []

    def write_chunk(self, chunk: _Chunk, pg: psycopg.Connection | None = None) -> None:
        """COPY a full chunk's people with their emails, phones and IDs (not their tags), their
        history entries, then the chunk's foreign-key checks; on ``pg`` (the import's
        connection, from the thread that writes while the file is read) or Django's."""
        with search_deferred(pg):
            for kind in ("emails", "phones", "ids", "contacts"):
                _stream(self.layouts[kind][0], chunk.path(kind), set(), pg)
        search_rows(chunk.ids, pg)
        created_events(list(chunk.ids), now=self.now, by_id=self.by_id, summary=self.summary,
                       pg=pg)  # fmt: skip
        check_constraints(pg)
        chunk.written = True
        for kind in self.layouts:
            chunk.path(kind).unlink()

    def take_back(self, pids: set[int]) -> None:
        """These spooled people are the planner's after all: those already written are removed
        now (before the planner looks for matches), the others will not be written."""
        self.skip |= pids
        written = [pid for chunk in self.chunks if chunk.written for pid in chunk.ids
                   if pid in pids]  # fmt: skip
        if written:
            _remove(written)

    def write(self, *, tag_ids: dict[str, int]) -> None:
        """COPY every spooled person not written yet (but those taken back), and everyone's
        tags, in the current transaction."""
        self._close_chunk()
        skip = self.skip
        skipped = {str(pid).encode() for pid in skip}
        for chunk in self.chunks:
            if chunk.written:
                continue
            with search_deferred():
                for kind in ("emails", "phones", "ids", "contacts"):
                    _stream(self.layouts[kind][0], chunk.path(kind), skipped)
            ids = [pid for pid in chunk.ids if pid not in skip] if skip else list(chunk.ids)
            search_rows(ids)
            created_events(ids, now=self.now, by_id=self.by_id, summary=self.summary)
            check_constraints()
        sql, rest = copy_layout(Contact.tags.through, TAG_COLUMNS)
        if any(chunk.tags for chunk in self.chunks):
            with _cursor() as cursor, cursor.copy(sql) as copy:
                for chunk in self.chunks:
                    for name, pids in chunk.tags.items():
                        tag_id = tag_ids[name.casefold()]
                        for pid in pids:
                            if pid not in skip:
                                copy.write_row((pid, tag_id, *rest))


@contextmanager
def search_deferred(pg: psycopg.Connection | None = None) -> Iterator[None]:
    """The search index's insert triggers step aside for the statements run inside (migration
    ``0021``): the new people's search rows are written by ``search_rows``, once, before the
    import commits."""
    with _cursor(pg) as cursor:
        cursor.execute("SELECT set_config('organizer.search_deferred', 'on', true)")
        yield
        cursor.execute("SELECT set_config('organizer.search_deferred', 'off', true)")


SEARCH_BATCH = 100_000


def search_rows(contact_ids: Iterable[int], pg: psycopg.Connection | None = None) -> None:
    """Write the search rows of ``contact_ids``, people written under ``search_deferred`` in
    this transaction (so without a row yet), in a few set-based statements: the words come
    from the index's own function (migration ``0021``), inserted without an upsert's check."""
    sql = (
        f"INSERT INTO {table(SearchDoc)} (contact_id, doc) "
        "SELECT contact_id, doc FROM contacts_search_docs(%s::bigint[])"
    )
    batch = array("q")
    with _cursor(pg) as cursor:
        for pid in contact_ids:
            batch.append(pid)
            if len(batch) >= SEARCH_BATCH:
                cursor.execute(sql, [list(batch)])
                batch = array("q")
        if batch:
            cursor.execute(sql, [list(batch)])


def _remove(contact_ids: list[int]) -> None:
    """Take people written early out again (the planner has their rows now)."""
    with _cursor() as cursor:
        for model in (ContactEvent, Phone, Email, ExternalId):
            cursor.execute(f"DELETE FROM {table(model)} WHERE contact_id = ANY(%s)", [contact_ids])
        cursor.execute(f"DELETE FROM {table(Contact)} WHERE id = ANY(%s)", [contact_ids])


def _stream(sql: str, path: Path, skip: set[bytes], pg: psycopg.Connection | None = None) -> None:
    """COPY a spooled file (``sql``), leaving out the lines whose first value is in ``skip``."""
    if not path.stat().st_size:
        return
    with _cursor(pg) as cursor, cursor.copy(sql) as copy, path.open("rb") as f:
        if not skip:
            while block := f.read(1 << 20):
                copy.write(block)
            return
        lines: list[bytes] = []
        for line in f:
            if line[: line.index(b"\t")] not in skip:
                lines.append(line)
                if len(lines) >= 2000:
                    copy.write(b"".join(lines))
                    lines = []
        if lines:
            copy.write(b"".join(lines))


def created_events(contact_ids: list[int], *, now, by_id, summary: str, pg=None) -> None:
    """One "imported" history entry per new person, in one set-based statement."""
    if not contact_ids:
        return
    with _cursor(pg) as cursor:
        cursor.execute(
            f"INSERT INTO {table(ContactEvent)} (contact_id, kind, at, actor_id, summary, changes) "
            "SELECT id, %s, %s, %s, %s, '{}'::jsonb FROM unnest(%s::bigint[]) AS id",
            [ContactEvent.Kind.IMPORTED, now, by_id, summary, contact_ids],
        )


def check_constraints(pg: psycopg.Connection | None = None) -> None:
    """Run the deferred foreign-key checks queued so far now (then defer again): they read the
    rows just written, still in PostgreSQL's buffers. Every deferrable constraint in this schema
    is initially deferred (Django's foreign keys), so deferring all again restores the default."""
    with _cursor(pg) as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
