"""Hubs: the list, creating and editing a hub, the hub page, members and captains."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors.access import is_staff, require_staff
from hubs.forms import HubForm, MemberAddForm, MembershipRoleForm
from hubs.selectors import hubs as selectors
from hubs.selectors.access import hub_for_user, managed_hub_for_user
from hubs.services import hubs as services


@login_required
def index(request):
    hubs = selectors.hubs_overview(request.user)
    return render(request, "hubs/index.html", {"hubs": hubs, "can_create": is_staff(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require_staff(request.user)
    form = HubForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hub = services.hub_create(by=request.user, **form.cleaned_data)
        messages.success(request, _("Hub created."))
        return redirect("hubs:detail", hub.slug)
    return render(request, "hubs/edit.html", {"form": form, "hub": None})


@login_required
def detail(request, slug: str):
    hub = hub_for_user(request.user, slug)
    return render(request, "hubs/detail.html", {"page": selectors.hub_page(request.user, hub)})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug: str):
    hub = managed_hub_for_user(request.user, slug)
    captain_only = not is_staff(request.user)
    form = HubForm(request.POST or None, instance=hub, captain_only=captain_only)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        hub.refresh_from_db()  # the form wrote onto the instance; the service saves
        services.hub_update(by=request.user, hub=hub, **fields)
        messages.success(request, _("Hub saved."))
        return redirect("hubs:detail", hub.slug)
    return render(request, "hubs/edit.html", {"form": form, "hub": hub})


def _members_context(request, hub, form=None) -> dict:
    query = request.GET.get("q", "").strip()
    return {
        "hub": hub,
        "query": query,
        "candidates": selectors.member_candidates(request.user, hub, query),
        "members": selectors.hub_members(hub),
        "memberships": selectors.hub_roles(hub),
        "form": form or MemberAddForm(),
        "roles": MembershipRoleForm.base_fields["role"].choices,
    }


@login_required
def members(request, slug: str):
    hub = managed_hub_for_user(request.user, slug)
    context = _members_context(request, hub)
    if request.htmx and request.htmx.target == "member-candidates":
        return render(request, "hubs/members_candidates.html", context)
    return render(request, "hubs/members.html", context)


@login_required
@require_POST
def member_add(request, slug: str):
    hub = managed_hub_for_user(request.user, slug)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        contact = selectors.addable_contact_for_user(request.user, form.cleaned_data["contact"])
        try:
            services.hub_member_add(
                by=request.user,
                hub=hub,
                contact=contact,
                role=form.cleaned_data["role"],
                since=form.cleaned_data["since"],
            )
            messages.success(request, _("%(name)s added.") % {"name": contact.display_name})
        except services.HubError as error:
            messages.error(request, str(error))
        return redirect("hubs:members", hub.slug)
    return render(request, "hubs/members.html", _members_context(request, hub, form), status=400)


@login_required
@require_POST
def member_remove(request, slug: str, member_id: int):
    hub = managed_hub_for_user(request.user, slug)
    contact = services.hub_member_remove(by=request.user, hub=hub, member_id=member_id)
    if contact is not None:
        messages.success(request, _("%(name)s removed.") % {"name": contact.display_name})
    return redirect("hubs:members", hub.slug)


@login_required
@require_POST
def membership_role(request, slug: str, user_id: int):
    hub = managed_hub_for_user(request.user, slug)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pick a role."))
        return redirect("hubs:members", hub.slug)
    try:
        services.hub_role_set(
            by=request.user, hub=hub, user_id=user_id, role=form.cleaned_data["role"]
        )
        messages.success(request, _("Role changed."))
    except services.HubError as error:
        messages.error(request, str(error))
    return redirect("hubs:members", hub.slug)
