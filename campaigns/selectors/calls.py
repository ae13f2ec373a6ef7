"""Reads for phone and text banks: who sees which call list, who is on it, and its progress.

Access (one chokepoint per question, 404 for everyone else):

- :func:`call_lists_for_user`: staff every list; a captain the lists of the hubs they captain;
  anyone the lists they are assigned to call;
- :func:`managed_call_list_for_user`: staff and the captains of the list's hub (build, assign,
  progress);
- :func:`workable_call_list_for_user`: the list's callers and its managers (the caller page,
  which only ever shows the one person the caller holds).

Progress is counted in SQL over the list's rows (one aggregate for the results, one for the
survey answers), from the same rows ``campaigns.metrics`` counts for the campaign's goals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Role
from campaigns.models import CallList, CallTarget, Rsvp, Signature, SurveyAnswer
from contacts.models import Contact, HubMember, Interaction, Phone
from contacts.selectors.access import contacts_for_user
from hubs.models import HubRole
from hubs.selectors.access import hub_ids_for_user

REACHED = (CallTarget.Result.TALKED, CallTarget.Result.CALL_BACK)
CALL_RESULTS = [r for r in CallTarget.Result if r != CallTarget.Result.TEXTED]
TEXT_RESULTS = [
    CallTarget.Result.TEXTED,
    CallTarget.Result.WRONG_NUMBER,
    CallTarget.Result.DO_NOT_CALL,
]


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _captained(user):
    return hub_ids_for_user(user, roles=(HubRole.Role.CAPTAIN,))


def call_lists_for_user(user) -> QuerySet[CallList]:
    if not _active(user):
        return CallList.objects.none()
    if user.role == Role.STAFF:
        return CallList.objects.all()
    mine = Q(pk__in=CallList.callers.through.objects.filter(user_id=user.pk).values("calllist_id"))
    if user.role == Role.CAPTAIN:
        return CallList.objects.filter(mine | Q(hub_id__in=_captained(user)))
    return CallList.objects.filter(mine)


def call_list_for_user(user, pk: int) -> CallList:
    return get_object_or_404(
        call_lists_for_user(user).select_related("campaign", "hub", "created_by"), pk=pk
    )


def can_manage_call_list(user, call_list: CallList) -> bool:
    if not _active(user):
        return False
    if user.role == Role.STAFF:
        return True
    return (
        user.role == Role.CAPTAIN
        and HubRole.objects.filter(
            user_id=user.pk, hub_id=call_list.hub_id, role=HubRole.Role.CAPTAIN
        ).exists()
    )


def is_caller(user, call_list: CallList) -> bool:
    return call_list.callers.filter(pk=user.pk).exists()


def managed_call_list_for_user(user, pk: int) -> CallList:
    call_list = call_list_for_user(user, pk)
    if not can_manage_call_list(user, call_list):
        raise Http404
    return call_list


def workable_call_list_for_user(user, pk: int) -> CallList:
    call_list = call_list_for_user(user, pk)
    if not (is_caller(user, call_list) or can_manage_call_list(user, call_list)):
        raise Http404
    return call_list


def eligible_callers(hub_ids) -> QuerySet:
    """Who may be assigned to call for these hubs: staff, and anyone with a role in one."""
    in_hub = HubRole.objects.filter(hub_id__in=hub_ids).values("user_id")
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(role=Role.STAFF) | Q(pk__in=in_hub))
        .order_by("name", "email")
    )


# --- Who is on a list ---------------------------------------------------------------------------


class _Request:
    """What ContactFilter reads from a request: the user (its choices are scoped to them)."""

    def __init__(self, user) -> None:
        self.user = user


def source_contacts(*, by, call_list: CallList) -> QuerySet[Contact]:
    """The people the list's source names, among those ``by`` may see and in the list's hub.
    Raises ``ValueError`` when a People filter cannot be read."""
    from contacts.filters import ContactFilter

    people = contacts_for_user(by).filter(
        Exists(HubMember.objects.filter(contact_id=OuterRef("pk"), hub_id=call_list.hub_id))
    )
    if call_list.source == CallList.Source.PEOPLE:
        data = QueryDict(call_list.source_query.lstrip("?"))
        filterset = ContactFilter(data=data, queryset=people, request=_Request(by))
        if not filterset.is_valid():
            raise ValueError(filterset.errors.as_text())
        return filterset.qs
    if call_list.source == CallList.Source.NO_SHOWS:
        no_shows = Rsvp.objects.filter(
            event_id=call_list.source_event_id,
            status=Rsvp.Status.GOING,
            walk_in=False,
            attended_at__isnull=True,
        )
        return people.filter(pk__in=no_shows.values("contact_id"))
    signers = Signature.objects.filter(petition_id=call_list.source_petition_id)
    return people.filter(pk__in=signers.values("contact_id"))


def callable_contacts(people: QuerySet[Contact], *, kind: str) -> QuerySet:
    """``people`` who may be called (or texted), each with the number to use: never someone
    who asked not to be called or contacted, never a number marked wrong; texts only to those
    who agreed to texts. The primary number first."""
    good = Phone.objects.filter(contact_id=OuterRef("pk"), wrong_number_at__isnull=True)
    people = people.filter(do_not_call=False, do_not_contact=False)
    if kind == CallList.Kind.TEXT:
        people = people.filter(sms_ok=True)
    number = good.order_by("-is_primary", "pk").values("e164")[:1]
    return people.annotate(number=Subquery(number)).filter(number__isnull=False)


def source_description(call_list: CallList) -> str:
    """Why the people are on the list, as the caller reads it."""
    if call_list.source == CallList.Source.NO_SHOWS and call_list.source_event_id:
        return _("RSVPed to %(event)s and did not come") % {"event": call_list.source_event}
    if call_list.source == CallList.Source.SIGNERS and call_list.source_petition_id:
        return _("Signed the petition “%(title)s”") % {"title": call_list.source_petition}
    return _("Matches the list's People filter (%(query)s)") % {
        "query": call_list.source_query or _("everyone in %(hub)s") % {"hub": call_list.hub}
    }


# --- The caller's one person --------------------------------------------------------------------


def last_conversation(user, contact_id: int) -> Interaction | None:
    """The person's latest conversation the caller may read (a sensitive note only by its
    author and staff)."""
    qs = Interaction.objects.filter(contact_id=contact_id).select_related("author")
    if user.role != Role.STAFF:
        qs = qs.filter(Q(is_sensitive=False) | Q(author_id=user.pk))
    return qs.order_by("-happened_at", "-pk").first()


def held_target(user, call_list: CallList, target_id: int) -> CallTarget:
    """The row the caller holds (open, claimed by them), or 404."""
    target = (
        CallTarget.objects.filter(
            pk=target_id, call_list=call_list, claimed_by_id=user.pk, result=""
        )
        .select_related("contact")
        .first()
    )
    if target is None:
        raise Http404
    return target


# --- Progress -----------------------------------------------------------------------------------


@dataclass
class QuestionTotals:
    question: object
    answered: int = 0
    choices: list[tuple[str, int]] = field(default_factory=list)
    latest_texts: list[str] = field(default_factory=list)


@dataclass
class Progress:
    total: int
    remaining: int
    skipped: int  # open rows nobody will be handed (asked not to be called, number wrong)
    worked: int
    reached: int
    by_result: list[tuple[str, str, int]]  # (value, label, count)
    by_caller: list[tuple[str, int]]
    questions: list[QuestionTotals]

    @property
    def percent(self) -> int:
        return round(100 * self.worked / self.total) if self.total else 0


def _blocked_q() -> Q:
    """Open rows whose person or number became uncallable after the list was built."""
    wrong = Phone.objects.filter(
        contact_id=OuterRef("contact_id"), e164=OuterRef("phone"), wrong_number_at__isnull=False
    )
    return Q(contact__do_not_call=True) | Q(contact__do_not_contact=True) | Q(Exists(wrong))


def call_list_progress(call_list: CallList) -> Progress:
    rows = CallTarget.objects.filter(call_list=call_list)
    counts = rows.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(result="")),
        skipped=Count("pk", filter=Q(result="") & _blocked_q()),
        reached=Count("pk", filter=Q(result__in=REACHED)),
    )
    by_result = dict(
        rows.exclude(result="").values_list("result").annotate(n=Count("pk")).order_by()
    )
    results = TEXT_RESULTS if call_list.kind == CallList.Kind.TEXT else CALL_RESULTS
    by_caller = (
        rows.exclude(result="")
        .values("completed_by__name", "completed_by__email")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    worked = counts["total"] - counts["open"]
    return Progress(
        total=counts["total"],
        remaining=counts["open"] - counts["skipped"],
        skipped=counts["skipped"],
        worked=worked,
        reached=counts["reached"],
        by_result=[(r.value, r.label, by_result.get(r.value, 0)) for r in results],
        by_caller=[
            (c["completed_by__name"] or c["completed_by__email"] or "?", c["n"]) for c in by_caller
        ],
        questions=survey_totals(call_list),
    )


def survey_totals(call_list: CallList) -> list[QuestionTotals]:
    """Per question: how many people answered, how many chose each choice (one query for all
    the choices), and the latest free-text answers. Counts the answers of this list's people."""
    questions = list(call_list.questions.all())
    answers = SurveyAnswer.objects.filter(
        question__call_list=call_list,
        contact_id__in=CallTarget.objects.filter(call_list=call_list).values("contact_id"),
    )
    answered = dict(answers.values_list("question_id").annotate(n=Count("pk")).order_by())
    chosen: Counter = Counter()
    from django.db import connection

    sql, params = answers.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.question_id, c, count(*) FROM campaigns_surveyanswer a, "
            f"unnest(a.choices) AS c WHERE a.id IN ({sql}) GROUP BY 1, 2",
            params,
        )
        for question_id, choice, n in cursor.fetchall():
            chosen[(question_id, choice)] = n
    totals = []
    for q in questions:
        t = QuestionTotals(question=q, answered=answered.get(q.pk, 0))
        t.choices = [(c, chosen[(q.pk, c)]) for c in q.choices]
        if q.kind == q.Kind.TEXT:
            t.latest_texts = list(
                answers.filter(question=q)
                .exclude(text="")
                .order_by("-answered_at")
                .values_list("text", flat=True)[:10]
            )
        totals.append(t)
    return totals


