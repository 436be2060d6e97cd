import re
import zoneinfo

from django.conf import settings
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


# Line breaks (CR, LF, and Unicode's own line and paragraph separators) and every other
# control character (C0, DEL, C1 such as NEL): a single-line field is printed as one
# line of an email, so these could lay out lines that pass for the email's own.
_NOT_ON_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Control characters that have no place in written text: all but tab, LF and CR.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def validate_single_line(value: str) -> None:
    """A single-line field (a name, a topic, a location): no line break or control
    character."""
    if isinstance(value, str) and _NOT_ON_ONE_LINE.search(value):
        raise ValidationError(
            _("Keep this on one line: line breaks and control characters can't be used here."),
            code="not_single_line",
        )


def validate_plain_text(value: str) -> None:
    """A multi-line text (a message, a note, a bio): line breaks and tabs are fine,
    other control characters (NUL, escape, form feed…) are not."""
    if isinstance(value, str) and _CONTROL_IN_TEXT.search(value):
        raise ValidationError(
            _("Remove the control characters from this text; line breaks and tabs are fine."),
            code="control_character",
        )


def validate_language(value: str) -> None:
    """One of ``settings.LANGUAGES`` (checked when saved, not listed in migrations: adding
    a language is a setting and a catalogue, never a schema change)."""
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("“%(value)s” is not a language of this site."),
            code="invalid_language",
            params={"value": value},
        )
