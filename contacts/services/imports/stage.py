"""The set-based path of an import: parsed rows go to a temporary staging table (COPY, streamed,
so a million-row file never sits in memory), and the rows that are plainly new people are
written from it with ``INSERT … SELECT``.

A staged row is *simple* when none of its keys (phones, emails, external IDs) appears in another
row of the file or on anyone already in Organizer: it is one new person whatever the rules say,
so SQL creates it (with its phones, emails, IDs, tags and history entry) without the row coming
back to Python. Every other row is read back as a ``Row`` and goes through the planner's
grouping and matching (``plan.plan_people``), the same rules as ever. Typical files are mostly
simple rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from django.db import connection

from contacts.models import Contact, ContactEvent, Email, ExternalId, Phone
from contacts.services.imports.columns import TEXT_FIELDS
from contacts.services.imports.parse import Columns, Row, parse_row
from organizer.lib.csvfiles import Rejection
from organizer.lib.text import fold

TEXT = (*TEXT_FIELDS, "source")
_ARRAYS = ("phones", "phone_raw", "phone_kind", "emails", "id_system", "id_value", "tags")
COLUMNS = ("line", *TEXT, "membership_status", "member_since", "languages", "name_search", *_ARRAYS)
_EMPTY: list = []
_TYPES = [
    "int4",
    *["text"] * len(TEXT),
    "text",
    "date",
    "text[]",
    "text",
    *["text[]"] * len(_ARRAYS),
]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _execute(sql: str, params: Iterable = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def drop() -> None:
    """Drop the staging tables (they go at commit anyway; this frees them sooner, and lets two
    imports run in one transaction, as in tests)."""
    _execute("DROP TABLE IF EXISTS import_row, import_key, import_complex, import_new")


@lru_cache(maxsize=100_000)
def _folded(part: str) -> str:
    return fold(part)


def _name_search(fields: dict) -> str:
    """``Contact.build_name_search``, folding each part once per import: names repeat (many
    Marias, many Garcias), and the folded parts joined by a space are the folded whole."""
    parts = (fields.get("first_name"), fields.get("preferred_name"), fields.get("last_name"))
    return " ".join(f for f in (_folded(str(p)) for p in parts if p) if f)


def stage_rows(
    records: Iterable[tuple[int, list[str]]],
    columns: Columns,
    progress: Callable[[int], None],
    rejections: list[Rejection],
) -> int:
    """Parse every record; COPY the valid rows into ``import_row`` (dropped at commit), put the
    others in ``rejections``. Returns the number of records."""
    drop()
    text_columns = ", ".join(f"{_q(name)} text" for name in TEXT)
    arrays = ", ".join(f"{name} text[]" for name in _ARRAYS)
    _execute(
        f"CREATE TEMP TABLE import_row (line integer, {text_columns}, membership_status text, "
        f"member_since date, languages text[], name_search text, {arrays}) ON COMMIT DROP"
    )
    number = 0
    names = ", ".join(_q(c) for c in COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY import_row ({names}) FROM STDIN") as copy,
    ):
        copy.set_types(_TYPES)  # no per-value type guessing (lists would be inspected each time)
        write = copy.write_row
        for number, (line, record) in enumerate(records, start=1):
            row = parse_row(line, record, columns)
            if isinstance(row, Row):
                write(_staged(row))
            else:
                rejections.append(Rejection(line, " ".join(row)[:300], record))
            progress(number)
    return number


def _staged(row: Row) -> tuple:
    fields = row.fields
    get = fields.get
    phones = row.phones
    if phones:
        e164s = list(phones)
        raw = [typed for typed, _kind in phones.values()]
        kinds = [kind for _typed, kind in phones.values()]
    else:
        e164s = raw = kinds = _EMPTY
    ids = row.ids
    return (
        row.line,
        *[get(name) for name in TEXT],
        get("membership_status"),
        get("member_since"),
        list(row.languages) if row.languages else _EMPTY,
        _name_search(fields),
        e164s,
        raw,
        kinds,
        list(row.emails) if row.emails else _EMPTY,
        [s for s, _v in ids] if ids else _EMPTY,
        [v for _s, v in ids] if ids else _EMPTY,
        list(row.tags) if row.tags else _EMPTY,
    )


def split_simple() -> None:
    """``import_complex``: the lines whose keys appear twice in the file or on someone already
    in Organizer. The rest are simple rows."""
    _execute(
        "CREATE TEMP TABLE import_key ON COMMIT DROP AS "
        "SELECT line, 'p'::text AS kind, e AS a, ''::text AS b FROM import_row, unnest(phones) e "
        "UNION ALL SELECT line, 'e', a, '' FROM import_row, unnest(emails) a "
        "UNION ALL SELECT line, 'i', s, v FROM import_row, unnest(id_system, id_value) AS x(s, v)"
    )
    _execute(
        "CREATE TEMP TABLE import_complex ON COMMIT DROP AS "
        "SELECT k.line FROM import_key k JOIN (SELECT kind, a, b FROM import_key "
        "  GROUP BY kind, a, b HAVING count(*) > 1) d USING (kind, a, b) "
        f"UNION SELECT k.line FROM import_key k JOIN {_table(Phone)} p "
        "  ON k.kind = 'p' AND p.e164 = k.a "
        f"UNION SELECT k.line FROM import_key k JOIN {_table(Email)} m "
        "  ON k.kind = 'e' AND m.address = k.a "
        f"UNION SELECT k.line FROM import_key k JOIN {_table(ExternalId)} x "
        "  ON k.kind = 'i' AND x.system = k.a AND x.value = k.b"
    )


def complex_rows() -> list[Row]:
    """The rows that need the planner's rules, back from the staging table, in file order."""
    names = ", ".join(f"r.{_q(c)}" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names} FROM import_row r JOIN import_complex USING (line) ORDER BY r.line"
        )
        found = cursor.fetchall()
    rows = []
    for values in found:
        record = dict(zip(COLUMNS, values, strict=True))
        fields = {
            name: record[name]
            for name in (*TEXT, "membership_status", "member_since")
            if record[name] is not None
        }
        phones = {
            e164: (raw, kind)
            for e164, raw, kind in zip(
                record["phones"], record["phone_raw"], record["phone_kind"], strict=True
            )
        }
        ids = list(zip(record["id_system"], record["id_value"], strict=True))
        rows.append(
            Row(record["line"], fields, phones, record["emails"], ids, record["tags"],
                record["languages"])
        )  # fmt: skip
    return rows