def result_rows(call_list: CallList):
    """(header, rows) for the list's results CSV: each person worked, their result, when, by
    whom, and their answer to each of the list's questions (two queries, rows streamed)."""
    questions = list(call_list.questions.all())
    answers = {
        (a["contact_id"], a["question_id"]): "; ".join(a["choices"]) or a["text"]
        for a in SurveyAnswer.objects.filter(
            question__call_list=call_list,
            contact_id__in=CallTarget.objects.filter(call_list=call_list).values("contact_id"),
        ).values("contact_id", "question_id", "choices", "text")
    }
    header = ["first_name", "last_name", "result", "when", "caller", *[q.text for q in questions]]
    labels = dict(CallTarget.Result.choices)
    targets = (
        CallTarget.objects.filter(call_list=call_list)
        .exclude(result="")
        .order_by("completed_at", "pk")
        .values(
            "contact_id", "contact__first_name", "contact__last_name", "result", "completed_at",
            "completed_by__name", "completed_by__email",
        )
    )  # fmt: skip

    def rows():
        from django.utils import timezone

        for t in targets.iterator(chunk_size=2000):
            yield [
                t["contact__first_name"],
                t["contact__last_name"],
                str(labels.get(t["result"], t["result"])),
                timezone.localtime(t["completed_at"]).strftime("%Y-%m-%d %H:%M"),
                t["completed_by__name"] or t["completed_by__email"] or "",
                *[answers.get((t["contact_id"], q.pk), "") for q in questions],
            ]

    return header, rows(), targets
