from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OngoingConfig(AppConfig):
    name = "ongoing"
    verbose_name = _("Life after connecting")
