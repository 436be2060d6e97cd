"""Create or refresh the "Program admins" group and put every program admin in it."""

from django.core.management.base import BaseCommand
from django.db import transaction

from mentoring import services
from mentoring.models import ProgramAdministrator


class Command(BaseCommand):
    help = (
        'Create (or refresh) the "Program admins" group with the permissions program admins '
        "need, and make every program administrator staff and a member of it. Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        group = services.program_admins_group()
        count = 0
        for administrator in ProgramAdministrator.objects.select_related("program", "user"):
            services.program_administrator_add(
                program=administrator.program, user=administrator.user
            )
            count += 1
        self.stdout.write(
            self.style.SUCCESS(
                f'"{group.name}": {group.permissions.count()} permissions, '
                f"{count} program administrator row(s) checked."
            )
        )
