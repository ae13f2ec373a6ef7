"""The search index follows a person's name and organizer through a row trigger that fires only
when one of them changes, instead of a statement trigger over every UPDATE of people.

The statement trigger (0011) was handed the old and the new version of every updated row as
transition tables and joined them to find the renamed: the ladder's rescore, which updates a
million people's scores and stages and never a name, paid for two million-row tuplestores and a
join. ``UPDATE OF name_search, owner_id`` is not even looked at for an UPDATE that does not set
those columns, and its ``WHEN`` skips a save that sets them to what they were. Inserts keep the
statement trigger: a COPY of a million people refreshes them in one set-based statement.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION contacts_search_contact_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contacts_search_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END
$$;

CREATE FUNCTION contacts_search_contact_row_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM contacts_search_refresh(ARRAY[NEW.id]);
    RETURN NULL;
END
$$;

DROP TRIGGER contacts_search_update ON contacts_contact;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name_search, owner_id ON contacts_contact
    FOR EACH ROW
    WHEN (OLD.name_search IS DISTINCT FROM NEW.name_search
          OR OLD.owner_id IS DISTINCT FROM NEW.owner_id)
    EXECUTE FUNCTION contacts_search_contact_row_changed();
"""

BACKWARD = r"""
DROP TRIGGER contacts_search_update ON contacts_contact;
DROP FUNCTION contacts_search_contact_row_changed();

CREATE OR REPLACE FUNCTION contacts_search_contact_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM contacts_search_refresh(ARRAY(SELECT id FROM new_rows));
    ELSE
        PERFORM contacts_search_refresh(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.name_search IS DISTINCT FROM o.name_search
               OR n.owner_id IS DISTINCT FROM o.owner_id));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER contacts_search_update AFTER UPDATE ON contacts_contact
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_contact_changed();
"""


class Migration(migrations.Migration):
    dependencies = [("contacts", "0017_fewer_indexes_to_write")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
