import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import FlashToOngoingPolicy, MatchingSettings, MatchingSettingsChange
from tests.admin_scoping.forms import admin_form_data
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

FORCED_LABEL = (
    "Connect them if mentee wants to connect again with mentor for ongoing mentoring connection"
)
REQUEST_LABEL = (
    "Send a mentoring request to mentor if mentee looks to connect again for an ongoing "
    "mentoring connection"
)


def settings_url(matching_settings: MatchingSettings) -> str:
    return reverse("admin:matching_matchingsettings_change", args=[matching_settings.pk])


def _blank(value) -> object:
    return "" if value is None else value


def post_data(matching_settings: MatchingSettings, **overrides) -> dict:
    """The change form as the browser would post it for the stored values."""
    data = {
        "ongoing_enabled": matching_settings.ongoing_enabled,
        "one_time_enabled": matching_settings.one_time_enabled,
        "preferred_mentoring_enabled": matching_settings.preferred_mentoring_enabled,
        "mentors_choose_modes": matching_settings.mentors_choose_modes,
        "default_max_ongoing_mentees": matching_settings.default_max_ongoing_mentees,
        "max_ongoing_mentors_per_mentee": matching_settings.max_ongoing_mentors_per_mentee,
        "max_pending_requests_per_mentee": matching_settings.max_pending_requests_per_mentee,
        "request_expiry_days": matching_settings.request_expiry_days or "",
        "decline_cooldown_days": matching_settings.decline_cooldown_days,
        "connection_duration_days": _blank(matching_settings.connection_duration_days),
        "connection_end_reminder_days": matching_settings.connection_end_reminder_days,
        "connection_extension_days": _blank(matching_settings.connection_extension_days),
        "connection_check_in_enabled": matching_settings.connection_check_in_enabled,
        "connection_closing_survey_enabled": (matching_settings.connection_closing_survey_enabled),
        "inactivity_nudge_days": matching_settings.inactivity_nudge_days,
        "meeting_length_minutes": matching_settings.meeting_length_minutes,
        "min_booking_notice_hours": matching_settings.min_booking_notice_hours,
        "max_pending_meeting_requests_per_mentee": (
            matching_settings.max_pending_meeting_requests_per_mentee
        ),
        "meeting_request_expiry_days": matching_settings.meeting_request_expiry_days,
        "mentor_max_ongoing_mentees": _blank(matching_settings.mentor_max_ongoing_mentees),
        "mentor_max_flash_meetings_per_month": _blank(
            matching_settings.mentor_max_flash_meetings_per_month
        ),
        "flash_to_ongoing_enabled": matching_settings.flash_to_ongoing_enabled,
        "flash_to_ongoing_policy": matching_settings.flash_to_ongoing_policy,
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
        "changes-MIN_NUM_FORMS": "0",
        "changes-MAX_NUM_FORMS": "1000",
        "_continue": "1",
    }
    data.update(overrides)
    # Unchecked checkboxes are simply absent from a browser's POST.
    return {key: value for key, value in data.items() if value is not False}


def test_every_admin_page_renders_for_a_superuser(admin_client, program):
    MembershipFactory(program=program)
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert admin_client.get(changelist).status_code == 200, changelist
        if model_admin.has_add_permission(admin_client.request().wsgi_request):
            add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
            assert admin_client.get(add).status_code == 200, add
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert admin_client.get(change).status_code == 200, change


def test_a_programs_page_costs_the_same_for_2_members_and_12(admin_client, program):
    """A saved member's row names its person (read with the rows) instead of a search box
    that looked the person up; a new row still searches for one."""
    url = reverse("admin:mentoring_program_change", args=[program.pk])

    def queries_with(members: int) -> tuple[int, str]:
        while program.memberships.count() < members:
            MembershipFactory(program=program)
        admin_client.get(url)  # one-off reads of a first visit
        with CaptureQueriesContext(connection) as captured:
            page = admin_client.get(url).content.decode()
        return len(captured), page

    (two, _), (twelve, page) = queries_with(2), queries_with(12)
    assert twelve == two
    for membership in program.memberships.select_related("user"):
        named = rf'<td class="field-user">\s*{re.escape(str(membership.user))}\s*</td>'
        assert re.search(named, page), membership.user
    assert page.count('name="memberships-__prefix__-user"') == 1  # the empty row's search


