"""Phone banks and text banks: build a call list, hand callers one person at a time, record
what happened.

The guarantee: **two callers never hold the same person at once.** "Next person" is one
statement — ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING`` — that
first gives a caller back the row they already hold (a reload never burns a person), else
claims the first open row nobody holds (or whose claim expired: a caller who walked away).
A result is recorded only by the caller who still holds the row; once another caller took an
expired claim over, the first one is told so and nothing is written twice. The weak spot: a
caller who keeps a person longer than ``claim_minutes`` and whose row was handed on meanwhile
loses what they were about to record (they are told, and the row is worked by the other).

"Do not call" and a wrong number are person- and phone-level (``Contact.do_not_call``,
``Phone.wrong_number_at``): every list checks them when it hands a row out, so they hold on
every list at once, and no list built later includes them. A result becomes an Interaction
through ``contacts.services.conversations.interaction_log`` (history, last contacted), a
"call back" a follow-up through ``follow_up_create``, and the ladder gets ``calls_made`` for
the caller and ``phone_conversation`` for a person reached.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import CallList, CallTarget, SurveyAnswer, SurveyQuestion
from campaigns.selectors.calls import REACHED, callable_contacts, source_contacts
from contacts.models import Contact, ContactEvent, Interaction, Phone
from contacts.selectors.conversations import assignable_users
from contacts.services.conversations import follow_up_create, interaction_log
from contacts.services.ladder import activity_record
from organizer.lib import prepared
from organizer.sms import SmsError, get_sender

MAX_QUESTIONS = 10
MAX_CHOICES = 12
TEXT_MAX = 480  # three SMS segments


@dataclass(frozen=True)
class QuestionInput:
    text: str
    kind: str
    choices: tuple[str, ...] = ()
    text_es: str = ""


def _questions_clean(questions: Iterable[QuestionInput]) -> list[QuestionInput]:
    questions = [q for q in questions if q.text.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise ValidationError(_("At most %(n)s questions.") % {"n": MAX_QUESTIONS})
    for q in questions:
        if q.kind not in SurveyQuestion.Kind.values:
            raise ValidationError(_("Pick a kind for every question."))
        if q.kind != SurveyQuestion.Kind.TEXT and not (2 <= len(q.choices) <= MAX_CHOICES):
            raise ValidationError(
                _("“%(q)s” needs between 2 and %(n)s choices, one a line.")
                % {"q": q.text[:60], "n": MAX_CHOICES}
            )
    return questions


def source_query_clean(value: str) -> str:
    """A People filter as its query string, from the People page's address or the query."""
    value = value.strip()
    if "?" in value or value.startswith(("http://", "https://", "/")):
        value = urlsplit(value).query
    return value.lstrip("?")[:1000]


def call_list_create(
    *,
    by,
    campaign,
    hub,
    name: str,
    kind: str,
    script: str,
    source: str,
    script_es: str = "",
    source_query: str = "",
    source_event=None,
    source_petition=None,
    claim_minutes: int = 10,
    questions: Iterable[QuestionInput] = (),
    callers: Iterable = (),
) -> CallList:
    """Create the list with its survey questions and build it (one transaction). The caller has
    checked that ``by`` manages ``hub``, sees the campaign and the source event or petition."""
    questions = _questions_clean(questions)
    if not campaign.hubs.filter(pk=hub.pk).exists():
        raise ValidationError(_("The hub does not take part in this campaign."))
    with transaction.atomic():
        call_list = CallList(
            campaign=campaign,
            hub=hub,
            name=name.strip(),
            kind=kind,
            script=script.strip(),
            script_es=script_es.strip(),
            source=source,
            source_query=source_query_clean(source_query),
            source_event=source_event,
            source_petition=source_petition,
            claim_minutes=claim_minutes,
            created_by=by,
        )
        call_list.full_clean()
        call_list.save()
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                call_list=call_list,
                position=i,
                text=q.text.strip()[:300],
                text_es=q.text_es.strip()[:300],
                kind=q.kind,
                choices=[c.strip()[:80] for c in q.choices if c.strip()]
                if q.kind != SurveyQuestion.Kind.TEXT
                else [],
            )
            for i, q in enumerate(questions)
        )
        if callers:
            call_list.callers.set(callers)
        call_list_build(by=by, call_list=call_list)
    return call_list


