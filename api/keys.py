"""Making and recognising API keys: ``mpk_<prefix>_<secret>``, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets

KEY_START = "mpk_"


def new_key() -> tuple[str, str]:
    """A fresh key and the prefix shown in admin to tell it apart."""
    prefix = secrets.token_hex(4)
    return f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}", f"{KEY_START}{prefix}"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_START) and len(value) < 200
