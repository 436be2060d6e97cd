import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

Status = Notification.Status
CHANGELIST = "admin:notifications_notification_changelist"


def _changelist_queries(admin_client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    return len(captured)


def test_changelist_shows_status_kind_recipient_program_attempts_and_error(admin_client):
    NotificationFactory(
        status=Status.FAILED,
        attempts=3,
        last_error="SMTPRecipientsRefused: 550 No such user",
        recipient__username="grace",
        program__name="Night School",
    )
    response = admin_client.get(reverse(CHANGELIST))
    content = response.content.decode()
    for text in ("Failed", "test_message", "grace", "Night School", "550 No such user"):
        assert text in content
    assert "Send again" in content  # the action


def test_changelist_costs_the_same_for_5_and_50_rows(admin_client, django_assert_num_queries):
    NotificationFactory.create_batch(5)
    with_5 = _changelist_queries(admin_client)
    NotificationFactory.create_batch(45)
    with_50 = _changelist_queries(admin_client)
    assert with_5 == with_50
    with django_assert_num_queries(with_5):
        admin_client.get(reverse(CHANGELIST))


def test_changelist_filters_by_status_and_searches_addresses(admin_client):
    NotificationFactory(status=Status.FAILED, to_email="lost@example.org")
    NotificationFactory(
        status=Status.SENT, to_email="found@example.org", sent_at="2026-01-01T00:00Z"
    )
    failed = admin_client.get(reverse(CHANGELIST), {"status__exact": "failed"}).content.decode()
    assert "lost@example.org" in failed and "found@example.org" not in failed
    found = admin_client.get(reverse(CHANGELIST), {"q": "found@"}).content.decode()
    assert "found@example.org" in found and "lost@example.org" not in found


def test_detail_page_is_read_only_and_shows_the_rendered_email(admin_client):
    notification = NotificationFactory(context={"message": "Rendered for the admin"})
    url = reverse("admin:notifications_notification_change", args=[notification.pk])
    response = admin_client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Test email from" in content  # rendered subject
    assert "Rendered for the admin" in content  # rendered text
    assert 'name="kind"' not in content  # nothing to edit
    assert admin_client.post(url, {"kind": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_detail_page_of_an_unrenderable_row_explains_instead_of_crashing(admin_client):
    notification = NotificationFactory(kind="kind_that_was_removed")
    url = reverse("admin:notifications_notification_change", args=[notification.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Cannot render" in response.content.decode()


def test_send_again_requeues_failed_rows_and_skips_the_others(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    failed = NotificationFactory(status=Status.FAILED, attempts=5, last_error="550 gone")
    sent = NotificationFactory(status=Status.SENT, sent_at="2026-01-01T00:00Z", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(CHANGELIST),
            {"action": "send_again", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    content = response.content.decode()
    assert "1 notification was queued to be sent again." in content
    assert "1 notification was skipped because it had not failed." in content
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [failed.to_email]
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_staff_without_change_permission_cannot_send_again(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(staff)
    failed = NotificationFactory(status=Status.FAILED)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "Send again" not in response.content.decode()
    client.post(reverse(CHANGELIST), {"action": "send_again", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
