from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        # The notifications app imports surveys.notification_kinds itself.
        from surveys import signals  # noqa: F401  (registers the receivers)
