"""Staff pages for outgoing webhooks (everyone else gets 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.models import Webhook, WebhookDelivery
from api.webhooks import outbox, services
from api.webhooks.delivery import body_of
from api.webhooks.forms import WebhookForm
from contacts.selectors.access import require_staff

RECENT = 50


def _hook(request, pk: int) -> Webhook:
    require_staff(request.user)
    return get_object_or_404(Webhook, pk=pk)


@login_required
def webhook_list(request):
    require_staff(request.user)
    return render(request, "api/webhooks.html", {"hooks": Webhook.objects.all()})


@login_required
def webhook_new(request):
    require_staff(request.user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hook = services.webhook_save(by=request.user, hook=form.save(commit=False))
        messages.success(request, _("Webhook added. Copy its secret to your receiver."))
        return redirect("webhooks:detail", pk=hook.pk)
    return render(request, "api/webhook_form.html", {"form": form})


@login_required
def webhook_detail(request, pk: int):
    hook = _hook(request, pk)
    form = WebhookForm(request.POST or None, instance=hook)
    if request.method == "POST" and form.is_valid():
        services.webhook_save(by=request.user, hook=form.save(commit=False))
        messages.success(request, _("Webhook saved."))
        return redirect("webhooks:detail", pk=hook.pk)
    deliveries = (
        WebhookDelivery.objects.filter(hook=hook)
        .select_related("event")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    context = {"hook": hook, "form": form, "deliveries": deliveries}
    return render(request, "api/webhook_detail.html", context)


@login_required
def delivery_detail(request, pk: int, delivery_pk: int):
    hook = _hook(request, pk)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("event"), hook=hook, pk=delivery_pk
    )
    attempts = delivery.attempt_log.all()[:20]
    body = body_of(delivery).decode()
    context = {"hook": hook, "delivery": delivery, "attempts": attempts, "body": body}
    return render(request, "api/webhook_delivery.html", context)


@login_required
@require_POST
def webhook_test(request, pk: int):
    hook = _hook(request, pk)
    if not hook.active:
        messages.error(request, _("Turn the webhook on to send it a test."))
    else:
        outbox.ping(hook=hook, by=request.user)
        messages.success(request, _("Test event queued; it appears below within seconds."))
    return redirect("webhooks:detail", pk=hook.pk)


@login_required
@require_POST
def webhook_secret(request, pk: int):
    hook = services.webhook_new_secret(by=request.user, hook=_hook(request, pk))
    messages.success(request, _("New secret made; update your receiver."))
    return redirect("webhooks:detail", pk=hook.pk)


@login_required
@require_POST
def webhook_delete(request, pk: int):
    services.webhook_delete(by=request.user, hook=_hook(request, pk))
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks:list")
