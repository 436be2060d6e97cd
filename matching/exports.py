"""The columns of the admin's connection and connection-request exports (CSV, XLSX),
written through ``mentoring.exports`` like every export."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from mentoring.exports import ExportResource


class ConnectionExportResource(ExportResource):
    title = _("Connections")
    select_related = ("program", "mentor", "mentee", "ended_by")

    id = Field(attribute="pk", column_name=_("Connection"))
    program = Field(attribute="program__name", column_name=_("Program"))
    mentor = Field(attribute="mentor", column_name=_("Mentor"))
    mentee = Field(attribute="mentee", column_name=_("Mentee"))
    status = Field(attribute="get_status_display", column_name=_("Status"))
    origin = Field(attribute="get_origin_display", column_name=_("Began with"))
    flash_meeting = Field(attribute="flash_meeting_id", column_name=_("Flash meeting"))
    request = Field(attribute="request_id", column_name=_("Connection request"))
    started_at = Field(attribute="started_at", column_name=_("Started at"))
    ends_on = Field(attribute="ends_on", column_name=_("Ends on"))
    check_in_on = Field(attribute="check_in_on", column_name=_("Check-in from"))
    ended_at = Field(attribute="ended_at", column_name=_("Ended at"))
    ended_by = Field(attribute="ended_by", column_name=_("Ended by"))
    end_cause = Field(attribute="get_end_cause_display", column_name=_("How it ended"))
    end_reason = Field(attribute="end_reason", column_name=_("Reason for ending"))


class ConnectionRequestExportResource(ExportResource):
    title = _("Connection requests")
    select_related = ("program", "mentor", "mentee")

    id = Field(attribute="pk", column_name=_("Connection request"))
    program = Field(attribute="program__name", column_name=_("Program"))
    mentee = Field(attribute="mentee", column_name=_("Mentee"))
    mentor = Field(attribute="mentor", column_name=_("Mentor"))
    status = Field(attribute="get_status_display", column_name=_("Status"))
    origin = Field(attribute="get_origin_display", column_name=_("Sent from"))
    flash_meeting = Field(attribute="flash_meeting_id", column_name=_("Flash meeting"))
    message = Field(attribute="message", column_name=_("Message"))
    created_at = Field(attribute="created_at", column_name=_("Sent at"))
    responded_at = Field(attribute="responded_at", column_name=_("Answered at"))
    decline_reason = Field(
        attribute="get_decline_reason_display", column_name=_("Reason for declining")
    )
    decline_note = Field(attribute="decline_note", column_name=_("Note on declining"))
    close_reason = Field(attribute="get_close_reason_display", column_name=_("Reason for closing"))
