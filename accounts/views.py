from __future__ import annotations

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        auth.login(request, form.get_user())
        return redirect("contacts:my_day")
    return render(request, "accounts/login.html", {"form": form})


@require_POST
def logout_view(request):
    auth.logout(request)
    return redirect("accounts:login")


@login_required
def two_factor(request):
    return render(request, "accounts/two_factor.html")