def call_list_build(*, by, call_list: CallList) -> int:
    """Snapshot the source's callable people into the list (``INSERT … SELECT``, set-based);
    building again adds those who match now and are not on it yet. Returns how many were
    added. Raises ``ValidationError`` when the People filter cannot be read."""
    try:
        people = source_contacts(by=by, call_list=call_list)
    except ValueError as exc:
        raise ValidationError(_("The People filter cannot be read: %(e)s") % {"e": exc}) from exc
    rows = callable_contacts(people, kind=call_list.kind).order_by().values("pk", "number")
    sql, params = rows.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_calltarget (call_list_id, contact_id, phone, result) "
            f"SELECT %s, s.pk, s.number, '' FROM ({sql}) AS s "
            "ON CONFLICT (call_list_id, contact_id) DO NOTHING",
            (call_list.pk, *params),
        )
        added = cursor.rowcount
        CallList.objects.filter(pk=call_list.pk).update(built_at=timezone.now())
    return added


def call_list_assign(*, by, call_list: CallList, callers: Iterable) -> None:
    """Set who calls the list (the caller has limited ``callers`` to eligible users)."""
    with transaction.atomic():
        call_list.callers.set(list(callers))


# --- Next person --------------------------------------------------------------------------------

# The row the caller holds; else the first open row nobody holds whose person may still be
# called on that number, after the last row the caller had on this list (where they left
# off: the rows before it are worked or held by others, and walking them — with the dead
# index entries every claim and result leaves until a vacuum — cost more than the rest of
# the claim once a list was a few thousand rows in); else, when nothing is open after it,
# the first such row of the whole list (an expired claim behind, a row skipped while another
# caller was claiming it). COALESCE evaluates a sub-select only when those before it are
# empty; SKIP LOCKED makes a concurrent caller pass over a row another is claiming right now.
# "After" is a row comparison so that every plan reads the list's open rows from
# call_target_open_idx: with ``t.id > …`` plans walked the primary key from the caller's row,
# through every row version after it (and, when nothing was open after it on the list, through
# every later list's rows to the end of the table).
# The person's and the number's checks are scalar sub-selects, looked up for each row the scan
# reaches, never joins: as joins, the generic plan put a Memoize over the person, whose hash
# table PostgreSQL builds and zeroes at every execution even when the sub-select does not run
# (a tenth of the backend's time per "next"), and a plan made while few numbers were wrong
# read all of them into a Materialize at every execution, however many there were later. The
# person's sub-select is NULL (the row is passed over) when the person is gone, as the join was.
_OPEN_SQL = """
    (SELECT t.id FROM campaigns_calltarget t
     WHERE t.call_list_id = %(list)s AND t.result = '' {after}
       AND (t.claimed_until IS NULL OR t.claimed_until <= now())
       AND (SELECT NOT c.do_not_call AND NOT c.do_not_contact {consent}
            FROM contacts_contact c WHERE c.id = t.contact_id)
       AND (SELECT 1 FROM contacts_phone p WHERE p.contact_id = t.contact_id
            AND p.e164 = t.phone AND p.wrong_number_at IS NOT NULL LIMIT 1) IS NULL
     ORDER BY t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED)"""
_AFTER_SQL = """
       AND (t.call_list_id, t.id) > (%(list)s,
            COALESCE((SELECT m.id FROM campaigns_calltarget m
                      WHERE m.claimed_by_id = %(user)s AND m.call_list_id = %(list)s
                      ORDER BY m.id DESC LIMIT 1), 0))"""
_NEXT_SQL = """
UPDATE campaigns_calltarget SET claimed_by_id = %(user)s,
       claimed_until = now() + make_interval(mins => %(minutes)s)
WHERE id = COALESCE(
    (SELECT h.id FROM campaigns_calltarget h
     WHERE h.claimed_by_id = %(user)s AND h.call_list_id = %(list)s AND h.result = ''
       AND h.claimed_until > now()
     ORDER BY h.id LIMIT 1),{after},{anywhere}
)
RETURNING {returning}
"""

