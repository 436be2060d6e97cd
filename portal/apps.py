from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from portal import accounts, directory_cache  # noqa: F401  (registers its receivers)

        # A person who has not chosen a language keeps their browser's (else their
        # program's) from their first sign-in, so that their emails follow it too.
        user_logged_in.connect(accounts.remember_language, dispatch_uid="remember_language")
