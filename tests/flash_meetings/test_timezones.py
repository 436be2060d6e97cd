"""Times are stored in UTC and shown in each viewer's own zone, across DST changes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from tests.flash_meetings.factories import FlashMeetingFactory

pytestmark = pytest.mark.django_db


def test_a_meeting_across_a_dst_change_shows_the_right_local_time_in_two_zones(
    client, program, mentor, mentee
):
    # Next year the US clocks change on the second Sunday of March, the UK's on the last
    # one (after the 23rd); in between New York is only 4 hours behind London.
    mentor.time_zone = "Europe/London"
    mentor.save()
    mentee.time_zone = "America/New_York"
    mentee.save()
    year = datetime.now(UTC).year + 1
    uk_change = max(
        datetime(year, 3, day, tzinfo=UTC)
        for day in range(25, 32)
        if datetime(year, 3, day).weekday() == 6  # noqa: DTZ001
    )
    before = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic="Before",
        starts_at=(uk_change - timedelta(days=6)).replace(hour=9),  # 09:00 GMT, 05:00 EDT
        ends_at=(uk_change - timedelta(days=6)).replace(hour=9, minute=30),
    )
    after = FlashMeetingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        topic="After",
        starts_at=(uk_change + timedelta(days=1)).replace(hour=8),  # 09:00 BST, 04:00 EDT
        ends_at=(uk_change + timedelta(days=1)).replace(hour=8, minute=30),
    )
    assert after.starts_at - before.starts_at == timedelta(days=7) - timedelta(hours=1)

    client.force_login(mentor)
    html = client.get(reverse("flash_meetings:detail", args=[before.pk])).content.decode()
    assert "09:00–09:30 (London time)" in html
    html = client.get(reverse("flash_meetings:detail", args=[after.pk])).content.decode()
    assert "09:00–09:30 (London time)" in html

    client.force_login(mentee)
    html = client.get(reverse("flash_meetings:detail", args=[before.pk])).content.decode()
    assert "05:00–05:30 (New York time)" in html
    html = client.get(reverse("flash_meetings:detail", args=[after.pk])).content.decode()
    assert "04:00–04:30 (New York time)" in html
    # The zone is named as people say it, once per time, never as its raw IANA key.
    assert "America/New_York" not in html