def test_the_programs_page_adds_a_member_and_switches_one_off(admin_client, program):
    """As a browser sends the page: saved rows carry no person (it is named, not chosen),
    so nobody's membership changes hands; the new row's person is chosen."""
    kept = MembershipFactory(program=program)
    person = kept.user_id
    newcomer = UserFactory(display_name="New Person")
    url = reverse("admin:mentoring_program_change", args=[program.pk])
    data = admin_form_data(admin_client.get(url).content.decode(), "program")
    assert "memberships-0-user" not in data
    data |= {
        "memberships-0-active": [],
        "memberships-TOTAL_FORMS": ["2"],
        "memberships-1-user": [str(newcomer.pk)],
        "memberships-1-role": ["mentee"],
        "memberships-1-active": ["on"],
    }
    response = admin_client.post(url, {k: v for k, v in data.items() if v})
    assert response.status_code == 302, response.content.decode()[:2000]
    kept.refresh_from_db()
    assert (kept.user_id, kept.active) == (person, False)
    assert program.memberships.get(user=newcomer).role == "mentee"


def test_program_list_links_to_its_matching_settings(admin_client, program):
    response = admin_client.get(reverse("admin:mentoring_program_changelist"))
    link = reverse("admin:matching_matchingsettings_program", args=[program.pk])
    assert f'href="{link}"' in response.content.decode()
    followed = admin_client.get(link)
    assert followed.status_code == 302
    assert followed["Location"] == settings_url(program.matching_settings)


def test_settings_of_an_unknown_program_are_a_404(admin_client):
    response = admin_client.get(reverse("admin:matching_matchingsettings_program", args=[999999]))
    assert response.status_code == 404


def test_settings_page_groups_settings_and_offers_both_policies_as_radio_buttons(
    admin_client, matching_settings
):
    html = admin_client.get(settings_url(matching_settings)).content.decode()
    for heading in ("Mentoring modes", "Ongoing mentoring", "One-time Mentoring Settings"):
        assert heading in html
    assert FORCED_LABEL in html and REQUEST_LABEL in html
    assert html.count('type="radio" name="flash_to_ongoing_policy"') == 2


def test_unavailable_feature_shows_how_to_make_it_available(admin_client, matching_settings):
    matching_settings.preferred_mentoring_enabled = True
    matching_settings.save()
    html = admin_client.get(settings_url(matching_settings)).content.decode()
    assert "turn off Preferred Mentoring" in html
    assert FORCED_LABEL not in html
    assert 'type="radio" name="flash_to_ongoing_policy"' not in html


def test_switching_on_when_unavailable_is_refused_even_by_a_crafted_post(
    admin_client, matching_settings
):
    matching_settings.one_time_enabled = False
    matching_settings.save()
    response = admin_client.post(
        settings_url(matching_settings),
        post_data(matching_settings, flash_to_ongoing_enabled="on"),
    )
    assert response.status_code == 200
    assert "can&#x27;t be switched on yet" in response.content.decode()
    assert "turn on one-time mentoring" in response.content.decode()
    matching_settings.refresh_from_db()
    assert matching_settings.flash_to_ongoing_enabled is False


def test_switching_on_together_with_making_it_available_is_accepted(
    admin_client, matching_settings
):
    matching_settings.preferred_mentoring_enabled = True
    matching_settings.save()
    response = admin_client.post(
        settings_url(matching_settings),
        post_data(
            matching_settings,
            preferred_mentoring_enabled=False,
            flash_to_ongoing_enabled="on",
            flash_to_ongoing_policy=FlashToOngoingPolicy.FORCED_CONNECTION,
        ),
    )
    assert response.status_code == 302
    matching_settings.refresh_from_db()
    assert matching_settings.flash_to_ongoing_enabled is True
    assert matching_settings.flash_to_ongoing_policy == FlashToOngoingPolicy.FORCED_CONNECTION


def test_making_it_unavailable_while_on_keeps_the_switch_and_warns(admin_client, matching_settings):
    matching_settings.flash_to_ongoing_enabled = True
    matching_settings.save()
    response = admin_client.post(
        settings_url(matching_settings),
        post_data(matching_settings, preferred_mentoring_enabled="on"),
        follow=True,
    )
    matching_settings.refresh_from_db()
    assert matching_settings.preferred_mentoring_enabled is True
    assert matching_settings.flash_to_ongoing_enabled is True  # kept, not silently dropped
    assert "switched on but not in effect" in response.content.decode()


