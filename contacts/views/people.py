"""People: the list and search, a person's page, add/edit, relationships, merge, export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from contacts.filters import ContactFilter
from contacts.forms.people import (
    BulkForm,
    ContactForm,
    MergeForm,
    RelationshipForm,
    person_formsets,
    split_list,
)
from contacts.models import Assessment, Contact
from contacts.selectors.access import contact_for_user, contacts_for_user, require_staff
from contacts.selectors.conversations import person_timeline
from contacts.selectors.people import (
    duplicate_groups,
    merge_rows,
    ordered,
    person_for_page,
    recruitment_tree,
    relationships_for,
    with_list_data,
)
from contacts.selectors.search import bound_query, find_people
from contacts.services.bulk import people_bulk_add_to_hub, people_bulk_assign, people_bulk_tag
from contacts.services.people import (
    DuplicateContact,
    contact_create,
    contact_merge,
    contact_update,
    people_export,
    relationship_add,
)
from organizer.lib.numbers import parse_id

PAGE_SIZE = 50


@login_required
def people(request):
    """The filtered list. htmx requests (search as you type) get only the results."""
    filterset = ContactFilter(request.GET, contacts_for_user(request.user), request=request)
    return _people_page(request, filterset)


def _people_page(request, filterset: ContactFilter, *, status: int = 200):
    """The list (or its results fragment). A filter value that does not parse shows its error
    and no rows: never the whole list as if the filter were not there."""
    valid = filterset.is_valid()
    qs = with_list_data(ordered(filterset.qs if valid else filterset.queryset.none()))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    context["query_note"] = bound_query(request.GET.get("q")).note
    context["filters_active"] = any(request.GET.get(n) for n in filterset.filters if n != "q")
    if request.user.role != Role.VOLUNTEER:  # acting on many people at once
        context["bulk"] = BulkForm(user=request.user)
    if request.htmx and request.htmx.target == "people-results":  # htmx swaps only a 200
        return render(request, "contacts/_people_results.html", context)
    return render(request, "contacts/list.html", context, status=status if valid else 400)


BULK = {
    "tag": (people_bulk_tag, "tag"),
    "hub": (people_bulk_add_to_hub, "hub"),
    "owner": (people_bulk_assign, "owner"),
}


@login_required
@require_POST
def bulk(request):
    """Tag, add to a hub or give an organizer to the ticked people, or to everyone the list's
    filter (the query string) matches. Ticked ids outside the user's scope are ignored."""
    if request.user.role == Role.VOLUNTEER:
        raise Http404
    filterset = ContactFilter(request.GET, contacts_for_user(request.user), request=request)
    form = BulkForm(request.POST, user=request.user)
    if not (filterset.is_valid() and form.is_valid()):
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) or _("A filter could not be read."))
        return _people_page(request, filterset, status=400)
    data = form.cleaned_data
    scope = contacts_for_user(request.user)
    people = filterset.qs if data["all"] else scope.filter(pk__in=data["ids"])
    service, argument = BULK[data["action"]]
    try:
        result = service(by=request.user, people=people, **{argument: data[argument]})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _people_page(request, filterset, status=400)
    action = dict(BulkForm.ACTIONS)[data["action"]]
    text = _("%(action)s: %(changed)s of %(matched)s people changed (the others already were).")
    messages.success(request, text % {"action": action, **vars(result)})
    return redirect(f"{reverse('contacts:list')}?{request.GET.urlencode()}")


@login_required
def export_csv(request):
    """The filtered list as CSV: only people the user may see, streamed, recorded. The same
    parameters as the list, all of them; a value that does not parse exports nothing (400)."""
    filterset = ContactFilter(request.GET, contacts_for_user(request.user), request=request)
    if not filterset.is_valid():
        messages.error(request, _("Nothing was exported: fix the filters marked below."))
        return _people_page(request, filterset, status=400)
    rows = people_export(by=request.user, qs=filterset.qs, query=request.GET.urlencode())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


@login_required
def detail(request, pk: int):
    contact = person_for_page(request.user, pk)
    rel_q = request.GET.get("rel_q", "").strip()
    context = {
        "contact": contact,
        "links": relationships_for(request.user, contact),
        "recruiter": contacts_for_user(request.user).filter(pk=contact.recruited_by_id).first(),
        "tree": recruitment_tree(request.user, contact),
        "latest_assessment": Assessment.objects.filter(contact=contact)
        .select_related("assessed_by")
        .first(),
        "rel_form": RelationshipForm(),
        "rel_q": rel_q,
        "candidates": [c for c in find_people(request.user, rel_q) if c.pk != contact.pk],
        "timeline": person_timeline(request.user, contact),
    }
    return render(request, "contacts/detail.html", context)