# The same claim, returning what the caller's page shows of the row and its person.
_NEXT_TARGET_SQL = """
WITH claimed AS ({claim}){unhurried}
SELECT claimed.id, claimed.contact_id, claimed.phone, claimed.claimed_until,
       c.first_name, c.last_name, c.preferred_name
FROM claimed JOIN contacts_contact c ON c.id = claimed.contact_id{unhurried_join}
"""
# A claim on its own (not inside a caller's transaction) commits without waiting for its WAL
# to reach the disk (synchronous_commit off for this transaction only; a claim inside a
# transaction leaves that transaction's commit as it is). A crash of the database can lose
# the claims of its last moments (up to about 0.6 s): those people are open again, as if
# their callers had walked away, and a caller who had one on screen is told when recording
# that the person was handed on (as after an expired claim). Anything committed after a claim
# (its result) is flushed with it; results keep waiting for the disk. In exchange "next" no
# longer waits for a flush: milliseconds on a busy server, much more behind another session's
# bulk writes, and the larger part of a claim's time under 50 callers (bench/RESULTS.md).
_UNHURRIED = ", unhurried AS (SELECT set_config('synchronous_commit', 'off', true) AS off)"
_PERSON_FIELDS = ["id", "first_name", "last_name", "preferred_name"]


def call_next(*, user, call_list: CallList) -> int | None:
    """The id of the caller's next person (:func:`call_next_target`), or None."""
    target = call_next_target(user=user, call_list=call_list)
    return target.pk if target is not None else None


def _next_target_sql(call_list: CallList, *, unhurried: bool) -> str:
    """The claim returning the row and its person; ``unhurried``: its commit does not wait for
    the disk (only for a claim that is its own transaction)."""
    return _next_target_text(call_list.kind, unhurried)


@functools.cache
def _next_target_text(kind: str, unhurried: bool) -> str:
    """Built once per kind of list: one string object, so ``prepared`` finds its cached name by
    a hash computed once, not by hashing three fresh kilobytes on every "next"."""
    return _NEXT_TARGET_SQL.format(
        claim=_claim_sql(kind, returning="id, contact_id, phone, claimed_until"),
        unhurried=_UNHURRIED if unhurried else "",
        unhurried_join=", unhurried" if unhurried else "",
    )


def call_next_target(*, user, call_list: CallList) -> CallTarget | None:
    """Claim the caller's next person (or give back the one they hold) and return the row with
    its person's name (what the caller's page needs; other fields of the person are not
    loaded), or None when nobody is left. One statement; the claim lasts ``claim_minutes``
    from now. Planning it (three sub-selects, two of them with the person's checks) cost
    PostgreSQL half as much as running it, on every "next" of every caller: it is prepared once
    per connection (``organizer.lib.prepared``)."""
    with connection.cursor() as cursor:
        prepared.execute(
            cursor,
            _next_target_sql(call_list, unhurried=not connection.in_atomic_block),
            _claim_params(user, call_list),
            types=_CLAIM_TYPES,
            prefix="call_next",
        )
        row = cursor.fetchone()
    if row is None:
        return None
    target_id, contact_id, phone, claimed_until, *names = row
    # Every field's value in the model's order (an open row: not completed, no interaction),
    # so that ``from_db`` builds it from positional values and no field is left deferred.
    values = {
        "id": target_id,
        "call_list_id": call_list.pk,
        "contact_id": contact_id,
        "phone": phone,
        "claimed_by_id": user.pk,
        "claimed_until": claimed_until,
        "result": "",
    }
    target = CallTarget.from_db(
        connection.alias, None, [values.get(name) for name in _TARGET_FIELDS]
    )
    target.call_list = call_list
    target.contact = Contact.from_db(connection.alias, _PERSON_FIELDS, [contact_id, *names])
    return target


_TARGET_FIELDS = [field.attname for field in CallTarget._meta.concrete_fields]


_CLAIM_TYPES = {"user": "bigint", "list": "bigint", "minutes": "integer"}


def _claim_sql(kind: str, *, returning: str) -> str:
    consent = "AND c.sms_ok" if kind == CallList.Kind.TEXT else ""
    after = _OPEN_SQL.format(after=_AFTER_SQL, consent=consent)
    anywhere = _OPEN_SQL.format(after="", consent=consent)
    return _NEXT_SQL.format(after=after, anywhere=anywhere, returning=returning)


def _claim_params(user, call_list: CallList) -> dict:
    return {"user": user.pk, "list": call_list.pk, "minutes": call_list.claim_minutes}


# --- Recording a result -------------------------------------------------------------------------

