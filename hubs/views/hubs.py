from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hubs.selectors.access import hub_for_user, hubs_for_user


@login_required
def index(request):
    return render(request, "hubs/index.html", {"hubs": hubs_for_user(request.user)})


@login_required
def detail(request, slug: str):
    hub = hub_for_user(request.user, slug)
    return render(request, "hubs/detail.html", {"hub": hub})
