"""The columns of the admin's flash-meeting export (CSV, XLSX), with the post-meeting
follow-up's outcome; and the flash-to-ongoing report as a table. Both leave through
``mentoring.exports`` like every export."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from flash_meetings.follow_up_report import FollowUpReport, policy_label, reason_label
from flash_meetings.models import FlashMeeting
from mentoring.exports import ExportResource


class FlashMeetingExportResource(ExportResource):
    title = _("Flash meetings")
    select_related = ("program", "mentor", "mentee")

    id = Field(attribute="pk", column_name=_("Meeting"))
    program = Field(attribute="program__name", column_name=_("Program"))
    mentor = Field(attribute="mentor", column_name=_("Mentor"))
    mentee = Field(attribute="mentee", column_name=_("Mentee"))
    topic = Field(attribute="topic", column_name=_("Topic"))
    status = Field(attribute="get_status_display", column_name=_("Status"))
    starts_at = Field(attribute="starts_at", column_name=_("Starts at"))
    ends_at = Field(attribute="ends_at", column_name=_("Ends at"))
    created_at = Field(attribute="created_at", column_name=_("Requested at"))
    connection = Field(attribute="connection_id", column_name=_("Within connection"))
    follow_up_outcome = Field(column_name=_("Follow-up outcome"))
    offer_shown = Field(
        attribute="follow_up_offer_shown", column_name=_("Ongoing mentoring offered")
    )
    offer_reason = Field(column_name=_("Why no offer was shown"))
    policy = Field(column_name=_("Policy in force"))
    answered_at = Field(attribute="follow_up_answered_at", column_name=_("Follow-up answered at"))

    def dehydrate_follow_up_outcome(self, meeting: FlashMeeting) -> str:
        """What the mentee chose on the follow-up page, or that there is no answer yet."""
        if meeting.follow_up_choice in FlashMeeting.FollowUpChoice.values:
            return str(FlashMeeting.FollowUpChoice(meeting.follow_up_choice).label)
        if meeting.connection_id is not None:
            return gettext("No follow-up (a meeting within a connection)")
        return gettext("Not answered yet")

    def dehydrate_offer_reason(self, meeting: FlashMeeting) -> str:
        return (
            reason_label(meeting.follow_up_offer_reason) if meeting.follow_up_offer_reason else ""
        )

    def dehydrate_policy(self, meeting: FlashMeeting) -> str:
        return policy_label(meeting.follow_up_policy) if meeting.follow_up_policy else ""


def follow_up_report_dataset(report: FollowUpReport) -> tablib.Dataset:
    """The report page's figures, one per row (figure, code, value), then the offers not
    shown by reason."""
    rate = (
        round(report.connections_made / report.meetings_over * 100)  # as the page rounds
        if report.meetings_over
        else None
    )
    dataset = tablib.Dataset(headers=[gettext("Figure"), gettext("Code"), gettext("Value")])
    dataset.title = gettext("Flash-to-ongoing report")
    rows = [
        (gettext("Program"), "", report.program.name),
        (gettext("Meetings over"), "", report.meetings_over),
        (gettext("Follow-ups answered"), "", report.follow_ups_answered),
        (gettext("Offers shown"), "", report.offers_shown),
        (gettext("Forced connections"), "", report.forced_connections),
        (gettext("Requests sent"), "", report.requests_sent),
        (gettext("Requests accepted"), "", report.requests_accepted),
        (gettext("Connections made"), "", report.connections_made),
        (gettext("Flash-to-ongoing conversion rate (%)"), "", rate),
    ]
    rows += [
        (gettext("Offers not shown: %(reason)s") % {"reason": label}, code, count)
        for code, label, count in report.offers_not_shown
    ]
    for row in rows:
        dataset.append(row)
    return dataset
