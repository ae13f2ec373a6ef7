"""Log a one-on-one, log a lighter touch, My day and the follow-up actions.

Every page works as plain forms; with htmx the follow-up actions and the quick log swap
fragments in place (plus an out-of-band due-count badge and messages).
"""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import retarget

from contacts.forms.conversations import (
    CallOutcomeForm,
    OneOnOneForm,
    QuickLogForm,
    ReassignForm,
    SnoozeForm,
    quick_dates,
)
from contacts.models import Interaction
from contacts.selectors.access import contact_for_user, contacts_for_user
from contacts.selectors.conversations import (
    MyDay,
    assignable_users,
    follow_up_for_user,
    follow_up_text,
    person_timeline,
    saved_client_tokens,
)
from contacts.selectors.conversations import (
    my_day as my_day_selector,
)
from contacts.selectors.search import bound_query, find_people, with_hubs
from contacts.services import conversations as services
from contacts.services.people import DuplicateContact, NewContact, PhoneInput
from organizer.lib.dates import day_label
from organizer.lib.numbers import parse_id

PICKER_LIMIT = 8  # people shown under the "Who" field


def _log_context(request, form: OneOnOneForm, *, query: str = "", **extra) -> dict:
    bounded = bound_query(query)
    if form.is_bound:
        picked = form.data.get("contact")
    else:
        picked = form.initial.get("contact") or request.GET.get("contact")
    picked_id = parse_id(picked)
    chosen = contact_for_user(request.user, picked_id) if picked_id else None
    return {
        "form": form,
        "chosen": chosen,
        "query": bounded.text,
        "query_note": bounded.note,
        "results": with_hubs(find_people(request.user, bounded.text, limit=PICKER_LIMIT)),
        "dates": quick_dates(),
        "saved_tokens": saved_client_tokens(request.user),
        **extra,
    }


def _as_initial(post) -> dict:
    """A posted form as initial values (to redisplay it without errors)."""
    return {key: values if key == "issues" else values[-1] for key, values in post.lists()}


def _log_from_form(request, form: OneOnOneForm):
    data = form.cleaned_data
    fields = {
        name: data[name]
        for name in ("happened_at", "medium", "notes", "issues", "ask", "answer", "commitment")
    }
    fields.update(
        assessment=data["assessment"],
        follow_up_on=data["follow_up_on"],
        follow_up_what=data["follow_up_what"],
        is_sensitive=data["is_sensitive"],
        client_token=data["client_token"],
    )
    if data.get("contact"):
        contact = contact_for_user(request.user, data["contact"])
        return services.one_on_one_log(by=request.user, contact=contact, **fields)
    person = NewContact(
        first_name=data["first_name"],
        last_name=data["last_name"],
        phones=[PhoneInput(raw=data["phone"])] if data["phone"] else [],
    )
    return services.one_on_one_log(
        by=request.user, new_contact=person, allow_duplicate=data["allow_duplicate"], **fields
    )


@login_required
@require_http_methods(["GET", "POST"])
def log_one_on_one(request):
    if request.POST.get("find"):  # "Find" without JavaScript: search, keep what was typed
        form = OneOnOneForm(initial=_as_initial(request.POST))
        context = _log_context(request, form, query=request.POST.get("q", ""))
        return render(request, "contacts/log.html", context)
    form = OneOnOneForm(request.POST or None)
    duplicates = []
    if form.is_bound and form.is_valid():
        try:
            interaction = _log_from_form(request, form)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error("phone" if name == "phone" else None, errors)
        except DuplicateContact as exc:
            visible = contacts_for_user(request.user).filter(pk__in=[c.pk for c in exc.matches])
            duplicates = list(visible)
            form.add_error("phone", _("Someone already has this phone number."))
        else:
            name = interaction.contact.display_name
            if getattr(interaction, "resubmitted", False):
                text = _("This one-on-one with %(name)s was already saved; nothing was added.")
                messages.info(request, text % {"name": name})
            else:
                messages.success(request, _("One-on-one with %(name)s saved.") % {"name": name})
            return redirect("contacts:detail", interaction.contact_id)
    status = 400 if form.is_bound else 200
    # A failed save keeps the search that was typed (and the picked person, from the form).
    query = (request.POST if form.is_bound else request.GET).get("q", "")
    context = _log_context(request, form, query=query, duplicates=duplicates)
    return render(request, "contacts/log.html", context, status=status)


@login_required
@require_GET
def log_people(request):
    """Search-as-you-type for the "Who" field: people the user may see."""
    query = bound_query(request.GET.get("q", ""))
    results = with_hubs(find_people(request.user, query.text, limit=PICKER_LIMIT))
    context = {"results": results, "query": query.text, "query_note": query.note}
    return render(request, "contacts/_log_who.html", context)


