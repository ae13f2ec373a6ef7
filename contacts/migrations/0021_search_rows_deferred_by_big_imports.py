"""An import writes its new people's search rows with one set-based INSERT per chunk, rather
than through the insert triggers; and the rows are built by joins.

The insert triggers on people and emails (0011, 0018) step aside while the transaction-local
setting ``organizer.search_deferred`` is ``on``: the import sets it around the COPYs of its
new people only (``contacts.services.imports.spool.search_deferred``), then writes their
search rows in one statement per chunk (``spool.search_rows``) in the same transaction.
Nothing else sets it, and ``set_config(…, true)`` ends with the transaction, so every other
write keeps the triggers.

The rows' words are now defined once, in ``contacts_search_docs(ids)``: the same as before (a
tsvector's lexemes are sorted and unique, so the order the words come in does not matter), with
the emails and hubs joined rather than looked up person by person. ``contacts_search_refresh``
upserts them; the import inserts its new people's rows plainly (they cannot have one yet: the
triggers stood aside when they were written, and no one else can see them before the commit),
which spares a speculative insertion per row (~30 % of writing a row).
"""

from django.db import migrations

DEFERRED = "current_setting('organizer.search_deferred', true) = 'on'"

# The rows' words, as 0011 wrote them, in one function both writers share: joined rather than
# looked up person by person (two merge joins over the email and hub indexes instead of two
# index lookups and an array built per person, for the many people of an import).
REFRESH = r"""
CREATE FUNCTION contacts_search_docs(ids bigint[])
RETURNS TABLE (contact_id bigint, doc tsvector)
LANGUAGE sql STABLE AS $$
    SELECT c.id, array_to_tsvector(
           ARRAY(SELECT 'n' || w FROM unnest(string_to_array(c.name_search, ' ')) AS w
                 WHERE w <> '')
        || coalesce(e.words, '{}') || coalesce(m.words, '{}')
        || CASE WHEN c.owner_id IS NULL THEN '{}'::text[] ELSE ARRAY['o' || c.owner_id] END)
    FROM contacts_contact c
    LEFT JOIN (SELECT e.contact_id, array_agg('e' || lower(e.address)) AS words
               FROM contacts_email e WHERE e.contact_id = ANY(ids) AND e.address <> ''
               GROUP BY e.contact_id) e ON e.contact_id = c.id
    LEFT JOIN (SELECT m.contact_id, array_agg('h' || m.hub_id) AS words
               FROM contacts_hubmember m WHERE m.contact_id = ANY(ids)
               GROUP BY m.contact_id) m ON m.contact_id = c.id
    WHERE c.id = ANY(ids)
$$;

CREATE OR REPLACE FUNCTION contacts_search_refresh(ids bigint[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO contacts_searchdoc (contact_id, doc)
    SELECT d.contact_id, d.doc FROM contacts_search_docs(ids) d
    ON CONFLICT (contact_id) DO UPDATE SET doc = EXCLUDED.doc
    WHERE contacts_searchdoc.doc IS DISTINCT FROM EXCLUDED.doc
$$;
"""

REFRESH_BEFORE = r"""
CREATE OR REPLACE FUNCTION contacts_search_refresh(ids bigint[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    INSERT INTO contacts_searchdoc (contact_id, doc)
    SELECT c.id, array_to_tsvector(
           ARRAY(SELECT 'n' || w FROM unnest(string_to_array(c.name_search, ' ')) AS w
                 WHERE w <> '')
        || ARRAY(SELECT 'e' || lower(e.address) FROM contacts_email e
                 WHERE e.contact_id = c.id AND e.address <> '')
        || ARRAY(SELECT 'h' || m.hub_id FROM contacts_hubmember m WHERE m.contact_id = c.id)
        || ARRAY(SELECT 'o' || c.owner_id WHERE c.owner_id IS NOT NULL))
    FROM contacts_contact c
    WHERE c.id = ANY(ids)
    ON CONFLICT (contact_id) DO UPDATE SET doc = EXCLUDED.doc
    WHERE contacts_searchdoc.doc IS DISTINCT FROM EXCLUDED.doc
$$;
"""

FORWARD = REFRESH + rf"""
CREATE OR REPLACE FUNCTION contacts_search_contact_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERRED} THEN
        RETURN NULL;
    END IF;
    PERFORM contacts_search_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION contacts_search_part_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF {DEFERRED} THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM contacts_search_refresh(ARRAY(SELECT DISTINCT contact_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM contacts_search_refresh(ARRAY(
            SELECT contact_id FROM new_rows UNION SELECT contact_id FROM old_rows));
    ELSE
        PERFORM contacts_search_refresh(ARRAY(SELECT DISTINCT contact_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
"""

BACKWARD = REFRESH_BEFORE + r"""
DROP FUNCTION contacts_search_docs(bigint[]);
CREATE OR REPLACE FUNCTION contacts_search_contact_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contacts_search_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION contacts_search_part_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM contacts_search_refresh(ARRAY(SELECT DISTINCT contact_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM contacts_search_refresh(ARRAY(
            SELECT contact_id FROM new_rows UNION SELECT contact_id FROM old_rows));
    ELSE
        PERFORM contacts_search_refresh(ARRAY(SELECT DISTINCT contact_id FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("contacts", "0020_search_rows_deleted_by_trigger")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
