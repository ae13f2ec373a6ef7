from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from contacts.selectors.access import contacts_for_user


@login_required
def my_day(request):
    mine = contacts_for_user(request.user).filter(owner=request.user).order_by("last_name")
    return render(request, "contacts/my_day.html", {"my_people": mine[:20]})