@login_required
def candidates(request, pk: int):
    """People to pick for a relationship (htmx partial; the person page is the fallback)."""
    contact = contact_for_user(request.user, pk)
    if not request.htmx:
        query = urlencode({"rel_q": request.GET.get("rel_q", "")})
        return redirect(f"{contact_url(contact)}?{query}#relate")
    found = find_people(request.user, request.GET.get("rel_q", ""))
    context = {"contact": contact, "candidates": [c for c in found if c.pk != contact.pk]}
    return render(request, "contacts/_candidates.html", context)


def contact_url(contact: Contact) -> str:
    return reverse("contacts:detail", args=[contact.pk])


@login_required
@require_POST
def relationship_new(request, pk: int):
    contact = contact_for_user(request.user, pk)
    form = RelationshipForm(request.POST)
    if form.is_valid():
        other = contact_for_user(request.user, form.cleaned_data["other"])
        try:
            relationship_add(
                by=request.user, contact=contact, other=other, kind=form.cleaned_data["kind"]
            )
            messages.success(request, _("Saved the connection with %s.") % other.display_name)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Pick a person and how they are connected."))
    return redirect(f"{contact_url(contact)}#relationships")


def _save_errors(form, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        form.add_error(key if key in form.fields else None, errors)


@login_required
def create(request):
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, user=request.user)
    phones, emails, ids = person_formsets(data)
    duplicates = None
    if data is not None and all(f.is_valid() for f in (form, phones, emails, ids)):
        new, owner = form.new_contact(phones, emails, ids)
        owner = owner or (None if request.user.role == Role.STAFF else request.user)
        try:
            contact = contact_create(
                by=request.user,
                data=new,
                owner=owner,
                source=form.cleaned_data["source"],
                allow_duplicate=form.cleaned_data["create_anyway"],
            )
            messages.success(request, _("Added %s.") % contact.display_name)
            return redirect(contact_url(contact))
        except DuplicateContact as exc:
            duplicates = exc.matches
        except ValidationError as exc:
            _save_errors(form, exc)
    visible = contacts_for_user(request.user).filter(pk__in=[c.pk for c in duplicates or []])
    context = {"form": form, "phones": phones, "emails": emails, "ids": ids, "is_new": True}
    context |= {"duplicates": duplicates, "visible_duplicates": list(visible)}
    return render(request, "contacts/edit.html", context)


@login_required
def edit(request, pk: int):
    contact = contact_for_user(request.user, pk)
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, instance=contact, user=request.user)
    phones, emails, ids = person_formsets(data, contact)
    if data is not None and all(f.is_valid() for f in (form, phones, emails, ids)):
        try:
            contact_update(
                by=request.user,
                contact=contact,
                fields=form.contact_fields(),
                phones=phones.phone_inputs(),
                emails=emails.addresses(),
                tags=split_list(form.cleaned_data["tags_text"]),
                issues=list(form.cleaned_data["issues"]),
                external_ids=ids.pairs(),
            )
            messages.success(request, _("Saved %s.") % contact.display_name)
            return redirect(contact_url(contact))
        except ValidationError as exc:
            _save_errors(form, exc)
    context = {"form": form, "phones": phones, "emails": emails, "ids": ids, "contact": contact}
    return render(request, "contacts/edit.html", context)


@login_required
def merge(request, pk: int):
    """Staff: pick a duplicate, compare side by side, choose values, merge (others: 404)."""
    require_staff(request.user)
    keep = contact_for_user(request.user, pk)
    other_pk = parse_id(request.POST.get("other") or request.GET.get("other"))
    if other_pk is None or other_pk == keep.pk:
        q = request.GET.get("q", "")
        found = [c for c in find_people(request.user, q) if c.pk != keep.pk]
        return render(request, "contacts/merge.html", {"keep": keep, "q": q, "candidates": found})
    remove = contact_for_user(request.user, other_pk)
    rows = merge_rows(keep, remove)
    form = MergeForm(request.POST or None, rows=rows, initial={"other": remove.pk})
    if request.method == "POST" and form.is_valid():
        contact_merge(by=request.user, keep=keep, remove=remove, take=form.taken())
        messages.success(request, _("Merged %s into this person.") % remove.display_name)
        return redirect(contact_url(keep))
    context = {"keep": keep, "remove": remove, "form": form, "rows": rows}
    return render(request, "contacts/merge.html", context)


@login_required
def duplicates(request):
    require_staff(request.user)
    return render(request, "contacts/duplicates.html", {"groups": duplicate_groups(request.user)})
