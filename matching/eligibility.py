"""May the mentee of a flash meeting be offered an ongoing connection with its mentor?

DESIGN.md, "Eligibility for the post-meeting offer": the checks run in a fixed order and
the first that fails gives the reason. The same function answers the follow-up page, the
POST that acts on it (inside the transaction that holds the mentor's membership lock),
and the admin's "Why was no offer shown?" readout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from matching import capacity, modes, refusals
from matching.models import FlashToOngoingPolicy
from mentoring import when
from mentoring.models import Program, User


class Meeting(Protocol):
    """What the decision reads of a flash meeting. ``flash_meetings.models.FlashMeeting``
    is one; that app sits above this one, so the rule names only what it needs."""

    program_id: int
    mentor_id: int
    mentee_id: int
    program: Program  # with its ``matching_settings``
    mentor: User
    follow_up_choice: str

    def is_over(self, now: datetime | None = None) -> bool: ...


class Reason(models.TextChoices):
    FEATURE_OFF = "feature_off", gettext_lazy("The program has the feature off")
    MEETING_NOT_OVER = "meeting_not_over", gettext_lazy("The meeting is not over or was not held")
    ALREADY_ANSWERED = "already_answered", gettext_lazy("The follow-up was already answered")
    MENTOR_ONE_TIME_ONLY = "mentor_one_time_only", gettext_lazy("The mentor offers one-time only")
    MENTOR_DECLINED = (
        "mentor_declined",
        gettext_lazy("The mentor declined the mentee's request within the cool-off"),
    )
    MENTOR_PAUSED = "mentor_paused", gettext_lazy("The mentor has paused new mentees")
    MENTOR_FULL = "mentor_full", gettext_lazy("The mentor has no free slot")
    ALREADY_CONNECTED = "already_connected", gettext_lazy("They are already connected")
    REQUEST_PENDING = "request_pending", gettext_lazy("A request is already pending")
    MENTEE_AT_LIMIT = "mentee_at_limit", gettext_lazy("The mentee is at their own limit")


@dataclass(frozen=True)
class OfferDecision:
    offered: bool
    reason: Reason | None
    policy: str  # the program's FlashToOngoingPolicy value (meaningful when offered)
    mentor_name: str
    detail: str = ""  # extra facts for the admin readout, e.g. "3 of 3 slots used"
    paused_until: date | None = None  # with MENTOR_PAUSED: the mentor's date

    @property
    def is_forced_connection(self) -> bool:
        return self.policy == FlashToOngoingPolicy.FORCED_CONNECTION

    @property
    def mentee_message(self) -> str:
        """The one plain sentence the mentee reads; empty when offered, when the program
        simply has the feature off, and where the page says it another way."""
        name = self.mentor_name
        if self.reason == Reason.MENTOR_DECLINED:  # the same words as the Connect button's
            return refusals.mentor_declined_message(mentor_name=name)
        if self.reason == Reason.MENTOR_PAUSED:  # the same words as the Connect button's
            return refusals.mentor_paused_message(mentor_name=name, paused_until=self.paused_until)
        messages = {
            Reason.MENTOR_ONE_TIME_ONLY: _("%(mentor)s offers one-time meetings only."),
            Reason.MENTOR_FULL: _("%(mentor)s isn't taking on new ongoing mentees right now."),
            Reason.ALREADY_CONNECTED: _(
                "You are already in an ongoing mentoring connection with %(mentor)s."
            ),
            Reason.REQUEST_PENDING: _("You already have a pending request to %(mentor)s."),
            Reason.MENTEE_AT_LIMIT: _(
                "You have reached the number of ongoing mentors or pending requests this "
                "program allows, so you can't add %(mentor)s right now."
            ),
        }
        template = messages.get(self.reason) if self.reason else None
        return template % {"mentor": name} if template else ""

    @property
    def admin_message(self) -> str:
        """For the admin's "Why was no offer shown?" readout."""
        if self.offered:
            return _("Offer shown: %(policy)s.") % {
                "policy": FlashToOngoingPolicy(self.policy).label
            }
        text = f"{self.reason.label} ({self.reason.value})." if self.reason else ""
        return f"{text} {self.detail}".strip()


