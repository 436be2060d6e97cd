"""The signed link in an optional email that turns that kind off without signing in.

The token carries the recipient's id and the kind, signed with the site's SECRET_KEY
(salted for this one use, so no other signed value of the site can stand in for it) and
stamped with the time it was made. It is good for ``MAX_AGE`` (60 days): long enough for
an email read late or a mail program's unsubscribe button pressed weeks later, short
enough that an old forwarded email stops working; after that the page asks the person
to sign in to their email preferences instead. Rotating SECRET_KEY (keep the old one in
SECRET_KEY_FALLBACKS for 60 days) retires every link at once.

The token is the only credential of the unsubscribe page, which is why all it can do is
turn one optional kind of email off for one person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "notifications.unsubscribe"
MAX_AGE = timedelta(days=60)


class TokenInvalid(Exception):
    """Not a token we made: tampered with, cut short or garbage."""


class TokenExpired(TokenInvalid):
    """A token we made, older than MAX_AGE."""


@dataclass(frozen=True)
class UnsubscribeTarget:
    user_id: int
    kind: str


def make_token(*, user_id: int, kind: str, signer: signing.TimestampSigner | None = None) -> str:
    signer = signer or signing.TimestampSigner(salt=SALT)
    return signer.sign_object({"u": user_id, "k": kind}, compress=False)


def read_token(token: str) -> UnsubscribeTarget:
    """The person and kind a token names; ``TokenExpired`` or ``TokenInvalid`` if not."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise TokenExpired(str(error)) from error
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise TokenInvalid(str(error)) from error
    if not (
        isinstance(payload, dict)
        and type(payload.get("u")) is int
        and isinstance(payload.get("k"), str)
    ):
        raise TokenInvalid("Signed, but not an unsubscribe token.")
    return UnsubscribeTarget(user_id=payload["u"], kind=payload["k"])


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    """The absolute link, on SITE_URL (never the Host header of some request)."""
    token = make_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[token])


def preferences_url() -> str:
    return settings.SITE_URL + reverse("notifications:preferences")
