"""The API tokens page (/api/tokens/): list, create (the key is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from api.forms import TokenCreateForm
from api.selectors import token_for_user, tokens_for_user
from api.services.tokens import token_create, token_revoke

NEW_KEY_SESSION = "api_new_token_key"


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            # Shown on the next page and dropped from the session there: once.
            request.session[NEW_KEY_SESSION] = [token.pk, key]
            return redirect("api_tokens")
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    context = {
        "form": form,
        "tokens": tokens_for_user(request.user)[:200],
        "new_key": new_key[1] if new_key else "",
        "new_key_pk": new_key[0] if new_key else None,
        "sees_all": request.user.role == Role.STAFF,
        "api_base": request.build_absolute_uri("/api/v2/"),
    }
    return render(request, "api/tokens.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_view(request, pk: int):
    token = token_for_user(request.user, pk)
    if request.method == "POST":
        token_revoke(by=request.user, token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
