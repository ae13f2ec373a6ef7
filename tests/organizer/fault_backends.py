"""The outside world for fault tests: a mail server that is slow, and answers in a file the
test can read from another process."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileBackend(BaseEmailBackend):
    """Takes ``SLOW_MAIL_SECONDS`` to accept a message, then appends its recipient to the file
    ``SLOW_MAIL_FILE`` (one line per message accepted)."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0")))
        with open(os.environ["SLOW_MAIL_FILE"], "a") as fh:
            for message in email_messages:
                fh.write(",".join(message.to) + "\n")
        return len(email_messages)
