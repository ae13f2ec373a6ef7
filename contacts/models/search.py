"""The person-finder's index for names and emails: one row per person, kept by PostgreSQL.

(Phones are found through ``contacts_phone``'s own btree indexes: the number, and the number
reversed for its last digits.)

``SearchDoc.doc`` is a tsvector of lexemes, each tagged by its first letter so that kinds never
match each other:

- ``n<word>``: each folded word of the name (``Contact.name_search``: accents and case gone);
- ``e<address>``: each email, lower-case;
- ``h<hub id>`` for each hub the person is in and ``o<user id>`` for their organizer: the
  scope, so a scoped search asks the index for ``(h1 | h2 | o7) & nmar:*`` and never wades
  through matches outside it.

Triggers (migrations ``0011_person_search_index`` and ``0018``) rewrite a person's row
whenever their name or organizer, an email or a hub membership changes, whoever writes
it (services, imports by COPY, the admin, raw SQL): code never maintains it. Deleting a person
deletes their row (a delete trigger, migration ``0020``: a foreign key would check and lock the
person for every row written).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDoc(models.Model):
    contact = models.OneToOneField(
        "contacts.Contact",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database deletes it (a trigger: see the module note)
        db_constraint=False,
        related_name="+",
    )
    doc = SearchVectorField()

    class Meta:
        # A small pending list: every search scans all of it, so a big one (4 MB by default,
        # until a vacuum) would cost each search tens of ms after a burst of writes.
        indexes = [GinIndex(fields=["doc"], name="searchdoc_doc_gin", gin_pending_list_limit=256)]

    def __str__(self) -> str:
        return f"search doc of {self.contact_id}"
