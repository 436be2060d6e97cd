from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self) -> None:
        from mentoring import checks  # noqa: F401  (registers the deployment checks)
        from mentoring.admin_input import guard_every_admin

        # Every admin module is loaded by now (django.contrib.admin's ready comes first).
        guard_every_admin()
