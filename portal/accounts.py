"""Password reset through the outbox: the throttle, the token and the email; and the
language a person keeps from their first sign-in.

Django's own ``PasswordResetForm.save`` sends mail at once, outside any transaction,
with a link built from the request's Host header. Here the request is counted, and the
email written as a ``password_reset`` notification in the same transaction, with a link
built from ``settings.SITE_URL``; a Celery worker delivers it like every other email.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from mentoring import languages, services
from mentoring.errors import TooManyRequests
from mentoring.models import User
from notifications.services import notify
from portal.models import PasswordResetRequest


def _email_digest(email: str) -> str:
    # Keyed (SECRET_KEY), so the table cannot be matched against a list of addresses.
    return salted_hmac(
        "portal.password-reset-throttle", email.casefold(), algorithm="sha256"
    ).hexdigest()


def _throttle(*, email: str, client_address: str | None, now: datetime) -> None:
    """Count this request, or refuse it when the address or the client is over its
    limit within the window. Counting happens whether or not an account uses the
    address, and the refusal says the same either way: it tells nobody whether an
    account exists. Two requests racing past the last free place may both pass; the
    limit is a brake on floods, not an exact quota."""
    since = now - settings.PASSWORD_RESET_LIMIT_WINDOW
    PasswordResetRequest.objects.filter(created_at__lt=since).delete()
    digest = _email_digest(email)
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    over = recent.filter(email_digest=digest).count() >= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
    if client_address and not over:
        over = (
            recent.filter(client_address=client_address).count()
            >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        )
    if over:
        raise TooManyRequests(
            _(
                "We have sent several password reset emails already. Please wait an hour "
                "before asking again, and check your spam folder in the meantime."
            ),
            code="password_reset_throttled",
        )
    PasswordResetRequest.objects.create(
        email_digest=digest, client_address=client_address or None, created_at=now
    )


def _accounts_for(email: str) -> list[User]:
    """Active accounts with a usable password at that address (as Django's own
    ``PasswordResetForm.get_users``: case-insensitive)."""
    return [
        user
        for user in User.objects.filter(email__iexact=email, is_active=True)
        if user.has_usable_password() and user.email.casefold() == email.casefold()
    ]


@transaction.atomic
def password_reset_send(*, email: str, client_address: str | None) -> int:
    """Count the request (``TooManyRequests`` when over a limit) and write one
    ``password_reset`` email per account at ``email``; how many were written (callers
    must not tell the person: the page says the same whether or not it is 0)."""
    now = timezone.now()
    _throttle(email=email, client_address=client_address, now=now)
    accounts = _accounts_for(email)
    for user in accounts:
        uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        # The token sits in the outbox row's context until the row is delivered (and in
        # its history afterwards, visible in Django admin to superusers only: the row has
        # no program, so program admins never see it). It is short-lived
        # (PASSWORD_RESET_TIMEOUT) and dies as soon as the password changes or the
        # person signs in, since both are part of what the token signs.
        reset_path = reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
        notify(
            kind="password_reset",
            recipient=user,
            context={
                "username": user.get_username(),
                "reset_path": reset_path,
                "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
            },
            # One email per request (each within the throttle), never merged with another.
            dedupe_key=f"password-reset:{user.pk}:{uuid.uuid4().hex}",
        )
    return len(accounts)


def remember_language(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver (connected in ``PortalConfig.ready``): a person who has
    not chosen a language keeps the one they read signed out (the footer's choice, else
    their browser's), else their program's."""
    asked = languages.requested_language(request) if request is not None else None
    services.user_language_remember(user=user, browser_language=asked)