def for_meeting(
    *,
    meeting: Meeting,
    viewer: User | None = None,
    now: datetime | None = None,
    terms: tuple[capacity.MentorTerms | None, capacity.PairCounts] | None = None,
) -> OfferDecision:
    """The offer decision for ``meeting``'s mentee (``viewer`` is accepted for symmetry
    with the pages that ask; the decision is always about the meeting's mentee).

    Costs one query (the mentor's terms and the pair's counts) beyond the meeting with
    its program and matching settings, none when an early check fails, and none when
    the caller read ``terms`` with the meeting (``capacity.mentor_terms_sql``).
    """
    settings = meeting.program.matching_settings
    mentor_name = meeting.mentor.name

    def refuse(reason: Reason, detail: str = "", paused_until: date | None = None) -> OfferDecision:
        return OfferDecision(
            offered=False,
            reason=reason,
            policy=settings.flash_to_ongoing_policy,
            mentor_name=mentor_name,
            detail=detail,
            paused_until=paused_until,
        )

    if not meeting.program.active or not modes.flash_to_ongoing_in_effect(settings):
        detail = (
            modes.flash_to_ongoing_unavailable_reason(settings)
            if settings.flash_to_ongoing_enabled
            else _("Switch it on under Matching settings → One-time Mentoring Settings.")
        )
        return refuse(Reason.FEATURE_OFF, detail)
    now = now or timezone.now()
    if not meeting.is_over(now):
        return refuse(Reason.MEETING_NOT_OVER)
    if meeting.follow_up_choice:
        return refuse(Reason.ALREADY_ANSWERED)

    mentor_membership, counts = terms or capacity.mentor_terms_and_pair_counts(
        program_id=meeting.program_id, mentor_id=meeting.mentor_id, mentee_id=meeting.mentee_id
    )
    if mentor_membership is not None:
        offered = modes.mentor_modes_offered(settings=settings, mentor=mentor_membership)
        if settings.mentors_choose_modes and not offered.ongoing:
            return refuse(Reason.MENTOR_ONE_TIME_ONLY)
    if capacity.declined_within_cooldown(
        last_declined_at=counts.pair_last_declined_at,
        cooldown_days=settings.decline_cooldown_days,
        now=now,
    ):
        return refuse(
            Reason.MENTOR_DECLINED,
            _declined_detail(counts.pair_last_declined_at, settings.decline_cooldown_days),
        )
    if mentor_membership is None or not mentor_membership.active:
        return refuse(Reason.MENTOR_FULL, _("The mentor's membership is not active."))
    if capacity.mentor_paused(paused_until=mentor_membership.paused_until, now=now):
        paused_until = mentor_membership.paused_until
        return refuse(
            Reason.MENTOR_PAUSED,
            _("Not taking new mentees until %(date)s (taking them again from that day, UTC).")
            % {"date": when.day(paused_until)},
            paused_until=paused_until,
        )
    limit = capacity.mentor_limit(
        max_ongoing_mentees=mentor_membership.max_ongoing_mentees,
        default_max_ongoing_mentees=settings.default_max_ongoing_mentees,
    )
    if not capacity.mentor_has_free_slot(slots_used=counts.mentor_slots_used, limit=limit):
        return refuse(
            Reason.MENTOR_FULL,
            _("%(used)s of %(limit)s slots used (active connections and pending requests).")
            % {"used": counts.mentor_slots_used, "limit": limit},
        )
    if counts.pair_active:
        return refuse(Reason.ALREADY_CONNECTED)
    if counts.pair_pending:
        return refuse(Reason.REQUEST_PENDING)
    if settings.flash_to_ongoing_policy == FlashToOngoingPolicy.FORCED_CONNECTION:
        mentee_decision = capacity.mentee_may_connect(
            active_connections=counts.mentee_active,
            limit=settings.max_ongoing_mentors_per_mentee,
        )
    else:
        mentee_decision = capacity.mentee_may_request(
            active_connections=counts.mentee_active,
            connection_limit=settings.max_ongoing_mentors_per_mentee,
            pending_requests=counts.mentee_pending,
            pending_limit=settings.max_pending_requests_per_mentee,
        )
    if not mentee_decision:
        return refuse(
            Reason.MENTEE_AT_LIMIT,
            _(
                "Mentee has %(active)s active connection(s) (limit %(active_limit)s) and "
                "%(pending)s pending request(s) (limit %(pending_limit)s)."
            )
            % {
                "active": counts.mentee_active,
                "active_limit": settings.max_ongoing_mentors_per_mentee,
                "pending": counts.mentee_pending,
                "pending_limit": settings.max_pending_requests_per_mentee,
            },
        )
    return OfferDecision(
        offered=True,
        reason=None,
        policy=settings.flash_to_ongoing_policy,
        mentor_name=mentor_name,
    )


def _declined_detail(declined_at: datetime, cooldown_days: int) -> str:
    """For the admin: when the mentor declined, and how long the cool-off lasts."""
    day = when.day  # the one date format (mentoring.when), in the active zone
    return ngettext(
        "Declined on %(date)s; the program's cool-off is %(days)d day (until %(until)s).",
        "Declined on %(date)s; the program's cool-off is %(days)d days (until %(until)s).",
        cooldown_days,
    ) % {
        "date": day(declined_at),
        "days": cooldown_days,
        "until": day(declined_at + timedelta(days=cooldown_days)),
    }
