"""Forms of the participants' pages: the directory search, the Connect message, a
mentor's answer to a request, ending a connection, reordering a preferred list, and a
person's participation in a program."""

from datetime import UTC, date

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching import services
from matching.models import ConnectionRequest
from mentoring.errors import DomainError
from mentoring.models import Membership
from mentoring.validators import validate_plain_text, validate_single_line


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name or expertise"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class ConnectionRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the mentor"),
        max_length=ConnectionRequest.MESSAGE_MAX_LENGTH,
        help_text=_("A few sentences: what you would like help with and why this mentor."),
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_plain_text],
        error_messages={"required": _("Write a short message to the mentor.")},
    )


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *ConnectionRequest.DeclineReason.choices],
        error_messages={"required": _("Choose a reason for declining.")},
    )
    note = forms.CharField(
        label=_("Note to the mentee (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_plain_text],
    )


class EndConnectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the connection end?"),
        max_length=500,
        help_text=_("A short reason; the other person reads it in their email."),
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_plain_text],
        error_messages={"required": _("Say in a few words why the connection ends.")},
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


# --- My participation (one page per program; matching.services.participation) --------------


class MentorParticipationForm(forms.Form):
    """A mentor's own terms in one program. The fields follow the program: the modes only
    when it lets mentors choose them, the ongoing limit only with ongoing mentoring on, the
    monthly limit only with one-time mentoring on. The bounds are the program's (the
    service checks them again)."""

    BOTH, ONGOING, ONE_TIME = "both", "ongoing", "one_time"
    MODES = {BOTH: (True, True), ONGOING: (True, False), ONE_TIME: (False, True)}

    modes = forms.ChoiceField(
        label=_("Kinds of mentoring you offer"),
        choices=[
            (BOTH, _("Both: ongoing mentoring and one-time meetings")),
            (ONGOING, _("Ongoing mentoring only")),
            (ONE_TIME, _("One-time meetings only")),
        ],
        widget=forms.RadioSelect,
        help_text=_(
            "Requests already waiting for your answer stay open if you stop offering ongoing "
            "mentoring: you can still accept or decline them."
        ),
        error_messages={"required": _("Choose the kinds of mentoring you offer.")},
    )
    max_ongoing_mentees = forms.IntegerField(
        label=_("Most ongoing mentees at a time (optional)"),
        required=False,
        min_value=0,
    )
    max_flash_meetings_per_month = forms.IntegerField(
        label=_("Most flash meetings a month"),
        min_value=0,
        help_text=_("Requested and scheduled meetings count, per calendar month."),
        error_messages={"required": _("Enter how many flash meetings you take a month.")},
    )
    paused_until = forms.DateField(
        label=_("Not taking new mentees until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Pause new requests until this date; from that day on mentees can ask you "
            "again. Leave it blank to take new mentees now. Your current mentees and the "
            "requests waiting for you stay as they are."
        ),
    )
    headline = forms.CharField(
        label=_("Headline (optional)"),
        required=False,
        max_length=200,
        validators=[validate_single_line],
    )
    bio = forms.CharField(
        label=_("About you (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_plain_text],
    )
    expertise = forms.CharField(
        label=_("Expertise (optional)"),
        required=False,
        max_length=500,
        validators=[validate_single_line],
        help_text=_("Topics separated by commas, e.g. “career change, Python, leadership”."),
    )

    def __init__(self, data=None, *, membership, settings, caps: dict[str, int]) -> None:
        super().__init__(data, initial=None if data is not None else self.initial_from(membership))
        self.membership = membership
        if not settings.mentors_choose_modes:
            del self.fields["modes"]
        if settings.ongoing_enabled:
            field = self._bounded("max_ongoing_mentees", caps["max_ongoing_mentees"])
            field.help_text = _(
                "%(range)s Blank: the program's default, %(default)d. Lowering it keeps your "
                "current mentees and the requests waiting for you."
            ) % {
                "range": self._range(field.max_value, settings.mentor_max_ongoing_mentees),
                "default": settings.default_max_ongoing_mentees,
            }
        else:
            del self.fields["max_ongoing_mentees"]
        if settings.one_time_enabled:
            field = self._bounded(
                "max_flash_meetings_per_month", caps["max_flash_meetings_per_month"]
            )
            field.help_text = _(
                "%(range)s Requested and scheduled meetings count, per calendar month."
            ) % {
                "range": self._range(field.max_value, settings.mentor_max_flash_meetings_per_month)
            }
        else:
            del self.fields["max_flash_meetings_per_month"]
        if not settings.ongoing_enabled:
            del self.fields["paused_until"]

    def _bounded(self, name: str, high: int) -> forms.IntegerField:
        """The field with the program's bounds, and the service's words for them."""
        field = self.fields[name]
        field.max_value = high
        field.validators.append(MaxValueValidator(high))
        field.widget.attrs["max"] = high
        words = _("Choose a number from 0 to %(high)d.") % {"high": high}
        field.error_messages.update(min_value=words, max_value=words, invalid=words)
        return field

    @staticmethod
    def _range(high: int, cap: int | None) -> str:
        if cap is None:  # no cap set by the program: the ceiling is no one's real limit
            return str(_("0 or more."))
        return str(_("From 0 to %(high)d.") % {"high": high})

    def clean_paused_until(self):
        """The service's rule (``pause_check``), asked here too so that it shows beside
        the other field errors; a date left as it was is not asked again, as there."""
        value = self.cleaned_data["paused_until"]
        if value != self.membership.paused_until:
            try:
                services.pause_check(value, today=today_utc())
            except DomainError as error:
                raise forms.ValidationError(error.message) from error
        return value

    @classmethod
    def initial_from(cls, membership) -> dict:
        modes = next(
            (
                key
                for key, value in cls.MODES.items()
                if value == (membership.offers_ongoing, membership.offers_one_time)
            ),
            cls.BOTH,
        )
        return {
            "modes": modes,
            "max_ongoing_mentees": membership.max_ongoing_mentees,
            "max_flash_meetings_per_month": membership.max_flash_meetings_per_month,
            # A pause that is over shows as none.
            "paused_until": membership.paused_until
            if membership.paused_until and membership.paused_until > today_utc()
            else None,
            "headline": membership.headline,
            "bio": membership.bio,
            "expertise": membership.expertise,
        }

    def changes(self, posted_modes: str | None = None) -> dict:
        """The cleaned values as membership fields. ``posted_modes``: a modes value sent
        although the program does not let mentors choose (a crafted POST): handed to the
        service, which refuses it."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "modes"}
        modes = self.cleaned_data.get("modes") or posted_modes
        if modes in self.MODES:
            data["offers_ongoing"], data["offers_one_time"] = self.MODES[modes]
        for name in ("headline", "bio", "expertise"):
            data[name] = data[name].strip()
        return data


class MenteeParticipationForm(forms.Form):
    goals = forms.CharField(
        label=_("What you hope to get from this program (optional)"),
        required=False,
        max_length=Membership.GOALS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        validators=[validate_plain_text],
        help_text=_("Mentors read this with the requests you send them."),
    )

    def __init__(self, data=None, *, membership) -> None:
        super().__init__(data, initial=None if data is not None else {"goals": membership.goals})

    def changes(self) -> dict:
        return {"goals": self.cleaned_data["goals"].strip()}
