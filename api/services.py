"""Writes of the api app: API keys made and revoked by program admins."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api import keys
from api.models import ApiKey
from mentoring.models import Program, User

# A key's "last used" is written at most this often, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_key_create(*, program: Program, name: str, scope: str, actor: User) -> tuple[ApiKey, str]:
    """A new key for ``program``; returns it with the key itself, which is never stored."""
    plain, prefix = keys.new_key()
    api_key = ApiKey.objects.create(
        program=program,
        name=name,
        scope=scope,
        prefix=prefix,
        hashed_key=keys.hash_key(plain),
        created_by=actor,
    )
    return api_key, plain


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> bool:
    """Revoke the key at once; False when it already was."""
    return bool(
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def api_key_mark_used(*, api_key: ApiKey) -> None:
    """Record that the key was used (one conditional UPDATE, at most once a minute)."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
