"""What happens to people, for higher apps to hear (contacts imports none of them).

Each signal is sent by the one service that does the write, inside its transaction, with the
ids of the rows written: a receiver that records something (``api`` writes webhook outbox rows)
does it in the same transaction, so the write and its record commit together or not at all.
Receivers are connected in the listening app's ``AppConfig.ready`` (``ApiConfig.ready``).

Bulk writes send nothing per row: an import (COPY) sends nothing at all, and the scorer sends
``stage_changed`` once per statement with every move it wrote (receivers must be set-based).
"""

from __future__ import annotations

from django.dispatch import Signal

# contact_ids: list[int] — people just created by contact_create.
person_created = Signal()
# contact_id: int, changes: dict[field, [old, new]] — after contact_update changed something.
person_updated = Signal()
# interaction_id: int — a one-on-one logged by one_on_one_log.
one_on_one_logged = Signal()
# move_ids: list[int] — LadderMove rows written (by hand, by a rescore, by the nightly).
stage_changed = Signal()
