"""Email backends that misbehave on purpose."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class ScriptedBackend(LocmemBackend):
    """Raises the errors in ``script`` one per send, then behaves like locmem.

    ``ScriptedBackend.script`` is a class attribute so that every connection the task
    opens shares it; ``ScriptedBackend.calls`` counts send attempts.
    """

    script: list[BaseException] = []
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).script:
            raise type(self).script.pop(0)
        return super().send_messages(messages)


def disconnected() -> smtplib.SMTPServerDisconnected:
    return smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def mailbox_busy() -> smtplib.SMTPResponseException:
    return smtplib.SMTPResponseException(451, b"4.3.0 Mailbox temporarily unavailable")


def no_such_user(address: str) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (550, b"5.1.1 No such user here")})
