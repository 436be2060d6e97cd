from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlashMeetingsConfig(AppConfig):
    name = "flash_meetings"
    verbose_name = _("Flash meetings")
