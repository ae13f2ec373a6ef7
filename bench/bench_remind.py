"""Follow-up reminders for 5,000 organizers with 100,000 due follow-ups: seconds to plan every
digest and hand every message to the email backend (locmem) and the SMS sender (one that only
counts), i.e. one full ``reminders_run`` — the beat's tick at 9:00.

Floor: the raw SQL SELECT of the same digest rows (every open follow-up due today or overdue of
every organizer whose hour has come, with the person's name), fetched into Python.
Target: ≤ 60 s.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from bench.lib import (
    FOLLOW_UPS,
    Context,
    analyze,
    clear_data,
    copy_rows,
    load_people,
    report,
)

ORGANIZERS = 5_000
DUE_FOLLOW_UPS = 100_000
NOT_DUE = 30_000  # upcoming or done: must not be reminded
PEOPLE = 50_000

FLOOR_SQL = """
SELECT f.id, f.what, f.due_on, f.contact_id, c.first_name, c.last_name, u.id, u.email
FROM contacts_followup f
JOIN accounts_user u ON u.id = f.assigned_to_id
JOIN contacts_contact c ON c.id = f.contact_id
WHERE f.status = 'open' AND f.due_on <= %s AND u.is_active AND u.reminder_hour <= %s
ORDER BY u.id, f.due_on, f.id
"""


class CountingSender:
    def __init__(self) -> None:
        self.count = 0

    def send(self, *, to: str, body: str) -> str:
        self.count += 1
        return str(self.count)


def _load(ctx: Context, day: dt.date) -> tuple[int, int]:
    from accounts.models import User
    from contacts.models import FollowUp

    organizers, due, not_due = ctx.n(ORGANIZERS), ctx.n(DUE_FOLLOW_UPS), ctx.n(NOT_DUE)
    people = load_people(ctx, ctx.n(PEOPLE)).contact_ids
    rng = ctx.rng("remind")
    now = dt.datetime.now(tz=dt.UTC)
    users = [
        {"id": i, "email": f"organizer{i}@example.org", "name": f"Organizer {i}",
         "password": "!", "role": "organizer", "is_active": True, "date_joined": now,
         "reminder_hour": rng.choice([6, 7, 8, 8, 8, 9]), "reminder_email": True,
         "reminder_sms": i % 10 == 0, "phone": f"+1212{rng.randint(2000000, 9999999)}"}
        for i in range(1, organizers + 1)
    ]  # fmt: skip
    copy_rows(User, users)
    # Skewed: a few organizers carry many follow-ups, most carry a handful.
    weights = [1 / (rank**0.6) for rank in range(1, organizers + 1)]
    assignees = rng.choices(range(1, organizers + 1), weights, k=due + not_due)
    rows = []
    for n, user_id in enumerate(assignees):
        if n < due:
            offset, status = (0 if rng.random() < 0.3 else -rng.randint(1, 30)), "open"
        else:
            offset, status = rng.choice([(rng.randint(1, 14), "open"), (-3, "done")])
        rows.append(
            {"contact": rng.choice(people), "assigned_to": user_id,
             "due_on": day + dt.timedelta(days=offset), "what": rng.choice(FOLLOW_UPS),
             "status": status, "created_at": now, "created_by": user_id}
        )  # fmt: skip
    copy_rows(FollowUp, rows)
    with_due = len(set(assignees[:due]))
    return with_due, sum(1 for u in users if u["reminder_sms"] and u["id"] in set(assignees[:due]))


def run(ctx: Context) -> None:
    from django.core import mail
    from django.db import connection

    from contacts.models import ReminderDelivery
    from contacts.services.reminders import chapter_moment, reminders_run

    clear_data()
    now = dt.datetime.combine(
        chapter_moment(dt.datetime.now(tz=dt.UTC))[0], dt.time(9), ZoneInfo("America/New_York")
    )
    day, hour = chapter_moment(now)
    emails_expected, texts_expected = _load(ctx, day)
    analyze()

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, [day, hour])
        floor_rows = cursor.fetchall()
    floor = time.perf_counter() - started

    mail.outbox = []
    sender = CountingSender()
    started = time.perf_counter()
    summary = reminders_run(now=now, sender=sender)
    elapsed = time.perf_counter() - started

    assert len(mail.outbox) == emails_expected, (len(mail.outbox), emails_expected)
    assert sender.count == texts_expected, (sender.count, texts_expected)
    assert not ReminderDelivery.objects.exclude(status="sent").exists()
    ctx.notes.append(
        f"remind: {emails_expected} emails + {texts_expected} texts, {len(floor_rows)} digest "
        f"rows, planned {summary.planned}"
    )
    print(f"# {ctx.notes[-1]}", flush=True)
    report(
        "remind_5000_organizers",
        elapsed,
        "s",
        floor=floor,
        target="<=60s",
        max_value=60,
    )
    mail.outbox = []
