"""System checks: delivery settings that would lose or duplicate email, missing templates."""

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from notifications.registry import all_kinds


@checks.register()
def check_delivery_settings(app_configs=None, **kwargs):
    errors = []
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    max_delay = getattr(settings, "NOTIFICATIONS_RETRY_MAX_DELAY", 1800)
    if max_delay >= visibility:
        errors.append(
            checks.Error(
                "NOTIFICATIONS_RETRY_MAX_DELAY must stay below the broker visibility timeout, "
                "or Redis redelivers retries that are still waiting.",
                id="notifications.E001",
            )
        )
    stuck = getattr(settings, "NOTIFICATIONS_STUCK_AFTER", 300)
    time_limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None) or 0
    if stuck <= time_limit:
        errors.append(
            checks.Error(
                "NOTIFICATIONS_STUCK_AFTER must exceed CELERY_TASK_TIME_LIMIT, or the sweep "
                "may resend an email whose worker is still sending it.",
                id="notifications.E002",
            )
        )
    return errors


@checks.register(checks.Tags.templates)
def check_kind_templates(app_configs=None, **kwargs):
    warnings = []
    for kind in all_kinds():
        for name in kind.template_names.values():
            try:
                get_template(name)
            except TemplateDoesNotExist:
                warnings.append(
                    checks.Warning(
                        f"Notification kind {kind.name!r} has no template {name}.",
                        id="notifications.W001",
                    )
                )
    return warnings