def test_changes_are_recorded_with_who_when_and_what(admin_client, superuser, matching_settings):
    admin_client.post(
        settings_url(matching_settings),
        post_data(matching_settings, default_max_ongoing_mentees=2, flash_to_ongoing_enabled="on"),
    )
    change = MatchingSettingsChange.objects.get()
    assert change.changed_by == superuser
    assert change.changes["default_max_ongoing_mentees"]["old"] == "5"
    assert change.changes["default_max_ongoing_mentees"]["new"] == "2"
    assert change.changes["flash_to_ongoing_enabled"]["new"] == "on"
    html = admin_client.get(settings_url(matching_settings)).content.decode()
    assert "Change history" in html
    assert "default maximum ongoing mentees per mentor: 5 → 2" in html


def test_the_decline_cool_off_is_an_ongoing_setting_and_its_changes_are_recorded(
    admin_client, superuser, matching_settings
):
    url = settings_url(matching_settings)
    html = admin_client.get(url).content.decode()
    ongoing = html.split("Ongoing mentoring</h2>")[1].split("</fieldset>")[0]
    assert 'name="decline_cooldown_days"' in ongoing and 'value="90"' in ongoing
    assert "cool-off after a mentor declines (days)" in ongoing.lower()
    assert "0 turns this off" in ongoing

    admin_client.post(url, post_data(matching_settings, decline_cooldown_days=0))

    matching_settings.refresh_from_db()
    assert matching_settings.decline_cooldown_days == 0
    change = MatchingSettingsChange.objects.get()
    assert change.changed_by == superuser
    assert change.changes["decline_cooldown_days"] == {
        "label": "cool-off after a mentor declines (days)",
        "old": "90",
        "new": "0",
    }
    html = admin_client.get(url).content.decode()
    assert "cool-off after a mentor declines (days): 90 → 0" in html


def test_how_long_connections_run_is_an_ongoing_setting_and_its_changes_are_recorded(
    admin_client, superuser, matching_settings
):
    url = settings_url(matching_settings)
    html = admin_client.get(url).content.decode()
    ongoing = html.split("Ongoing mentoring</h2>")[1].split("</fieldset>")[0]
    for name in (
        "connection_duration_days",
        "connection_end_reminder_days",
        "connection_extension_days",
    ):
        assert f'name="{name}"' in ongoing
    assert "Blank: connections are open-ended." in ongoing
    assert "Blank: connections cannot be extended." in ongoing

    admin_client.post(
        url,
        post_data(matching_settings, connection_duration_days=180, connection_extension_days=60),
    )

    matching_settings.refresh_from_db()
    assert (
        matching_settings.connection_duration_days,
        matching_settings.connection_extension_days,
    ) == (
        180,
        60,
    )
    change = MatchingSettingsChange.objects.get()
    assert change.changed_by == superuser
    assert change.changes["connection_duration_days"] == {
        "label": "connections last (days)",
        "old": "—",
        "new": "180",
    }
    assert change.changes["connection_extension_days"]["new"] == "60"


def test_the_quiet_connection_threshold_is_an_ongoing_setting_and_its_changes_are_recorded(
    admin_client, superuser, matching_settings
):
    url = settings_url(matching_settings)
    html = admin_client.get(url).content.decode()
    ongoing = html.split("Ongoing mentoring</h2>")[1].split("</fieldset>")[0]
    assert 'name="inactivity_nudge_days"' in ongoing and 'value="30"' in ongoing
    assert "No activity in the last N days" in ongoing

    response = admin_client.post(url, post_data(matching_settings, inactivity_nudge_days=0))
    assert response.status_code == 200  # refused: at least a day
    admin_client.post(url, post_data(matching_settings, inactivity_nudge_days=45))

    matching_settings.refresh_from_db()
    assert matching_settings.inactivity_nudge_days == 45
    change = MatchingSettingsChange.objects.get()
    assert change.changed_by == superuser
    assert change.changes["inactivity_nudge_days"] == {
        "label": "a connection is quiet after (days)",
        "old": "30",
        "new": "45",
    }


def test_saving_nothing_new_records_nothing(admin_client, matching_settings):
    admin_client.post(settings_url(matching_settings), post_data(matching_settings))
    assert not MatchingSettingsChange.objects.exists()


def test_memberships_filter_and_search(admin_client, program):
    member = MembershipFactory(program=program, user__email="findme@example.org")
    url = reverse("admin:mentoring_membership_changelist")
    response = admin_client.get(url, {"q": "findme", "program__id__exact": program.pk})
    assert member.user.display_name in response.content.decode()
