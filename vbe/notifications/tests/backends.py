"""Mail backends that fail the way real mail servers do."""

from __future__ import annotations

import smtplib

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, as an SMTP server that refuses would."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class TimingOutBackend(BaseEmailBackend):
    """A mail server that does not answer: every send ends in a socket time-out (EMAIL_TIMEOUT)."""

    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        raise TimeoutError("timed out")  # what socket.timeout is (an alias) since Python 3.10


class RefusingRecipientBackend(BaseEmailBackend):
    """A server that is up but refuses one address: a fault of that message, not of the server."""

    refused = "coordinator@test.example"

    def send_messages(self, email_messages):
        for message in email_messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
        mail.outbox.extend(email_messages)
        return len(email_messages)
