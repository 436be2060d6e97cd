"""Delivery settings that would lose or duplicate email are caught by system checks."""

from django.conf import settings

from config.celery import app as celery_app
from notifications.checks import check_delivery_settings, check_kind_templates
from notifications.registry import NotificationKind, register, unregister
from notifications.tasks import deliver_notification, sweep_notifications


def test_beat_runs_the_sweep_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    assert entry["task"] == sweep_notifications.name == "notifications.tasks.sweep_notifications"
    assert entry["schedule"] <= 60
    assert sweep_notifications.name in celery_app.tasks


def test_delivery_is_late_acked_and_rejected_when_the_worker_is_lost():
    assert deliver_notification.acks_late is True
    assert deliver_notification.reject_on_worker_lost is True


def test_the_shipped_settings_pass_the_checks():
    assert check_delivery_settings() == []


def test_a_retry_cap_above_the_visibility_timeout_is_an_error(settings):
    settings.NOTIFICATIONS_RETRY_MAX_DELAY = settings.CELERY_VISIBILITY_TIMEOUT
    assert [error.id for error in check_delivery_settings()] == ["notifications.E001"]


def test_a_stuck_threshold_within_the_task_time_limit_is_an_error(settings):
    settings.NOTIFICATIONS_STUCK_AFTER = settings.CELERY_TASK_TIME_LIMIT
    assert [error.id for error in check_delivery_settings()] == ["notifications.E002"]


def test_a_kind_without_templates_is_reported_by_manage_py_check():
    register(NotificationKind(name="kind_without_any_template"))
    try:
        warnings = check_kind_templates()
    finally:
        unregister("kind_without_any_template")
    assert {w.id for w in warnings} == {"notifications.W001"}
    assert len(warnings) == 3
