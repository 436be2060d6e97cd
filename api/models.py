"""API keys: how an integration (an HR system, a chat bot, a data team) reaches one
program's data. A key is shown once, when it is made; only its SHA-256 hash is stored
(the key holds 256 random bits, so a fast hash is enough: nothing to guess)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mentoring.models import Program


class ApiKey(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        READ_WRITE = "read_write", _("Read and write")

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("program")
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What uses this key, for example “HR sync” or “Chat bot”."),
    )
    scope = models.CharField(
        _("scope"),
        max_length=16,
        choices=Scope.choices,
        default=Scope.READ,
        help_text=_("Read only keys can look; read and write keys can also change things."),
    )
    # The first characters of the key, kept in clear so people can tell keys apart.
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["program", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.READ_WRITE