_CALL_OUTCOME = {
    CallTarget.Result.NO_ANSWER: Interaction.Outcome.NO_ANSWER,
    CallTarget.Result.LEFT_MESSAGE: Interaction.Outcome.LEFT_MESSAGE,
    CallTarget.Result.TALKED: Interaction.Outcome.TALKED,
    CallTarget.Result.WRONG_NUMBER: Interaction.Outcome.WRONG_NUMBER,
    CallTarget.Result.CALL_BACK: Interaction.Outcome.TALKED,
    CallTarget.Result.DO_NOT_CALL: "",
}


class ClaimLost(ValidationError):
    """The row is no longer the caller's (recorded, or handed on after the claim expired)."""


def _locked_target(*, by, call_list: CallList, target_id: int) -> CallTarget:
    target = (
        CallTarget.objects.select_for_update(of=("self",))
        .select_related("contact")
        .filter(pk=target_id, call_list=call_list)
        .first()
    )
    if target is None or target.result or target.claimed_by_id != by.pk:
        raise ClaimLost(
            _("This person was already recorded or handed to another caller; here is the next.")
        )
    return target


def _answers_save(*, by, target: CallTarget, answers: dict) -> None:
    """Upsert one answer per question given (``{question_id: str | list[str]}``)."""
    questions = {q.pk: q for q in target.call_list.questions.all()}
    now = timezone.now()
    for question_id, value in answers.items():
        question = questions.get(int(question_id))
        if question is None or value in ("", [], None):
            continue
        if question.kind == SurveyQuestion.Kind.TEXT:
            choices, text = [], str(value).strip()[:1000]
        else:
            picked = [value] if isinstance(value, str) else list(value)
            choices = [c for c in question.choices if c in picked]
            if question.kind == SurveyQuestion.Kind.SINGLE:
                choices = choices[:1]
            text = ""
            if not choices:
                continue
        SurveyAnswer.objects.update_or_create(
            question=question,
            contact_id=target.contact_id,
            defaults={"choices": choices, "text": text, "answered_by": by, "answered_at": now},
        )


def _person_event(*, by, contact_id: int, summary: str, **changes) -> None:
    ContactEvent.objects.create(
        contact_id=contact_id,
        kind=ContactEvent.Kind.EDITED,
        actor=by,
        summary=summary[:300],
        changes=changes,
    )


def _follow_up_for(*, by, target: CallTarget, due_on: dt.date, at: dt.time | None) -> None:
    """The caller's follow-up to call back; to the list's creator when the caller may not own
    one about this person (a volunteer caller sees only their own people)."""
    contact = target.contact
    what = _("Call back (%(list)s)") % {"list": target.call_list.name}
    if at is not None:
        what = _("Call back at %(time)s (%(list)s)") % {
            "time": at.strftime("%H:%M"),
            "list": target.call_list.name,
        }
    owners = assignable_users(contact)
    owner = (
        owners.filter(pk=by.pk).first() or owners.filter(pk=target.call_list.created_by_id).first()
    )
    if owner is None:
        raise ValidationError(_("Nobody here may own a follow-up about this person."))
    follow_up_create(by=by, contact=contact, assigned_to=owner, due_on=due_on, what=what)


