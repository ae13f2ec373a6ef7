"""A person's search row goes with them through a delete trigger instead of a foreign key.

The foreign key (0011, ``ON DELETE CASCADE``) checked every new search row against its person
and locked that person's row to do so (``FOR KEY SHARE``): an import of 80,000 new people spent
~0.9 s of its ~5 s in PostgreSQL on it, every public sign-up paid it once. The rows are only
ever written by ``contacts_search_refresh``, which reads the people it writes, so the check
guarded nothing; what the key did that matters — deleting the row with its person — is done by
statement triggers on ``contacts_contact`` (DELETE, and TRUNCATE, which a cascade from elsewhere
could reach). A search row whose person was deleted in the instant between the refresh reading
them and writing it (no lock any more) is harmless: every search reads its matches through
``contacts_contact``.
"""

from django.db import migrations

FORWARD = r"""
ALTER TABLE contacts_searchdoc DROP CONSTRAINT contacts_searchdoc_contact_fk;

CREATE FUNCTION contacts_search_contact_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN  -- not TRUNCATE: it may be in the same TRUNCATE (a flush)
        DELETE FROM contacts_searchdoc;
    ELSE
        DELETE FROM contacts_searchdoc s USING old_rows o WHERE s.contact_id = o.id;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts_contact
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_contact_deleted();
CREATE TRIGGER contacts_search_truncate AFTER TRUNCATE ON contacts_contact
    FOR EACH STATEMENT EXECUTE FUNCTION contacts_search_contact_deleted();
"""

BACKWARD = r"""
DROP TRIGGER contacts_search_truncate ON contacts_contact;
DROP TRIGGER contacts_search_delete ON contacts_contact;
DROP FUNCTION contacts_search_contact_deleted();
DELETE FROM contacts_searchdoc s
 WHERE NOT EXISTS (SELECT FROM contacts_contact c WHERE c.id = s.contact_id);
ALTER TABLE contacts_searchdoc ADD CONSTRAINT contacts_searchdoc_contact_fk
    FOREIGN KEY (contact_id) REFERENCES contacts_contact (id) ON DELETE CASCADE;
"""


class Migration(migrations.Migration):
    dependencies = [("contacts", "0019_hub_member_report_cover_index")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
