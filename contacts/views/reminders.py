"""Follow-up reminders: a user's own settings, and the staff page of today's deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contacts.forms.reminders import ReminderSettingsForm
from contacts.selectors.access import require_staff
from contacts.selectors.reminders import deliveries_for_staff, delivery_counts
from contacts.services.reminders import (
    chapter_moment,
    reminder_retry,
    reminder_settings_update,
)

OUTCOME_MESSAGES = {
    "sent": gettext_lazy("Sent."),
    "nothing_left": gettext_lazy("Nothing left to send: every follow-up in it was closed."),
    "not_claimed": gettext_lazy("Someone else is sending it right now."),
}


@login_required
def reminder_settings(request):
    form = ReminderSettingsForm.for_user(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reminder_settings_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Reminder settings saved."))
            return redirect("contacts:reminder_settings")
    return render(request, "contacts/reminder_settings.html", {"form": form})


@login_required
def reminder_deliveries(request):
    require_staff(request.user)
    day, _hour = chapter_moment(timezone.now())
    deliveries = list(deliveries_for_staff(request.user, day=day))
    context = {"day": day, "deliveries": deliveries, "counts": delivery_counts(deliveries)}
    return render(request, "contacts/reminder_deliveries.html", context)


@login_required
@require_POST
def reminder_retry_now(request, pk: int):
    require_staff(request.user)
    try:
        outcome = reminder_retry(by=request.user, delivery_id=pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if outcome.status in ("failed", "gave_up"):
            messages.error(request, _("Still failing: %(error)s") % {"error": outcome.error})
        else:
            messages.success(request, OUTCOME_MESSAGES[outcome.status])
    return redirect("contacts:reminder_deliveries")
