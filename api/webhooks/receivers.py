"""Turning the lower apps' signals into outbox rows (connected in ``ApiConfig.ready``). Each
receiver runs inside the service's transaction, and builds a payload only when some active
hook wants the event."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from api.models.webhooks import Event, Webhook
from api.webhooks import payloads
from api.webhooks.outbox import emit, emit_sql, forget_subscriptions, subscribed_hook_ids


def _emit(event: str, build) -> None:
    hook_ids = subscribed_hook_ids(event)
    if hook_ids:
        emit(event, build(), hook_ids=hook_ids)


def person_created(sender, contact_ids, **kwargs) -> None:
    _emit(Event.PERSON_CREATED, lambda: payloads.people(contact_ids))


def person_updated(sender, contact_id, changes, **kwargs) -> None:
    def build():
        person = payloads.person(contact_id)
        return [{"person": person, "changed": sorted(changes)}] if person else []

    _emit(Event.PERSON_UPDATED, build)


def one_on_one_logged(sender, interaction_id, **kwargs) -> None:
    _emit(Event.ONE_ON_ONE_LOGGED, lambda: [payloads.one_on_one(interaction_id)])


def stage_changed(sender, move_ids, **kwargs) -> None:
    emit_sql(Event.STAGE_CHANGED, payloads.STAGE_CHANGED_SQL, {"ids": list(move_ids)})


def rsvp_created(sender, rsvp_id, **kwargs) -> None:
    _emit(Event.RSVP_CREATED, lambda: [payloads.rsvp(rsvp_id)])


def attendance_recorded(sender, rsvp_id, **kwargs) -> None:
    _emit(Event.ATTENDANCE_RECORDED, lambda: [payloads.rsvp(rsvp_id)])


def signature_created(sender, signature_id, **kwargs) -> None:
    _emit(Event.SIGNATURE_CREATED, lambda: [payloads.signature(signature_id)])


def connect() -> None:
    from campaigns import signals as campaign_signals
    from contacts import signals as contact_signals

    pairs = [
        (contact_signals.person_created, person_created),
        (contact_signals.person_updated, person_updated),
        (contact_signals.one_on_one_logged, one_on_one_logged),
        (contact_signals.stage_changed, stage_changed),
        (campaign_signals.rsvp_created, rsvp_created),
        (campaign_signals.attendance_recorded, attendance_recorded),
        (campaign_signals.signature_created, signature_created),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"api.webhooks.{receiver.__name__}")
    # A hook saved or deleted: this process's copy of who wants what is read again.
    for signal in (post_save, post_delete):
        signal.connect(forget_subscriptions, sender=Webhook, dispatch_uid="api.webhooks.forget")
