"""Helpers for the phone bank tests: people with phones in a hub, a call list of them, and an
SMS provider double that records what it was given (the only thing these tests mock)."""

from __future__ import annotations

from campaigns.models import CallList
from campaigns.services.calls import QuestionInput, call_list_create
from organizer.sms import SmsError
from tests.factories import ContactFactory, HubMemberFactory, PhoneFactory


class RecordingSender:
    """``SMS_BACKEND`` for tests: records every text; ``fail`` makes the provider refuse."""

    sent: list[tuple[str, str]] = []
    fail = False

    def send(self, *, to: str, body: str) -> str:
        if RecordingSender.fail:
            raise SmsError("provider down")
        RecordingSender.sent.append((to, body))
        return f"fake-{len(RecordingSender.sent)}"


def person_with_phone(hub, n: int, **fields):
    contact = ContactFactory(**fields)
    HubMemberFactory(contact=contact, hub=hub)
    PhoneFactory(contact=contact, raw=f"(212) 555-{n:04d}", e164=f"+1212555{n:04d}")
    return contact


def make_list(*, by, campaign, hub, kind=CallList.Kind.CALL, questions=(), callers=(), **kw):
    return call_list_create(
        by=by,
        campaign=campaign,
        hub=hub,
        name=kw.pop("name", "Potluck calls"),
        kind=kind,
        script=kw.pop("script", "Hi {first_name}, this is {caller} from the hub."),
        source=kw.pop("source", CallList.Source.PEOPLE),
        questions=questions,
        callers=callers,
        **kw,
    )


QUESTIONS = (
    QuestionInput(text="Will you come to the potluck?", kind="single", choices=("Yes", "No")),
    QuestionInput(text="Which issues?", kind="multiple", choices=("Childcare", "Rent", "Transit")),
    QuestionInput(text="Anything else?", kind="text"),
)
