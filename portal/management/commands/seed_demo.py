"""Demo data a newcomer can sign in with. Safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.db import transaction

from flash_meetings import demo as flash_meetings_demo
from flash_meetings import demo_follow_up
from matching import demo as matching_demo
from matching.models import FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Membership, Program, User
from ongoing import demo as ongoing_demo
from surveys import demo as surveys_demo

# Each app that has demo data of its own adds it in ``<app>/demo.py`` with a function
# ``seed(*, program, stdout) -> None`` (idempotent), called in this order.
DEMO_SEEDS = [
    matching_demo.seed,
    flash_meetings_demo.seed,
    surveys_demo.seed,
    ongoing_demo.seed,
    demo_follow_up.seed,
]

# The documented demo credential (README); seed_demo is for local demo databases only.
DEMO_PASSWORD = "demo"  # noqa: S105  # nosec B105

MENTORS = [
    (
        "mentor1",
        "Amara Okafor",
        "Engineering leadership",
        "leadership, career change, Python",
        None,
    ),
    ("mentor2", "Bruno Costa", "Product design mentor", "UX research, design systems", 1),
    ("mentor3", "Chen Wei", "Data science", "statistics, machine learning", 0),
    ("mentor4", "Dana Levi", "Startup founder", "fundraising, hiring", None),
]
MENTEES = [
    ("mentee1", "Elif Demir"),
    ("mentee2", "Farid Haddad"),
    ("mentee3", "Grace Mensah"),
    ("mentee4", "Hiro Tanaka"),
]


def _user(username: str, display_name: str, **extra) -> User:
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={"email": f"{username}@example.org", "display_name": display_name, **extra},
    )
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Create (or refresh) the demo program and its users; idempotent."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        _user("admin", "Program Admin", is_staff=True, is_superuser=True)
        program, _created = Program.objects.update_or_create(
            slug="demo",
            defaults={
                "name": "Demo Mentoring Program",
                "description": "A program to try the platform: flash meetings that can turn "
                "into ongoing mentoring.",
                "active": True,
            },
        )
        MatchingSettings.objects.filter(program=program).update(
            ongoing_enabled=True,
            one_time_enabled=True,
            preferred_mentoring_enabled=False,
            mentors_choose_modes=True,
            default_max_ongoing_mentees=3,
            max_ongoing_mentors_per_mentee=2,
            max_pending_requests_per_mentee=3,
            request_expiry_days=14,
            flash_to_ongoing_enabled=True,
            flash_to_ongoing_policy=FlashToOngoingPolicy.FORCED_CONNECTION,
        )
        for index, (username, name, headline, expertise, limit) in enumerate(MENTORS):
            mentor = _user(username, name, time_zone="Europe/London")
            Membership.objects.update_or_create(
                user=mentor,
                program=program,
                role=Membership.Role.MENTOR,
                defaults={
                    "active": True,
                    "headline": headline,
                    "bio": f"{name} has mentored for years and enjoys {expertise}.",
                    "expertise": expertise,
                    "max_ongoing_mentees": limit,
                    "offers_ongoing": index != 3,  # mentor4 offers one-time meetings only
                    "offers_one_time": True,
                },
            )
        for username, name in MENTEES:
            mentee = _user(username, name, time_zone="America/New_York")
            Membership.objects.update_or_create(
                user=mentee, program=program, role=Membership.Role.MENTEE, defaults={"active": True}
            )
        for seed in DEMO_SEEDS:
            seed(program=program, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS("Demo program ready: http://127.0.0.1:8000/\n")
            + "  Sign in with password “demo” as:\n"
            + "    admin (superuser, Django admin at /admin/)\n"
            + "    mentor1 … mentor4 (mentors), mentee1 … mentee4 (mentees)\n"
        )
