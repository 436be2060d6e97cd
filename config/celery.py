"""The Celery application: settings come from Django's, under the CELERY_ namespace.

The signal receivers below run wherever tasks are published or run: web processes,
workers, beat, and in-process (eager) tasks alike, since every one of them imports this
module (``config/__init__.py``; ``celery -A config``).
"""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    task_success,
)

from config import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mentoring_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(dispatch_uid="config.keep_django_logging")
def keep_django_logging(loglevel: int | str | None = None, **kwargs: Any) -> None:
    """Workers and beat log through Django's LOGGING (config/settings.py): the same format
    (JSON with LOG_FORMAT=json) and request id as the web processes. A receiver on this
    signal is how Celery is told to leave logging alone; only the level is the command
    line's (``--loglevel=info`` shows a line per task; Celery's default is WARNING)."""
    if loglevel:
        logging.getLogger().setLevel(loglevel)


# The request id follows a request into the tasks it enqueues (config/logs.py), and each
# task gets one log line.
before_task_publish.connect(logs.add_request_id_header, dispatch_uid="config.request_id_header")
task_prerun.connect(logs.task_started, dispatch_uid="config.task_started")
task_postrun.connect(logs.task_finished, dispatch_uid="config.task_finished")


@task_success.connect(dispatch_uid="config.periodic_success")
def periodic_success(sender: Any = None, **kwargs: Any) -> None:
    """A periodic job's success, for the metrics page (config/metrics.py)."""
    # Imported here: this module is loaded with the settings, before the apps whose
    # models config.metrics reads are ready.
    from config.metrics import record_periodic_success

    record_periodic_success(sender=sender)
