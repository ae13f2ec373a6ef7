from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from contacts.selectors.access import contact_for_user, contacts_for_user


@login_required
def people(request):
    qs = contacts_for_user(request.user).order_by("last_name", "first_name", "pk")
    page = Paginator(qs.prefetch_related("phones", "emails"), 50).get_page(request.GET.get("page"))
    return render(request, "contacts/list.html", {"page": page})


@login_required
def detail(request, pk: int):
    contact = contact_for_user(request.user, pk)
    return render(request, "contacts/detail.html", {"contact": contact})
