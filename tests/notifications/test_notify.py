"""notify(): the outbox row is written with the caller's change and sent after commit."""

import threading
from unittest import mock

import pytest
from django.db import connection, transaction

from notifications.models import Notification
from notifications.registry import NotificationKindError
from notifications.services import notify
from notifications.tasks import deliver_notification
from tests.factories import UserFactory
from tests.notifications.conftest import needs_postgresql

pytestmark = pytest.mark.django_db


def _notify(recipient, program, key="greeting:1", **overrides):
    return notify(
        kind=overrides.pop("kind", "test_message"),
        recipient=recipient,
        program=program,
        context=overrides.pop("context", {"message": "Hello"}),
        dedupe_key=key,
        **overrides,
    )


class Boom(Exception):
    pass


def test_rolled_back_transaction_leaves_no_row_and_no_task(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(deliver_notification, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        _notify(recipient, notif_program)
        raise Boom
    assert callbacks == []
    assert not Notification.objects.exists()
    apply_async.assert_not_called()


def test_commit_enqueues_exactly_one_task(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(deliver_notification, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),  # the caller's transaction
    ):
        notification = _notify(recipient, notif_program)
    assert len(callbacks) == 1
    apply_async.assert_called_once_with((notification.pk,), retry=False)
    row = Notification.objects.get()
    assert row.status == Notification.Status.PENDING
    assert (row.kind, row.to_email, row.program) == (
        "test_message",
        "ada@example.org",
        notif_program,
    )


def test_nothing_is_enqueued_before_commit(recipient, notif_program):
    with mock.patch.object(deliver_notification, "apply_async") as apply_async:
        _notify(recipient, notif_program)  # the test's transaction never commits
    apply_async.assert_not_called()


def test_same_dedupe_key_twice_makes_one_row_and_one_task(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(deliver_notification, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        first = _notify(recipient, notif_program, context={"message": "first"})
        second = _notify(recipient, notif_program, context={"message": "second"})
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert Notification.objects.get().context == {"message": "first"}
    assert len(callbacks) == 1
    assert apply_async.call_count == 1


def test_eager_delivery_sends_text_html_and_attachment(
    recipient, notif_program, mailoutbox, django_capture_on_commit_callbacks
):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(
            recipient,
            notif_program,
            context={"message": "Tom & Jerry <3"},
            attachments=[{"filename": "invite.ics", "content": ics, "mimetype": "text/calendar"}],
        )
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["ada@example.org"]
    assert email.subject == "Test email from Women in Tech 2026"
    assert "Tom & Jerry <3" in email.body  # the text part is not HTML-escaped
    assert "Women in Tech 2026" in email.body
    assert "You received this email because" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Tom &amp; Jerry &lt;3" in html
    assert "Women in Tech 2026" in html
    assert 'href="http://testserver/"' in html  # links use SITE_URL
    assert email.attachments[0][0] == "invite.ics"
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Notification.Status.SENT, 1)
    assert row.sent_at is not None


def test_unknown_kind_is_a_programming_error(recipient, notif_program):
    with pytest.raises(NotificationKindError, match="Unknown notification kind"):
        _notify(recipient, notif_program, kind="no_such_kind")
    assert not Notification.objects.exists()


def test_missing_required_context_is_a_programming_error(recipient, notif_program):
    with pytest.raises(NotificationKindError, match="message"):
        _notify(recipient, notif_program, context={})


def test_context_must_be_json(recipient, notif_program):
    with pytest.raises(NotificationKindError, match="JSON"):
        _notify(recipient, notif_program, context={"message": recipient})


def test_context_cannot_shadow_what_templates_get_automatically(recipient, notif_program):
    with pytest.raises(NotificationKindError, match="reserved"):
        _notify(recipient, notif_program, context={"message": "x", "site_url": "http://evil"})


def test_attachments_must_be_filename_and_text(recipient, notif_program):
    with pytest.raises(NotificationKindError):
        _notify(recipient, notif_program, attachments=[{"filename": "x.ics"}])


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_notify_with_one_dedupe_key_makes_one_row(notif_program):
    recipient = UserFactory()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(_notify(recipient, notif_program, key="race:1").pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    with mock.patch.object(deliver_notification, "apply_async") as apply_async:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert apply_async.call_count == 1  # only the winner enqueues
    assert len(set(results)) == 1
    assert Notification.objects.filter(dedupe_key="race:1").count() == 1
