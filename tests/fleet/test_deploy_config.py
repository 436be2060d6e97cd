"""How the fleet is deployed (docker-compose.yml, Dockerfile): migrations once per deploy
as a job of their own, never on a web start; beats that may run side by side because
they hold a lock; workers without an embedded beat."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_migrations_run_once_per_deploy_as_a_job_everything_else_waits_for():
    services = _compose()["services"]
    assert "manage.py migrate" in _command(services["migrate"])
    assert services["migrate"].get("restart") == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    # Nothing else migrates: two web replicas starting together never race each other.
    others = [name for name in services if name != "migrate"]
    assert [name for name in others if "migrate" in _command(services[name])] == []
    assert "migrate" not in (ROOT / "Dockerfile").read_text().split("CMD", 1)[1]


def _beat_scheduler(environment: dict) -> str:
    """The scheduler config.settings picks with the compose service's environment."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        # compose's own interpolation, ${NAME:-default}, with nothing set: the default
        **{
            key: re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
            for key, value in environment.items()
        },
    }
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings';"
        "from django.conf import settings;"
        "print(json.dumps(getattr(settings, 'CELERY_BEAT_SCHEDULER', 'default')))"
    )
    out = subprocess.run(  # noqa: S603 - our interpreter, fixed code
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_beats_run_only_with_the_scheduler_that_holds_a_lock():
    services = _compose()["services"]
    beat = services["beat"]
    assert re.search(r"\bcelery\b.*\bbeat\b", _command(beat))
    assert beat.get("deploy", {}).get("replicas", 1) == 2
    assert _beat_scheduler(beat["environment"]) == "redbeat.RedBeatScheduler"
    # Without Redis there is no lock: beat's own file, and exactly one may run.
    assert _beat_scheduler({**beat["environment"], "REDIS_URL": ""}) == "default"


def test_no_worker_runs_an_embedded_beat():
    for name, service in _compose()["services"].items():
        command = _command(service)
        if re.search(r"\bcelery\b.*\bworker\b", command):
            assert not re.search(r"(\s-B\b|--beat\b)", command), name


def test_the_broker_is_rabbitmq_and_the_cache_and_lock_are_redis():
    environment = _compose()["services"]["worker"]["environment"]
    assert environment["CELERY_BROKER_URL"].startswith("amqp://")
    assert environment["REDIS_URL"].startswith("redis://")
