"""Writing a new row and the rows that hang off it in one SQL statement.

A public sign-up creates a person with a phone, an email, a hub membership and a history line:
five INSERTs, each a round trip to PostgreSQL, inside a savepoint (two more). On a busy
machine each round trip costs as much as the SQL itself, so :func:`insert_with_children` sends
them as one statement — data-modifying CTEs, the parent first, each child taking the parent's
new id from it::

    WITH parent AS (INSERT INTO contacts_contact (…) SELECT … RETURNING id),
         c0 AS (INSERT INTO contacts_phone (contact_id, …) SELECT id, … FROM parent),
         …
    SELECT id FROM parent

One statement is atomic by itself (no savepoint needed), and PostgreSQL fires every trigger
(the search index's statement triggers) after all of it, so they see the whole person. The
values are those Django would write (each field's ``pre_save`` and ``get_db_prep_save``:
defaults, ``auto_now``, JSON), read from the model instances, which must be valid already
(``full_clean``): this module does no validation. Model ``save()`` overrides and signals do
not run; callers do what their ``save()`` does (``Contact.save`` sets ``name_search``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import Model
from django.db.models.expressions import DatabaseDefault


def model_fields(model: type[Model], names) -> list:
    """The concrete fields called ``names`` (names or attnames), in the model's own order: the
    order ``Model.from_db`` expects a partial row's values in."""
    wanted = {model._meta.get_field(name).attname for name in names}
    return [f for f in model._meta.concrete_fields if f.attname in wanted]


# Fields whose value Django writes as it is when it is of one of these exact types (their
# ``pre_save`` reads the attribute, ``get_db_prep_save`` returns such a value unchanged): a
# person is ~40 of them, and the two calls per field were most of building their row.
_PLAIN_TYPES = {
    **dict.fromkeys(
        (models.CharField, models.TextField, models.EmailField, models.SlugField, models.URLField),
        frozenset({str, type(None)}),
    ),
    models.BooleanField: frozenset({bool, type(None)}),
    **dict.fromkeys(
        (
            models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
            models.PositiveIntegerField, models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        ),
        frozenset({int, type(None)}),
    ),
}  # fmt: skip
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


def _plain_types(field) -> frozenset | None:
    """The exact value types :func:`columns` may write as they are for ``field`` (None: every
    value goes through the field's ``pre_save`` and ``get_db_prep_save``)."""
    if type(field) is models.ForeignKey and type(field.target_field) in _INTEGER_KEYS:
        return frozenset({int, type(None)})
    return _PLAIN_TYPES.get(type(field))


@functools.cache
def _row_fields(model: type[Model], skip: str | None) -> tuple[tuple, ...]:
    """What :func:`columns` reads of a model, worked out once per model (a sign-up writes the
    same few models every time): ``(field, quoted column, placeholder, is_pk, plain types)``
    for each field written. ``placeholder`` is the SQL placeholder when it does not depend on
    the value (an array's cast), else the field's ``get_placeholder`` method, else ``"%s"``."""
    opts = model._meta
    quote = connection.ops.quote_name
    plan = []
    for field in opts.local_concrete_fields:
        if field.generated or (field.primary_key and field.auto_created) or field.name == skip:
            continue
        placeholder = getattr(field, "get_placeholder", None) or "%s"
        if isinstance(field, ArrayField):
            placeholder = field.get_placeholder(None, None, connection)
        plain = _plain_types(field) if placeholder == "%s" else None
        plan.append((field, quote(field.column), placeholder, field is opts.pk, plain))
    return tuple(plan)


def columns(obj: Model, *, skip: str | None = None) -> tuple[list[str], list[str], list]:
    """(quoted columns, placeholders, params) of ``obj`` as a new row: every concrete field
    but an automatic primary key and generated fields (``skip``: a field name left out, for a
    caller that supplies that column itself)."""
    cols, marks, params = [], [], []
    for field, column, placeholder, is_pk, plain in _row_fields(type(obj), skip):
        if is_pk and getattr(obj, field.attname) is None:
            continue  # an AutoField primary key: the sequence gives it
        if plain is not None:
            value = getattr(obj, field.attname)
            if type(value) in plain:  # written as it is (see _PLAIN_TYPES)
                cols.append(column)
                if value is None or value is True or value is False:
                    marks.append(_LITERALS[value])
                else:
                    marks.append("%s")
                    params.append(value)
                continue
        value = field.pre_save(obj, add=True)
        if isinstance(value, DatabaseDefault):
            continue  # the column's own DEFAULT
        cols.append(column)
        if type(placeholder) is not str:
            placeholder = placeholder(value, None, connection)
        value = field.get_db_prep_save(value, connection)
        if placeholder == "%s" and (value is None or value is True or value is False):
            marks.append(_LITERALS[value])  # the text the driver would put there itself
            continue
        marks.append(placeholder)
        params.append(value)
    return cols, marks, params


# NULL, true and false are written into the statement rather than passed as parameters: the
# same text reaches PostgreSQL (Django's cursors bind on the client), but a statement of fewer
# than 50 parameters has its parsing cached by psycopg — a new person's, ~60 with every empty
# column of a person, was parsed again on every public sign-up.
_LITERALS = {None: "NULL", True: "true", False: "false"}


