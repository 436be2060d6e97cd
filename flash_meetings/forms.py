"""Forms for flash meetings. Times are entered in the person's own zone."""

from datetime import datetime

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from flash_meetings.models import AvailabilitySlot, ProposedTime
from flash_meetings.services.availability import MAX_REPEAT_WEEKS
from flash_meetings.services.requests import check_time_choice
from flash_meetings.timezones import format_when, localize_naive, zone_of
from mentoring import dates
from mentoring.errors import DomainError
from mentoring.validators import validate_plain_text, validate_single_line

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Dates past this year are refused as typos: a later one would overflow Python's datetime
# once a meeting length or repeat weeks are added to it (a 500 instead of a form error).
LATEST_YEAR = 2100
TOO_LATE = _("Please pick a date before %(year)s.")
# A video link is a web page: no ftp:, javascript: or data: links in invitations.
VIDEO_URL_VALIDATORS = [URLValidator(schemes=["http", "https"])]


def _refuse_far_future(value):
    if value is not None and value.year >= LATEST_YEAR:
        raise forms.ValidationError(TOO_LATE, code="too_late", params={"year": LATEST_YEAR})
    return value


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as wall-clock time in the person's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("input_formats", [DATETIME_LOCAL, "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        # Parse without Django's current-zone conversion; the form localizes it.
        if value in self.empty_values:
            return None
        for fmt in self.input_formats:
            try:
                parsed = datetime.strptime(str(value).strip(), fmt)  # noqa: DTZ007
            except ValueError:
                continue
            return _refuse_far_future(parsed)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class ZoneAwareForm(forms.Form):
    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        self.zone = zone_of(user)
        super().__init__(*args, **kwargs)

    def _aware(self, name: str):
        value = self.cleaned_data.get(name)
        if value is None:
            return None
        try:
            dates.check_people_date(value, zone=self.zone)
            return localize_naive(value, self.zone)
        except forms.ValidationError as error:
            self.add_error(name, error)
        except ValueError as error:  # a skipped wall-clock time, or no UTC instant at all
            self.add_error(name, str(error))
        return None


class AvailabilityForm(forms.Form):
    program = forms.TypedChoiceField(label=_("Program"), coerce=int)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    repeat_weeks = forms.IntegerField(
        label=_("Repeat weekly for this many more weeks"),
        min_value=0,
        max_value=MAX_REPEAT_WEEKS,
        initial=0,
        help_text=_("0 adds a single slot."),
    )

    def __init__(self, *args, memberships, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {membership.program_id: membership for membership in memberships}
        self.fields["program"].choices = [
            (membership.program_id, membership.program.name) for membership in memberships
        ]

    def clean_day(self):
        day = _refuse_far_future(self.cleaned_data["day"])
        # The mentor's own today: all the memberships offered are the signed-in mentor's.
        owner = next(iter(self.memberships.values()), None)
        dates.check_people_date(day, zone=zone_of(owner.user) if owner else None)
        return day

    def membership(self):
        return self.memberships[self.cleaned_data["program"]]


class RequestForm(ZoneAwareForm):
    topic = forms.CharField(label=_("Topic"), max_length=200, validators=[validate_single_line])
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        validators=[validate_plain_text],
    )
    slot = forms.ModelChoiceField(
        queryset=AvailabilitySlot.objects.none(),
        label=_("Open slot"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "Sorry, that slot was just booked by someone else or is no longer open; "
                "please pick another time."
            )
        },
    )
    proposed_1 = LocalDateTimeField(label=_("Proposed time 1"), required=False)
    proposed_2 = LocalDateTimeField(label=_("Proposed time 2"), required=False)
    proposed_3 = LocalDateTimeField(label=_("Proposed time 3"), required=False)

    def __init__(self, *args, slots, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = slots
        self.fields["slot"].label_from_instance = self._slot_label

    def _slot_label(self, slot: AvailabilitySlot) -> str:

        return format_when(slot.starts_at, slot.ends_at, self.zone)

    def clean(self):
        cleaned = super().clean()
        times = [self._aware(f"proposed_{index}") for index in (1, 2, 3)]
        cleaned["proposed_starts"] = [value for value in times if value is not None]
        if self.errors:
            return cleaned
        try:
            check_time_choice(
                slot_chosen=bool(cleaned.get("slot")),
                proposed_count=len(cleaned["proposed_starts"]),
            )
        except DomainError as error:
            raise forms.ValidationError(error.message) from error
        return cleaned


class AcceptForm(forms.Form):
    proposed_time = forms.ModelChoiceField(
        queryset=ProposedTime.objects.none(),
        label=_("Time"),
        required=False,
        widget=forms.RadioSelect,
    )
    location = forms.CharField(
        label=_("Location (optional)"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    video_url = forms.URLField(
        label=_("Video link (optional)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=VIDEO_URL_VALIDATORS,
    )

    def __init__(self, *args, meeting, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        zone = zone_of(viewer)
        self.fields["proposed_time"].queryset = ProposedTime.objects.filter(
            meeting=meeting, by_mentor=False
        )

        self.fields["proposed_time"].label_from_instance = lambda proposal: format_when(
            proposal.starts_at, proposal.ends_at, zone
        )

    def clean(self):
        cleaned = super().clean()
        if not self.meeting.slot_id and not cleaned.get("proposed_time") and not self.errors:
            self.add_error("proposed_time", _("Please choose one of the proposed times."))
        return cleaned


class ProposeForm(ZoneAwareForm):
    starts_at = LocalDateTimeField(label=_("Another time"))
    location = forms.CharField(
        label=_("Location (optional)"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    video_url = forms.URLField(
        label=_("Video link (optional)"),
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=VIDEO_URL_VALIDATORS,
    )

    def clean(self):
        cleaned = super().clean()
        cleaned["starts_at"] = self._aware("starts_at")
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea,
        validators=[validate_plain_text],
    )


class CancelForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the other person"),
        max_length=2000,
        widget=forms.Textarea,
        validators=[validate_plain_text],
    )


class AcceptProposalForm(forms.Form):
    proposed_time = forms.ModelChoiceField(queryset=ProposedTime.objects.none())

    def __init__(self, *args, meeting, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposed_time"].queryset = ProposedTime.objects.filter(
            meeting=meeting, by_mentor=True
        )
