"""Inviting someone (staff): their account, their role and their hubs. Served at
/accounts/invite/ (organizer/urls.py); it lives in hubs because it places people in hubs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.services import AccountError
from contacts.selectors.access import require_staff
from hubs.forms import InviteForm
from hubs.services.invites import user_invite_to_hubs


@login_required
@require_http_methods(["GET", "POST"])
def invite(request) -> HttpResponse:
    require_staff(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_invite_to_hubs(
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except AccountError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("accounts:users")
    return render(request, "accounts/invite.html", {"form": form})
