"""The pluggable SMS sender: chosen by SMS_BACKEND; Twilio's form-encoded POST with basic auth,
tried against a local HTTP server standing in for Twilio (no network)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from organizer.sms import LoggingSender, SmsError, TwilioSender, get_sender


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 201

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeTwilio.requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "form": parse_qs(body)}
        )
        payload = {"sid": "SM123"} if self.status == 201 else {"message": "Invalid 'To' number"}
        data = json.dumps(payload).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def twilio():
    FakeTwilio.requests, FakeTwilio.status = [], 201
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield FakeTwilio, f"http://127.0.0.1:{server.server_port}" + "/Accounts/{sid}/Messages.json"
    server.shutdown()


def test_twilio_sender_posts_the_text_form_encoded_with_basic_auth(twilio):
    fake, url = twilio
    sender = TwilioSender("AC1", "secret", "+12125550100", api_url=url)

    assert sender.send(to="+12125550123", body="2 follow-ups due") == "SM123"

    [request] = fake.requests
    assert request["path"] == "/Accounts/AC1/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC1:secret").decode()
    assert request["form"] == {
        "To": ["+12125550123"],
        "From": ["+12125550100"],
        "Body": ["2 follow-ups due"],
    }


def test_twilio_refusing_a_text_raises_an_error_with_its_reason(twilio):
    fake, url = twilio
    fake.status = 400
    sender = TwilioSender("AC1", "secret", "+12125550100", api_url=url)

    with pytest.raises(SmsError, match=r"HTTP 400.*Invalid 'To' number"):
        sender.send(to="+1555", body="hi")


def test_an_unreachable_provider_raises_an_sms_error():
    sender = TwilioSender("AC1", "s", "+12125550100", api_url="http://127.0.0.1:9/{sid}", timeout=2)
    with pytest.raises(SmsError, match="Could not reach Twilio"):
        sender.send(to="+12125550123", body="hi")


def test_twilio_sender_refuses_to_start_without_its_settings(settings):
    settings.TWILIO_ACCOUNT_SID = settings.TWILIO_AUTH_TOKEN = settings.TWILIO_FROM = ""
    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        TwilioSender()


def test_the_sender_comes_from_the_sms_backend_setting(settings, caplog):
    settings.SMS_BACKEND = "organizer.sms.LoggingSender"
    sender = get_sender()
    assert isinstance(sender, LoggingSender)
    with caplog.at_level("INFO", logger="organizer.sms"):
        assert sender.send(to="+12125550123", body="hello").startswith("log-")
    assert "SMS to +12125550123" in caplog.text and "hello" in caplog.text

    settings.SMS_BACKEND = "organizer.sms.TwilioSender"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC1", "secret"
    settings.TWILIO_FROM = "+12125550100"
    assert isinstance(get_sender(), TwilioSender)