@login_required
@require_POST
def interaction_create(request, pk: int):
    contact = contact_for_user(request.user, pk)
    form = QuickLogForm(request.POST)
    if form.is_valid():
        services.interaction_log(by=request.user, contact=contact, **form.cleaned_data)
        if not request.htmx:
            messages.success(request, _("Logged."))
            return redirect("contacts:detail", contact.pk)
        timeline = person_timeline(request.user, contact)
        context = {"contact": contact, "timeline": timeline, "quick_log_oob": True}
        return render(request, "contacts/_timeline.html", context)
    context = {"contact": contact, "quick_form": form}
    response = render(request, "contacts/_quick_log.html", context, status=400)
    return retarget(response, "#quick-log") if request.htmx else response


_SENTINEL = 987654321


def _url_maker(name: str):
    """``pk -> URL`` for a URL taking one id, by string building (one ``reverse()`` per page
    instead of one per row and link)."""
    before, _sep, after = reverse(name, args=[_SENTINEL]).rpartition(str(_SENTINEL))
    return lambda pk: f"{before}{pk}{after}"


def _for_display(day: MyDay) -> MyDay:
    """Give each follow-up shown its links (``urls``) and ``is_overdue``."""
    call = _url_maker("contacts:call_outcome")
    for person in day.stale:
        person.call_url = call(person.pk)
    makers = {
        "complete": _url_maker("contacts:follow_up_complete"),
        "snooze": _url_maker("contacts:follow_up_snooze"),
        "reassign": _url_maker("contacts:follow_up_reassign"),
    }
    person = _url_maker("contacts:detail")
    for follow_up in chain(day.due, day.upcoming, day.team or ()):
        follow_up.urls = {name: make(follow_up.pk) for name, make in makers.items()}
        follow_up.urls["person"] = person(follow_up.contact_id)
        follow_up.urls["call"] = call(follow_up.contact_id)
        follow_up.is_overdue = follow_up.due_on < day.today
    return day


@login_required
@require_GET
def my_day(request):
    day = _for_display(my_day_selector(request.user))
    return render(request, "contacts/my_day.html", {"day": day})


def _next_or(request, default: str) -> str:
    """The ``next`` the form or link carried, when it is on this site; else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    if not (safe and target.startswith("/")):  # redirect() takes a bare word for a URL name
        return default
    return target


@login_required
@require_http_methods(["GET", "POST"])
def call_outcome(request, pk: int):
    """After a call: one tap (talked, no answer, left a message, wrong number) logs it. The
    page after tapping Call offers it on its own (static/js/call-outcome.js); without
    JavaScript the "Log call" link opens this page."""
    contact = contact_for_user(request.user, pk)
    form = CallOutcomeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        outcome = form.cleaned_data["outcome"]
        services.interaction_log(
            by=request.user,
            contact=contact,
            kind=Interaction.Kind.CALL,
            outcome=outcome,
            client_token=form.cleaned_data["client_token"],
        )
        label = Interaction.Outcome(outcome).label
        text = _("Call with %(name)s logged: %(outcome)s")
        messages.success(request, text % {"name": contact.display_name, "outcome": label})
        return redirect(_next_or(request, reverse("contacts:detail", args=[contact.pk])))
    context = {"contact": contact, "form": form, "next": _next_or(request, "")}
    status = 400 if form.errors else 200
    return render(request, "contacts/call_outcome.html", context, status=status)


# --- follow-up actions --------------------------------------------------------------------------


def _after_follow_up_action(request):
    """htmx: the refreshed follow-up sections, due badge and messages; else back where we were."""
    if request.htmx:
        context = {"day": _for_display(my_day_selector(request.user)), "refresh": True}
        return render(request, "contacts/_followups.html", context)
    return redirect(_next_or(request, reverse("contacts:my_day")))


@login_required
@require_POST
def follow_up_complete(request, pk: int):
    follow_up = services.follow_up_complete(by=request.user, follow_up_id=pk)
    what = follow_up_text(request.user, follow_up)
    messages.success(request, _("Done: %(what)s") % {"what": what})
    return _after_follow_up_action(request)


@login_required
@require_POST
def follow_up_snooze(request, pk: int):
    form = SnoozeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("until") or _("Pick a date."))
        until = form.cleaned_data["until"]
        follow_up = services.follow_up_snooze(by=request.user, follow_up_id=pk, until=until)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Moved to %(date)s: %(what)s")
            % {
                "date": day_label(follow_up.due_on),
                "what": follow_up_text(request.user, follow_up),
            },
        )
    return _after_follow_up_action(request)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_reassign(request, pk: int):
    follow_up = follow_up_for_user(request.user, pk)
    form = ReassignForm(request.POST or None, users=assignable_users(follow_up.contact))
    if form.is_bound and form.is_valid():
        to_user = form.cleaned_data["assigned_to"]
        try:
            services.follow_up_reassign(by=request.user, follow_up_id=pk, to_user_id=to_user.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Given to %(who)s.") % {"who": to_user})
        return _after_follow_up_action(request)
    follow_up.what = follow_up_text(request.user, follow_up)  # shown only, never saved
    context = {"follow_up": follow_up, "form": form}
    template = (
        "contacts/_followup_reassign.html" if request.htmx else "contacts/followup_reassign.html"
    )
    return render(request, template, context, status=400 if form.is_bound else 200)