def simple_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM import_row r "
            "WHERE NOT EXISTS (SELECT 1 FROM import_complex c WHERE c.line = r.line)"
        )
        return cursor.fetchone()[0]


def _default(field) -> tuple[str, list]:
    """A SQL expression (and its parameters) for a column's default, cast to its type."""
    default = field.get_default()
    db_type = field.db_type(connection)
    if field.get_internal_type() == "JSONField":
        from psycopg.types.json import Jsonb

        return f"%s::{db_type}", [Jsonb(default)]
    if field.get_internal_type() == "ArrayField":
        return f"'{{}}'::{db_type}", []
    return f"%s::{db_type}", [default]


def insert_simple(*, now, by_id, source: str, summary: str, tag_ids: dict[str, int]) -> int:
    """Create one person per simple row, with their phones (the first one primary), emails,
    external IDs, tags and an "imported" history entry: a handful of set-based statements.
    Returns how many people were created."""
    _execute(
        "CREATE TEMP TABLE import_new ON COMMIT DROP AS "
        f"SELECT r.line, nextval(pg_get_serial_sequence('{Contact._meta.db_table}', 'id')) AS id "
        "FROM import_row r WHERE NOT EXISTS (SELECT 1 FROM import_complex c WHERE c.line = r.line) "
        "ORDER BY r.line"
    )
    targets, values, params = [], [], []
    given = {
        "id": ("n.id", []),
        "languages": ("r.languages::varchar(40)[]", []),
        "source": ("left(COALESCE(r.source, %s), 120)", [source[:120]]),
        "name_search": ("r.name_search", []),
        "member_since": ("r.member_since", []),
        "created_at": ("%s", [now]),
        "updated_at": ("%s", [now]),
        "created_by_id": ("%s::bigint", [by_id]),
        "updated_by_id": ("%s::bigint", [by_id]),
    }
    for field in Contact._meta.concrete_fields:
        if getattr(field, "generated", False):
            continue
        expression, expression_params = _default(field)
        if field.attname in given:
            expression, expression_params = given[field.attname]
        elif field.attname in TEXT_FIELDS or field.attname == "membership_status":
            expression = f"COALESCE(r.{_q(field.attname)}, {expression})"
        targets.append(_q(field.column))
        values.append(expression)
        params.extend(expression_params)
    created = _execute(
        f"INSERT INTO {_table(Contact)} ({', '.join(targets)}) "
        f"SELECT {', '.join(values)} FROM import_row r JOIN import_new n USING (line)",
        params,
    )
    if not created:
        return 0
    _execute(
        f"INSERT INTO {_table(Phone)} (contact_id, raw, e164, kind, is_primary) "
        "SELECT n.id, p.raw, p.e164, p.kind, p.n = 1 FROM import_row r JOIN import_new n "
        "USING (line), unnest(r.phone_raw, r.phones, r.phone_kind) WITH ORDINALITY "
        "AS p(raw, e164, kind, n)"
    )
    _execute(
        f"INSERT INTO {_table(Email)} (contact_id, address, is_primary) "
        "SELECT n.id, e.address, e.n = 1 FROM import_row r JOIN import_new n USING (line), "
        "unnest(r.emails) WITH ORDINALITY AS e(address, n)"
    )
    _execute(
        f"INSERT INTO {_table(ExternalId)} (contact_id, system, value) "
        "SELECT n.id, x.system, x.value FROM import_row r JOIN import_new n USING (line), "
        "unnest(r.id_system, r.id_value) AS x(system, value)"
    )
    if tag_ids:
        names, ids = zip(*tag_ids.items(), strict=True)
        _execute(
            f"INSERT INTO {_table(Contact.tags.through)} (contact_id, tag_id) "
            "SELECT n.id, m.tag_id FROM import_row r JOIN import_new n USING (line), "
            "unnest(r.tags) AS t(name) JOIN unnest(%s::text[], %s::bigint[]) AS m(name, tag_id) "
            "ON m.name = t.name",
            [list(names), list(ids)],
        )
    _execute(
        f"INSERT INTO {_table(ContactEvent)} (contact_id, kind, at, actor_id, summary, changes) "
        "SELECT n.id, %s, %s, %s, %s, '{}'::jsonb FROM import_new n",
        [ContactEvent.Kind.IMPORTED, now, by_id, summary],
    )
    return created


def simple_new_ids() -> list[int]:
    """The ids ``insert_simple`` gave its new people (inside the same transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM import_new")
        return [row[0] for row in cursor.fetchall()]


def simple_tags() -> list[str]:
    """The tags the simple rows carry (as typed), to create before ``insert_simple``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT t FROM import_row r, unnest(r.tags) t "
            "WHERE NOT EXISTS (SELECT 1 FROM import_complex c WHERE c.line = r.line)"
        )
        return [row[0] for row in cursor.fetchall()]
