import pytest
from django.core import serializers
from django.core.management import call_command

from matching.models import MatchingSettings
from mentoring.models import Membership, Program, User

pytestmark = pytest.mark.django_db

MODELS = [User, Program, Membership, MatchingSettings]


def snapshot() -> list[str]:
    rows = []
    for model in MODELS:
        for obj in model.objects.order_by("pk"):
            data = serializers.serialize("json", [obj])
            rows.append(data)
    return rows


def test_seed_demo_twice_leaves_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert "Sign in with password" in capsys.readouterr().out


def test_seed_demo_creates_the_documented_users():
    call_command("seed_demo")
    program = Program.objects.get(slug="demo")
    assert User.objects.get(username="admin").is_superuser
    for n in range(1, 5):
        mentor = User.objects.get(username=f"mentor{n}")
        mentee = User.objects.get(username=f"mentee{n}")
        assert mentor.check_password("demo") and mentee.check_password("demo")
        assert Membership.objects.filter(user=mentor, program=program, role="mentor").exists()
        assert Membership.objects.filter(user=mentee, program=program, role="mentee").exists()
    settings = program.matching_settings
    assert settings.flash_to_ongoing_enabled
    assert settings.flash_to_ongoing_policy == "forced_connection"
