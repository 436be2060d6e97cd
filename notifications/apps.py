from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every installed app may declare kinds in <app>/notification_kinds.py.
        autodiscover_modules("notification_kinds")
        from notifications import checks  # noqa: F401  (registers system checks)
