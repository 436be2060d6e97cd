"""Email preferences (issue 15): which kinds a person may turn off, the unsubscribe link in
every optional email (RFC 8058 one-click and a confirm page), and the outbox recording
what it did not send, and why."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from email import message_from_bytes, policy
from html import unescape

import pytest
from django.core import mail, signing
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications import services, tokens
from notifications.errors import KindNotOptional
from notifications.models import EmailOptOut, Notification
from notifications.registry import all_kinds, get_kind
from notifications.services import notification_resend, notify
from notifications.tasks import deliver_notification, sweep_due_ids
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory, aged_unsubscribe_token

pytestmark = pytest.mark.django_db

Status = Notification.Status
OPTIONAL = {
    "connection_end_reminder",
    "connection_survey_invitation",
    "connection_survey_reminder",
    "connection_request_reminder",
    "flash_meeting_follow_up",
    "flash_meeting_reminder",
    "survey_invitation_mentor",
    "survey_reminder",
}
REMINDER = "flash_meeting_reminder"  # an optional kind
MANDATORY = "flash_meeting_cancelled"  # a meeting change: always sent
PREFERENCES = reverse("notifications:preferences")


def _send(kind: str, recipient, program, key: str, capture) -> Notification:
    """notify() in the caller's transaction, then the eager 'worker' on commit."""
    with capture(execute=True), transaction.atomic():
        return notify(
            kind=kind,
            recipient=recipient,
            program=program,
            context=dict(get_kind(kind).sample_context),
            dedupe_key=key,
        )


def _headers(message) -> dict[str, str]:
    """The headers of the message as it goes over the wire (then unfolded: a long
    List-Unsubscribe is folded onto a second line, as RFC 5322 has it)."""
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    return {name: str(value).strip() for name, value in parsed.items()}


def _unsubscribe_path(user, kind: str = REMINDER) -> str:
    return reverse(
        "notifications:unsubscribe", args=[tokens.make_token(user_id=user.pk, kind=kind)]
    )


# --- the registry ------------------------------------------------------------------------------


def test_reminders_invitations_and_the_follow_up_nudge_are_the_optional_kinds():
    assert {kind.name for kind in all_kinds() if kind.optional} == OPTIONAL


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.name)
def test_every_kind_has_a_label_and_every_mandatory_one_says_why(kind):
    assert str(kind.label).strip(), f"{kind.name}: no label for the preferences page"
    if not kind.optional:
        assert str(kind.why_always).strip(), f"{kind.name}: mandatory, but says not why"


# --- notify() and the worker: a turned-off kind is never sent ----------------------------------


