"""Text messages through a pluggable sender, chosen by the ``SMS_BACKEND`` setting.

- :class:`LoggingSender` writes each text to the log (the default in development);
- :class:`TwilioSender` posts to Twilio's REST API (the default once ``TWILIO_*`` are set).

Any class with ``send(*, to, body) -> str`` (the provider's message id) will do: tests use a
fake that records what it was given. A sender raises :class:`SmsError` when the provider refuses
or cannot be reached; callers record the message and retry later.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"


class SmsError(Exception):
    """The provider did not accept the text (the message says why, for staff to read)."""


class Sender(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Hand ``body`` to the provider for ``to`` (E.164); return the provider's id."""
        ...


class LoggingSender:
    """Writes texts to the log instead of sending them (development, demos)."""

    def send(self, *, to: str, body: str) -> str:
        message_id = f"log-{uuid.uuid4().hex[:12]}"
        logger.info("SMS to %s (%s): %s", to, message_id, body)
        return message_id


class TwilioSender:
    """Sends through Twilio's Messages API: a form-encoded POST with basic auth."""

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        from_number: str | None = None,
        *,
        timeout: float = 10.0,
        api_url: str = TWILIO_API,
    ) -> None:
        self.account_sid = account_sid or settings.TWILIO_ACCOUNT_SID
        self.auth_token = auth_token or settings.TWILIO_AUTH_TOKEN
        self.from_number = from_number or settings.TWILIO_FROM
        self.timeout = timeout
        self.api_url = api_url
        if not (self.account_sid and self.auth_token and self.from_number):
            raise ImproperlyConfigured(
                "TwilioSender needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM."
            )

    def request(self, *, to: str, body: str) -> urllib.request.Request:
        data = urllib.parse.urlencode({"To": to, "From": self.from_number, "Body": body})
        credentials = f"{self.account_sid}:{self.auth_token}".encode()
        return urllib.request.Request(  # noqa: S310 — https:// from settings
            self.api_url.format(sid=urllib.parse.quote(self.account_sid)),
            data=data.encode(),
            method="POST",
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials).decode(),
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )

    def send(self, *, to: str, body: str) -> str:
        try:
            request = self.request(to=to, body=body)
            with urllib.request.urlopen(request, timeout=self.timeout) as r:  # noqa: S310
                payload = json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(
                f"Twilio refused the text (HTTP {exc.code}): {_twilio_reason(exc)}"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"Could not reach Twilio: {exc}") from exc
        return str(payload.get("sid", ""))


def _twilio_reason(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return exc.reason or "no details"
    return str(body.get("message") or exc.reason or "no details")


def get_sender() -> Sender:
    """An instance of the class named by ``SMS_BACKEND``."""
    return import_string(settings.SMS_BACKEND)()