def _record(
    *,
    by,
    target: CallTarget,
    result: str,
    notes: str = "",
    call_back_on: dt.date | None = None,
    call_back_at: dt.time | None = None,
    answers: dict | None = None,
) -> CallTarget:
    call_list = target.call_list
    contact: Contact = target.contact
    kind = Interaction.Kind.TEXT if call_list.kind == CallList.Kind.TEXT else Interaction.Kind.CALL
    summary = f"{call_list.name}: {CallTarget.Result(result).label}"
    interaction = interaction_log(
        by=by,
        contact=contact,
        kind=kind,
        notes=f"{summary}. {notes.strip()}".strip(". ") if notes.strip() else summary,
        outcome=_CALL_OUTCOME.get(result, "") if kind == Interaction.Kind.CALL else "",
    )
    now = timezone.now()
    if result == CallTarget.Result.DO_NOT_CALL:
        Contact.objects.filter(pk=contact.pk).update(do_not_call=True)
        _person_event(
            by=by,
            contact_id=contact.pk,
            summary=f"Asked not to be called ({call_list.name})",
            do_not_call=[False, True],
        )
    elif result == CallTarget.Result.WRONG_NUMBER:
        Phone.objects.filter(
            contact_id=contact.pk, e164=target.phone, wrong_number_at__isnull=True
        ).update(wrong_number_at=now)
        _person_event(
            by=by,
            contact_id=contact.pk,
            summary=f"{target.phone} marked a wrong number ({call_list.name})",
            wrong_number=target.phone,
        )
    elif result == CallTarget.Result.CALL_BACK:
        _follow_up_for(by=by, target=target, due_on=call_back_on, at=call_back_at)
    if answers:
        _answers_save(by=by, target=target, answers=answers)
    target.result = result
    target.completed_at = now
    target.completed_by = by
    target.interaction = interaction
    target.claimed_until = None
    target.save(
        update_fields=["result", "completed_at", "completed_by", "interaction", "claimed_until"]
    )
    # The ladder: the caller made a call (when they are a person here), the person talked.
    caller_contact = Contact.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()
    if caller_contact:
        activity_record(
            contact_id=caller_contact,
            kind="calls_made",
            source="call_target",
            source_id=target.pk,
            occurred_at=now,
        )
    if result in REACHED:
        activity_record(
            contact_id=contact.pk,
            kind="phone_conversation",
            source="call_target",
            source_id=target.pk,
            occurred_at=now,
        )
    return target


def call_record(
    *,
    by,
    call_list: CallList,
    target_id: int,
    result: str,
    notes: str = "",
    call_back_on: dt.date | None = None,
    call_back_at: dt.time | None = None,
    answers: dict | None = None,
) -> CallTarget:
    """Record what happened with the person the caller holds (one transaction). Raises
    :class:`ClaimLost` when the row is no longer theirs and ``ValidationError`` for a result
    that does not fit (a text result on a call list, a call back with no day)."""
    allowed = {r.value for r in CallTarget.Result} - {CallTarget.Result.TEXTED.value}
    if call_list.kind == CallList.Kind.TEXT:
        allowed = {CallTarget.Result.WRONG_NUMBER.value, CallTarget.Result.DO_NOT_CALL.value}
    if result not in allowed:
        raise ValidationError({"result": _("Pick what happened.")})
    if result == CallTarget.Result.CALL_BACK:
        if call_back_on is None:
            raise ValidationError({"call_back_on": _("Pick the day to call back.")})
        if call_back_on < timezone.localdate():
            raise ValidationError({"call_back_on": _("Pick today or a later day.")})
    with transaction.atomic():
        target = _locked_target(by=by, call_list=call_list, target_id=target_id)
        return _record(
            by=by,
            target=target,
            result=result,
            notes=notes,
            call_back_on=call_back_on,
            call_back_at=call_back_at,
            answers=answers,
        )


def text_body(call_list: CallList, contact: Contact, *, language: str, caller) -> str:
    """The prepared message for this person: the script with {first_name} and {caller}."""
    script = call_list.script_for(language)
    first = contact.preferred_name or contact.first_name or ""
    caller_name = (getattr(caller, "name", "") or "").split(" ")[0]
    return script.replace("{first_name}", first).replace("{caller}", caller_name)[:TEXT_MAX]


def text_send(
    *, by, call_list: CallList, target_id: int, body: str, answers: dict | None = None
) -> CallTarget:
    """Send one text to the person the caller holds, through the SMS sender, and record it.
    The row stays locked while the provider is asked, so a double tap sends once; a refused
    text records nothing (``ValidationError`` says why) and the caller still holds the row."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the text first.")})
    if len(body) > TEXT_MAX:
        raise ValidationError({"body": _("At most %(n)s characters.") % {"n": TEXT_MAX}})
    if call_list.kind != CallList.Kind.TEXT:
        raise ValidationError(_("This list is for calls."))
    with transaction.atomic():
        target = _locked_target(by=by, call_list=call_list, target_id=target_id)
        contact = target.contact
        if not contact.sms_ok or contact.do_not_call or contact.do_not_contact:
            raise ValidationError(_("This person has not agreed to texts."))
        try:
            get_sender().send(to=target.phone, body=body)
        except SmsError as exc:
            raise ValidationError(_("The text was not sent: %(e)s") % {"e": exc}) from exc
        return _record(
            by=by, target=target, result=CallTarget.Result.TEXTED, notes=body, answers=answers
        )
