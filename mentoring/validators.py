import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    """Accept IANA zone names such as ``Europe/Paris`` and nothing else."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone we know; pick one such as Europe/Paris."),
            code="invalid_time_zone",
            params={"value": value},
        )
