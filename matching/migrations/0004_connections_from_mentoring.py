"""Connections, connection requests and preferred mentors join matching: the models enter
this app's state over the tables mentoring's 0005 renamed (no schema change), and their
content types follow, so permissions, admin history and groups keep pointing at them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = ["connection", "connectionrequest", "preferredmentor"]


def _move(apps, *, source: str, target: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MOVED_MODELS:
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types(apps, schema_editor) -> None:
    _move(apps, source="mentoring", target="matching")


def move_content_types_back(apps, schema_editor) -> None:
    _move(apps, source="matching", target="mentoring")


class Migration(migrations.Migration):
    dependencies = [
        ("flash_meetings", "0003_follow_up"),
        ("matching", "0003_matchingsettings_max_pending_meeting_requests_per_mentee_and_more"),
        ("mentoring", "0005_connections_move_to_matching"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ConnectionRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("message", models.TextField(max_length=1000, verbose_name="message")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting for an answer"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("withdrawn", "Withdrawn"),
                                    ("expired", "Expired"),
                                    ("closed", "Closed"),
                                ],
                                default="pending",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "origin",
                            models.CharField(
                                choices=[
                                    ("profile", "Mentor profile"),
                                    ("flash_meeting", "Flash meeting"),
                                ],
                                default="profile",
                                max_length=32,
                                verbose_name="origin",
                            ),
                        ),
                        (
                            "decline_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("not_right_match", "Not the right match"),
                                    ("reached_limit", "Reached my limit"),
                                    ("busy", "Busy at this time"),
                                    ("other", "Other"),
                                ],
                                max_length=32,
                                verbose_name="reason for declining",
                            ),
                        ),
                        (
                            "decline_note",
                            models.TextField(blank=True, max_length=500, verbose_name="note"),
                        ),
                        (
                            "close_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    (
                                        "mentee_at_limit",
                                        "The mentee reached the most ongoing mentors the program allows",
                                    ),
                                    ("connected", "The program team connected them directly"),
                                ],
                                max_length=32,
                                verbose_name="reason for closing",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="sent at"
                            ),
                        ),
                        (
                            "responded_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
                        ),
                        (
                            "reminder_sent_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="reminder sent at"
                            ),
                        ),
                        (
                            "flash_meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="connection_requests",
                                to="flash_meetings.flashmeeting",
                                verbose_name="flash meeting",
                            ),
                        ),
                        (
                            "mentee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connection_requests_sent",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentee",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connection_requests_received",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentor",
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connection_requests",
                                to="mentoring.program",
                                verbose_name="program",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "connection request",
                        "verbose_name_plural": "connection requests",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Connection",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "Active"), ("ended", "Ended")],
                                default="active",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "origin",
                            models.CharField(
                                choices=[
                                    ("profile_request", "Profile request"),
                                    ("admin", "Program admin"),
                                    ("flash_meeting", "Flash meeting"),
                                    ("preferred_mentoring", "Preferred mentoring"),
                                ],
                                max_length=32,
                                verbose_name="origin",
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="started at"
                            ),
                        ),
                        (
                            "ended_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="ended at"),
                        ),
                        (
                            "end_reason",
                            models.TextField(
                                blank=True, max_length=500, verbose_name="reason for ending"
                            ),
                        ),
                        (
                            "ended_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="ended by",
                            ),
                        ),
                        (
                            "flash_meeting",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="connections",
                                to="flash_meetings.flashmeeting",
                                verbose_name="flash meeting",
                            ),
                        ),
                        (
                            "mentee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connections_as_mentee",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentee",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connections_as_mentor",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentor",
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="connections",
                                to="mentoring.program",
                                verbose_name="program",
                            ),
                        ),
                        (
                            "request",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="connection",
                                to="matching.connectionrequest",
                                verbose_name="request",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "connection",
                        "verbose_name_plural": "connections",
                        "ordering": ["-started_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="PreferredMentor",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("rank", models.PositiveSmallIntegerField(verbose_name="rank")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="added at"),
                        ),
                        (
                            "mentee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="preferred_mentors",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentee",
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="preferred_by",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="mentor",
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="preferred_mentors",
                                to="mentoring.program",
                                verbose_name="program",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "preferred mentor",
                        "verbose_name_plural": "preferred mentors",
                        "ordering": ["program", "mentee", "rank", "pk"],
                    },
                ),
                migrations.AddIndex(
                    model_name="connectionrequest",
                    index=models.Index(
                        fields=["mentor", "status"], name="conn_request_mentor_status_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="connectionrequest",
                    index=models.Index(
                        fields=["mentee", "status"], name="conn_request_mentee_status_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="connectionrequest",
                    index=models.Index(
                        fields=["status", "created_at"], name="conn_request_status_age_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="connectionrequest",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("program", "mentor", "mentee"),
                        name="connection_request_one_pending_per_pair",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="connectionrequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("mentor", models.F("mentee")), _negated=True),
                        name="connection_request_not_to_oneself",
                    ),
                ),
                migrations.AddIndex(
                    model_name="connection",
                    index=models.Index(
                        fields=["mentor", "status"], name="connection_mentor_status_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="connection",
                    index=models.Index(
                        fields=["mentee", "status"], name="connection_mentee_status_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="connection",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "active")),
                        fields=("program", "mentor", "mentee"),
                        name="connection_one_active_per_pair",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="connection",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("mentor", models.F("mentee")), _negated=True),
                        name="connection_not_with_oneself",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="connection",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("ended_at__isnull", True), ("status", "active")),
                            models.Q(("ended_at__isnull", False), ("status", "ended")),
                            _connector="OR",
                        ),
                        name="connection_ended_has_end_time",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="preferredmentor",
                    constraint=models.UniqueConstraint(
                        fields=("program", "mentee", "mentor"),
                        name="preferred_mentor_once_per_list",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="preferredmentor",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("mentor", models.F("mentee")), _negated=True),
                        name="preferred_mentor_not_oneself",
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