@functools.cache
def _link(child_model: type[Model], parent_model: type[Model]):
    links = [
        f
        for f in child_model._meta.local_concrete_fields
        if f.is_relation and f.related_model is parent_model
    ]
    if len(links) != 1:
        raise ValueError(f"{child_model.__name__} has no single foreign key to the parent")
    return links[0]


def insert_with_children(
    parent: Model, children: Iterable[Model] = (), *, unless: tuple[str, list] | None = None
) -> int | None:
    """Insert ``parent`` and ``children`` (new rows whose one foreign key to the parent's model
    points at ``parent``) in one statement; set and return the parent's primary key, and set it
    on each child's foreign key. The children's own primary keys are not read back.

    ``unless``: ``(sql, params)`` of a query; when it finds a row (in the statement's own
    snapshot), nothing is written and ``None`` is returned — a check and the write in one
    round trip."""
    children = list(children)
    quote = connection.ops.quote_name
    pk_column = quote(parent._meta.pk.column)
    cols, marks, params = columns(parent)
    guard = ""
    if unless is not None:
        guard = f" WHERE NOT EXISTS ({unless[0]})"
        params += list(unless[1])
    parts = [
        f"parent AS (INSERT INTO {quote(parent._meta.db_table)} ({', '.join(cols)}) "
        f"SELECT {', '.join(marks)}{guard} RETURNING {pk_column})"
    ]
    links = []
    for index, child in enumerate(children):
        link = _link(type(child), type(parent))
        links.append(link)
        cols, marks, values = columns(child, skip=link.name)
        # INSERT … SELECT … FROM parent: no row when the parent was not written.
        parts.append(
            f"c{index} AS (INSERT INTO {quote(child._meta.db_table)} "
            f"({', '.join([quote(link.column), *cols])}) "
            f"SELECT {', '.join([pk_column, *marks])} FROM parent)"
        )
        params += values
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(parts)} SELECT {pk_column} FROM parent", params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk = row[0]
    parent.pk = pk
    parent._state.adding = False
    parent._state.db = connection.alias
    for child, link in zip(children, links, strict=True):
        setattr(child, link.attname, pk)
    return pk


def insert_or_update(
    obj: Model,
    *,
    conflict: Iterable[str],
    update: Iterable[str] = (),
    then: tuple[str, list] | list[tuple[str, list]] | None = None,
) -> tuple[Model | None, bool, list]:
    """Insert ``obj``, or — when a row with the same ``conflict`` fields exists (a unique
    constraint) — set ``update`` fields on that row from ``obj`` (none: leave it alone). One
    statement. Returns ``(row, created, then_ids)``: the row as stored (read back with
    ``RETURNING``, so an updated row keeps its own other fields), or ``(None, False, [])``
    when it existed and ``update`` is empty.

    ``then``: ``(sql, params)`` of a data-modifying statement (or a list of them) run in the
    same statement, as CTEs reading ``upserted`` (the row's columns and ``inserted``, true for
    a new row); the first returns ids (``then_ids``): the rows that follow from a new one, in
    the same round trip."""
    model = type(obj)
    cols, marks, params = columns(obj)
    table, action, returning, attnames, converters = _upsert_parts(
        model, tuple(conflict), tuple(update)
    )
    # xmax is 0 on a row version this statement inserted (an updated row's is our transaction).
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(marks)}) "
        f"ON CONFLICT {action} RETURNING {returning}, (xmax = 0) AS inserted"
    )
    if isinstance(then, tuple):
        then = [then]
    if then:
        steps = "".join(f", then_{i} AS ({step})" for i, (step, _p) in enumerate(then))
        sql = (
            f"WITH upserted AS ({sql}){steps} SELECT *, ARRAY(SELECT id FROM then_0) FROM upserted"
        )
        params += [value for _step, step_params in then for value in step_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, False, []
    then_ids = list(row[-1] or []) if then else []
    row = row[:-1] if then else row
    values = list(row[:-1])
    for index, col, convert in converters:  # what a query would convert (JSON, …)
        values[index] = convert(values[index], col, connection)
    stored = model.from_db(connection.alias, attnames, values)
    return stored, bool(row[-1]), then_ids


@functools.cache
def _upsert_parts(model: type[Model], conflict: tuple, update: tuple) -> tuple:
    """The parts of :func:`insert_or_update`'s statement that depend only on the model and the
    conflict and update fields, and the converters of the row it reads back: worked out once
    (building them cost a public RSVP as much as sending its statement)."""
    opts = model._meta
    quote = connection.ops.quote_name
    target = ", ".join(quote(opts.get_field(name).column) for name in conflict)
    sets = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in (opts.get_field(name).column for name in update)
    )
    action = f"({target}) DO UPDATE SET {sets}" if sets else f"({target}) DO NOTHING"
    fields = opts.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(opts.db_table)
        for convert in [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]:
            converters.append((index, col, convert))
    return (
        quote(opts.db_table),
        action,
        ", ".join(quote(f.column) for f in fields),
        tuple(f.attname for f in fields),
        tuple(converters),
    )