def test_a_turned_off_kind_is_recorded_as_suppressed_with_the_reason_and_never_sent(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    services.email_kind_turn_off(user=recipient, kind=REMINDER, via=EmailOptOut.Via.PREFERENCES)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notification = notify(
            kind=REMINDER,
            recipient=recipient,
            program=notif_program,
            context=dict(get_kind(REMINDER).sample_context),
            dedupe_key="reminder:1",
        )
    assert callbacks == []  # never enqueued
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.status == Status.SUPPRESSED
    today = timezone.localdate().strftime("%-d %B %Y")
    assert notification.suppressed_reason == (
        f"Turned off by the recipient on {today}, through the email preferences page."
    )
    # The same key again gives back the suppressed row and sends nothing either.
    assert (
        _send(
            REMINDER, recipient, notif_program, "reminder:1", django_capture_on_commit_callbacks
        ).pk
        == notification.pk
    )
    assert mail.outbox == []


def test_other_kinds_and_other_people_still_get_their_emails(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    services.email_kind_turn_off(user=recipient, kind=REMINDER, via=EmailOptOut.Via.LINK)
    other = UserFactory(email="other@example.org")
    sent = [
        _send("survey_reminder", recipient, notif_program, "a", django_capture_on_commit_callbacks),
        _send(MANDATORY, recipient, notif_program, "b", django_capture_on_commit_callbacks),
        _send(REMINDER, other, notif_program, "c", django_capture_on_commit_callbacks),
    ]
    assert [Notification.objects.get(pk=n.pk).status for n in sent] == [Status.SENT] * 3
    assert len(mail.outbox) == 3


def test_a_row_for_a_mandatory_kind_however_it_got_there_suppresses_nothing(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    EmailOptOut.objects.create(user=recipient, kind=MANDATORY, via=EmailOptOut.Via.LINK)
    notification = _send(
        MANDATORY, recipient, notif_program, "m", django_capture_on_commit_callbacks
    )
    assert Notification.objects.get(pk=notification.pk).status == Status.SENT
    assert len(mail.outbox) == 1


def test_turned_off_after_the_row_was_written_the_worker_does_not_send_it(
    recipient, notif_program, mailoutbox
):
    notification = NotificationFactory(
        kind=REMINDER,
        recipient=recipient,
        program=notif_program,
        context=dict(get_kind(REMINDER).sample_context),
    )
    services.email_kind_turn_off(user=recipient, kind=REMINDER, via=EmailOptOut.Via.ONE_CLICK)
    assert deliver_notification.apply(args=[notification.pk]).get() == "suppressed"
    notification.refresh_from_db()
    assert notification.status == Status.SUPPRESSED
    assert "through their mail program's unsubscribe button" in notification.suppressed_reason
    assert mailoutbox == []


def test_the_sweep_the_claim_and_send_again_leave_suppressed_rows_alone(recipient, mailoutbox):
    long_ago = timezone.now() - timedelta(days=1)
    row = NotificationFactory(
        recipient=recipient,
        status=Status.SUPPRESSED,
        suppressed_reason="Turned off by the recipient.",
        next_attempt_at=long_ago,
        claimed_at=long_ago,
    )
    assert sweep_due_ids() == []
    assert deliver_notification.apply(args=[row.pk]).get() == "skipped"
    assert notification_resend(notification=row) is False
    row.refresh_from_db()
    assert row.status == Status.SUPPRESSED and row.attempts == 0
    assert mailoutbox == []


def test_a_suppressed_row_must_say_why(recipient):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationFactory(recipient=recipient, status=Status.SUPPRESSED, suppressed_reason="")


# --- the email: headers and footers --------------------------------------------------------------


def test_an_optional_email_as_sent_carries_the_one_click_unsubscribe_headers(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    _send(REMINDER, recipient, notif_program, "h", django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    headers = _headers(message)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(
        r"<(http://testserver/notifications/unsubscribe/([^/>]+)/)>", headers["List-Unsubscribe"]
    )
    assert link, headers["List-Unsubscribe"]
    assert tokens.read_token(link.group(2)) == tokens.UnsubscribeTarget(recipient.pk, REMINDER)
    # The footers link to the same place, and to the preferences page.
    html = unescape(message.alternatives[0][0])
    for part in (message.body, html):
        assert link.group(1) in part
        assert "http://testserver/notifications/preferences/" in part
    assert (
        "Choose which emails you get: http://testserver/notifications/preferences/" in message.body
    )
    assert f"Unsubscribe from these emails: {link.group(1)}" in message.body
    assert f'<a href="{link.group(1)}">Unsubscribe from these emails</a>' in html


def test_a_mandatory_email_has_no_unsubscribe_but_links_to_the_preferences(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    _send(MANDATORY, recipient, notif_program, "m", django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    headers = _headers(message)
    assert "List-Unsubscribe" not in headers and "List-Unsubscribe-Post" not in headers
    html = unescape(message.alternatives[0][0])
    assert "Unsubscribe" not in message.body and "Unsubscribe" not in html
    assert (
        "Choose which emails you get: http://testserver/notifications/preferences/" in message.body
    )
    assert (
        '<a href="http://testserver/notifications/preferences/">Choose which emails you get</a>'
        in html
    )


# --- the unsubscribe link ------------------------------------------------------------------------


def test_opening_the_link_asks_first_and_changes_nothing(recipient):
    response = Client().get(_unsubscribe_path(recipient))
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert "Stop these emails?" in body
    assert "A reminder before each flash meeting" in body and recipient.email in body
    assert not EmailOptOut.objects.exists()  # link scanners open links


def test_the_confirm_button_turns_the_kind_off_without_signing_in(recipient):
    client = Client(enforce_csrf_checks=True)
    path = _unsubscribe_path(recipient)
    response = client.post(path, {"from_page": "1"})
    assert response.status_code == 200
    assert "You won't get these emails any more" in unescape(response.content.decode())
    opt_out = EmailOptOut.objects.get()
    assert (opt_out.user, opt_out.kind, opt_out.via) == (recipient, REMINDER, "link")
    # Opening it again says so.
    assert "already off" in client.get(path).content.decode()


def test_the_mail_programs_one_click_post_works_without_cookie_or_csrf_token_and_twice(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)
    path = _unsubscribe_path(recipient)
    for _ in range(2):  # mail programs may retry; the second changes nothing
        response = client.post(
            path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    assert EmailOptOut.objects.get().via == EmailOptOut.Via.ONE_CLICK
    notification = _send(
        REMINDER, recipient, notif_program, "after", django_capture_on_commit_callbacks
    )
    notification.refresh_from_db()
    assert notification.status == Status.SUPPRESSED
    assert "mail program's unsubscribe button" in notification.suppressed_reason
    assert mail.outbox == []


def test_the_link_in_a_sent_email_works(
    recipient, notif_program, django_capture_on_commit_callbacks
):
    _send(REMINDER, recipient, notif_program, "sent", django_capture_on_commit_callbacks)
    link = _headers(mail.outbox[0])["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://testserver")
    assert Client().post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert EmailOptOut.objects.filter(user=recipient, kind=REMINDER).exists()


def test_a_link_older_than_60_days_has_expired(recipient):
    token = aged_unsubscribe_token(user_id=recipient.pk, kind=REMINDER, days=61)
    path = reverse("notifications:unsubscribe", args=[token])
    for response in (Client().get(path), Client().post(path, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 410
        body = unescape(response.content.decode())
        assert "This unsubscribe link has expired" in body
        assert "work for 60 days" in body
        assert f'href="{PREFERENCES}"' in body
    fresh = aged_unsubscribe_token(user_id=recipient.pk, kind=REMINDER, days=59)
    assert Client().get(reverse("notifications:unsubscribe", args=[fresh])).status_code == 200
    assert not EmailOptOut.objects.exists()


def _signed(payload) -> str:
    return signing.TimestampSigner(salt=tokens.SALT).sign_object(payload, compress=False)


def test_tampered_garbage_and_foreign_tokens_are_a_readable_400(recipient):
    good = tokens.make_token(user_id=recipient.pk, kind=REMINDER)
    other_user = UserFactory()
    value, stamp, signature = good.split(":")
    bad = {
        "another person's id with this signature": tokens.make_token(
            user_id=other_user.pk, kind=REMINDER
        ).split(":")[0]
        + f":{stamp}:{signature}",
        "signature changed": f"{value}:{stamp}:{signature[:-2]}xx",
        "cut short": good[:-5],
        "garbage": "not-a-token",
        "signed for another purpose": signing.dumps({"u": recipient.pk, "k": REMINDER}),
        "signed, not a dict": _signed([recipient.pk, REMINDER]),
        "signed, id is text": _signed({"u": str(recipient.pk), "k": REMINDER}),
        "signed, unknown kind": _signed({"u": recipient.pk, "k": "no_such_kind"}),
        "signed, no such person": _signed({"u": 2**62, "k": REMINDER}),
    }
    for label, token in bad.items():
        path = reverse("notifications:unsubscribe", args=[token])
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code == 400, (label, method, response.status_code)
            assert "This unsubscribe link doesn't work" in unescape(response.content.decode())
    assert not EmailOptOut.objects.exists()


def test_a_link_for_a_kind_that_is_mandatory_turns_nothing_off(recipient):
    path = _unsubscribe_path(recipient, kind=MANDATORY)
    response = Client().get(path)
    assert response.status_code == 200
    assert "These emails can't be turned off" in unescape(response.content.decode())
    response = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 409
    assert not EmailOptOut.objects.exists()


# --- the preferences page ------------------------------------------------------------------------


def test_the_page_needs_signing_in(client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_page_shows_every_optional_kind_on_and_says_why_the_others_always_come(
    client, recipient
):
    client.force_login(recipient)
    response = client.get(PREFERENCES)
    assert response.status_code == 200
    body = unescape(response.content.decode())
    for name in OPTIONAL:
        assert re.search(rf'value="{name}"[^>]*checked', body), name
    assert "Emails we always send" in body
    assert "A mentee asks you for ongoing mentoring" in body
    assert "Someone is waiting" not in body  # (a reason's old wording)
    assert "They tell you what happened to a request you made." in body
    assert 'value="flash_meeting_cancelled"' not in body  # no box for a mandatory kind


def test_unticking_turns_kinds_off_and_ticking_turns_them_on_again(client, recipient):
    client.force_login(recipient)
    keep = sorted(OPTIONAL - {REMINDER, "survey_reminder"})
    response = client.post(PREFERENCES, {"send": keep})
    assert response.status_code == 302 and response["Location"] == PREFERENCES
    assert set(EmailOptOut.objects.values_list("kind", flat=True)) == {REMINDER, "survey_reminder"}
    page = unescape(client.get(PREFERENCES).content.decode())
    assert "Your email choices are saved." in page
    assert not re.search(rf'value="{REMINDER}"[^>]*checked', page)
    client.post(PREFERENCES, {"send": sorted(OPTIONAL)})
    assert not EmailOptOut.objects.exists()


def test_a_crafted_post_cannot_turn_a_mandatory_kind_off(client, recipient):
    client.force_login(recipient)
    response = client.post(PREFERENCES, {"send": [REMINDER, MANDATORY]})
    assert response.status_code == 400
    body = unescape(response.content.decode())
    assert 'class="form-errors"' in body
    assert f"“{MANDATORY}” is not an email you can turn on or off here." in body
    assert not EmailOptOut.objects.exists()
    # Nor through the services, whatever the caller.
    with pytest.raises(KindNotOptional):
        services.email_kind_turn_off(user=recipient, kind=MANDATORY, via=EmailOptOut.Via.LINK)
    with pytest.raises(KindNotOptional):
        services.email_preferences_save(user=recipient, send=[MANDATORY])
    with pytest.raises(KindNotOptional):
        services.email_kind_turn_off(user=recipient, kind="no_such_kind", via="link")
    assert not EmailOptOut.objects.exists()


def test_each_person_changes_only_their_own_emails(client, recipient):
    other = UserFactory()
    EmailOptOut.objects.create(user=other, kind=REMINDER, via=EmailOptOut.Via.LINK)
    client.force_login(recipient)
    client.post(PREFERENCES, {"send": sorted(OPTIONAL), "user": other.pk, "user_id": other.pk})
    assert EmailOptOut.objects.filter(user=other, kind=REMINDER).exists()
    client.post(PREFERENCES, {"send": [], "user": other.pk})
    assert EmailOptOut.objects.filter(user=recipient).count() == len(OPTIONAL)
    assert EmailOptOut.objects.filter(user=other).count() == 1


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_filters_suppressed_rows_and_shows_why(admin_client, recipient):
    NotificationFactory(
        recipient=recipient,
        status=Status.SUPPRESSED,
        suppressed_reason="Turned off by the recipient on 1 March 2026, through a link.",
        to_email="quiet@example.org",
    )
    NotificationFactory(status=Status.FAILED, to_email="loud@example.org", last_error="550")
    changelist = reverse("admin:notifications_notification_changelist")
    page = admin_client.get(changelist, {"status__exact": "suppressed"}).content.decode()
    assert "quiet@example.org" in page and "loud@example.org" not in page
    assert "Suppressed (turned off)" in page
    assert "Turned off by the recipient on 1 March 2026" in page


# --- through a real Celery worker on each broker (skips a broker whose URL is unset) ----------


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_the_headers_and_never_a_turned_off_kind(
    real_worker_factory, recipient, notif_program, mailoutbox
):
    from tests.notifications.conftest import wait_until

    services.email_kind_turn_off(user=recipient, kind="survey_reminder", via="link")
    context = dict(get_kind(REMINDER).sample_context)
    with real_worker_factory():
        with transaction.atomic():
            off = notify(
                kind="survey_reminder",
                recipient=recipient,
                program=notif_program,
                context=dict(get_kind("survey_reminder").sample_context),
                dedupe_key="worker:off",
            )
            sent = notify(
                kind=REMINDER,
                recipient=recipient,
                program=notif_program,
                context=context,
                dedupe_key="worker:on",
            )
        wait_until(lambda: Notification.objects.get(pk=sent.pk).status == Status.SENT)
        time.sleep(0.3)  # room for the turned-off one to show up, if it were sent
    assert Notification.objects.get(pk=off.pk).status == Status.SUPPRESSED
    (message,) = mailoutbox
    headers = _headers(message)
    assert headers["X-Notification-Kind"] == REMINDER
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://testserver/notifications/unsubscribe/")
