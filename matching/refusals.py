"""Turn a capacity/eligibility reason code into the domain error (and its one sentence)
a person reads: the profile page shows the sentence, the services raise the error."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching import capacity
from matching.errors import (
    AlreadyConnected,
    MenteeAtLimit,
    MentorDeclined,
    MentorFull,
    MentorPaused,
    RequestAlreadyPending,
)
from mentoring import when
from mentoring.errors import DomainError, NotAllowed


def mentor_declined_message(*, mentor_name: str) -> str:
    """What a mentee reads while a mentor's decline stands (the Connect button and the
    post-meeting follow-up): kind, blaming no one, and never the mentor's reason or note."""
    return _(
        "%(mentor)s can't offer you ongoing mentoring at the moment. Other mentors in this "
        "program may be a good fit for you."
    ) % {"mentor": mentor_name}


def mentor_paused_message(*, mentor_name: str, paused_until: date | None) -> str:
    """What a mentee reads while a mentor has paused new mentees (the Connect button and
    the post-meeting follow-up): when they take new mentees again, and where else to look."""
    if paused_until is None:
        return _(
            "%(mentor)s is taking a break from new mentees. Other mentors in this program "
            "may be a good fit for you."
        ) % {"mentor": mentor_name}
    return _(
        "%(mentor)s is taking a break from new mentees until %(date)s. Other mentors in "
        "this program may be a good fit for you."
    ) % {"mentor": mentor_name, "date": when.day(paused_until)}


def for_mentee(
    reason: str,
    *,
    mentor_name: str,
    connection_limit: int = 0,
    pending_limit: int = 0,
    paused_until: date | None = None,
) -> DomainError:
    """The refusal as the mentee who wanted to send the request reads it."""
    if reason == capacity.MENTOR_PAUSED:
        return MentorPaused(
            mentor_paused_message(mentor_name=mentor_name, paused_until=paused_until),
            code=reason,
        )
    if reason == capacity.MENTOR_FULL:
        return MentorFull(
            _("%(mentor)s isn't taking on new ongoing mentees right now.")
            % {"mentor": mentor_name},
            code=reason,
        )
    if reason == capacity.MENTOR_DECLINED:
        return MentorDeclined(mentor_declined_message(mentor_name=mentor_name), code=reason)
    if reason == capacity.MENTEE_AT_LIMIT:
        return MenteeAtLimit(
            ngettext(
                "You already have %(count)d ongoing mentor, the most this program allows.",
                "You already have %(count)d ongoing mentors, the most this program allows.",
                connection_limit,
            )
            % {"count": connection_limit},
            code=reason,
        )
    if reason == capacity.TOO_MANY_PENDING:
        return MenteeAtLimit(
            ngettext(
                "You already have %(count)d request waiting for an answer; withdraw it or "
                "wait for the answer before asking someone else.",
                "You already have %(count)d requests waiting for an answer; withdraw one or "
                "wait for an answer before asking someone else.",
                pending_limit,
            )
            % {"count": pending_limit},
            code=reason,
        )
    if reason == capacity.ALREADY_CONNECTED:
        return AlreadyConnected(
            _("You're already connected with %(mentor)s.") % {"mentor": mentor_name}, code=reason
        )
    if reason == capacity.REQUEST_PENDING:
        return RequestAlreadyPending(
            _("Your request to %(mentor)s is waiting for an answer.") % {"mentor": mentor_name},
            code=reason,
        )
    messages = {
        capacity.OWN_PROFILE: _("This is your own profile."),
        capacity.NOT_A_MENTEE: _("Only mentees of this program can ask for ongoing mentoring."),
        capacity.ONGOING_OFF: _("This program doesn't offer ongoing mentoring right now."),
        capacity.PREFERRED_MENTORING: _(
            "In this program you rank the mentors you prefer and the program team makes "
            "the connections."
        ),
        capacity.MENTOR_INACTIVE: _("%(mentor)s isn't taking part in this program any more."),
        capacity.MENTOR_NOT_ONGOING: _("%(mentor)s offers one-time meetings only."),
    }
    message = messages.get(reason, _("You can't ask %(mentor)s for ongoing mentoring."))
    return NotAllowed(
        message % {"mentor": mentor_name} if "%(" in message else message, code=reason
    )


def for_pair(reason: str, *, mentor_name: str, mentee_name: str) -> DomainError:
    """The refusal in the third person, for mentors accepting and for admins."""
    if reason == capacity.MENTOR_PAUSED:
        return MentorPaused(
            _("%(mentor)s is not taking new mentees at the moment.") % {"mentor": mentor_name},
            code=reason,
        )
    if reason == capacity.MENTOR_FULL:
        return MentorFull(
            _("%(mentor)s isn't taking on new ongoing mentees right now.")
            % {"mentor": mentor_name},
            code=reason,
        )
    if reason == capacity.MENTEE_AT_LIMIT:
        return MenteeAtLimit(
            _("%(mentee)s already has the most ongoing mentors this program allows.")
            % {"mentee": mentee_name},
            code=reason,
        )
    if reason == capacity.ALREADY_CONNECTED:
        return AlreadyConnected(
            _("%(mentor)s and %(mentee)s are already connected.")
            % {"mentor": mentor_name, "mentee": mentee_name},
            code=reason,
        )
    if reason == capacity.MENTOR_INACTIVE:
        return NotAllowed(
            _("%(mentor)s isn't an active mentor in this program.") % {"mentor": mentor_name},
            code=reason,
        )
    if reason == capacity.NOT_A_MENTEE:
        return NotAllowed(
            _("%(mentee)s isn't an active mentee in this program.") % {"mentee": mentee_name},
            code=reason,
        )
    if reason == capacity.MENTOR_NOT_ONGOING:
        return NotAllowed(
            _("%(mentor)s offers one-time meetings only.") % {"mentor": mentor_name}, code=reason
        )
    if reason == capacity.ONGOING_OFF:
        return NotAllowed(_("This program doesn't offer ongoing mentoring right now."), code=reason)
    if reason == capacity.OWN_PROFILE:
        return NotAllowed(_("Nobody can be connected with themselves."), code=reason)
    return NotAllowed(
        _("%(mentor)s and %(mentee)s can't be connected.")
        % {"mentor": mentor_name, "mentee": mentee_name},
        code=reason,
    )
