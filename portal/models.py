"""What the portal itself stores: the password reset throttle's recent requests."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordResetRequest(models.Model):
    """One accepted request for a password reset link, kept for the throttle's window.

    ``portal.accounts.password_reset_send`` counts these per email address and per client
    address. They live in the database, not in Django's cache: the site configures no
    shared cache (each process has its own memory), so a limit kept there would multiply
    by the number of workers and reset on every restart; the database is the one store
    every process shares, and a few rows an hour cost nothing. The email address is kept
    as a keyed hash, never in clear: requests for addresses that have no account count
    too (the answer is the same whether or not an account exists), and those addresses
    are nobody's business. Rows older than the window are deleted as new ones come in.
    """

    email_digest = models.CharField(_("email address (keyed hash)"), max_length=64)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [
            models.Index(fields=["email_digest", "created_at"], name="pwreset_email_idx"),
            models.Index(fields=["client_address", "created_at"], name="pwreset_address_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client_address or '?'} · {self.created_at:%Y-%m-%d %H:%M}"
