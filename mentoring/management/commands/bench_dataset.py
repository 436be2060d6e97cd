"""Build a large, realistic program for the benchmark, fast (bulk inserts only).

    python manage.py bench_dataset [--mentors 1000 --mentees 10000 --meetings 50000
                                    --connections 5000 --requests 10000 --responses 10000]

Everything lives in the program with slug ``bench``; running it again replaces that
program's data. All users share one password hash (password ``bench``), computed once.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from flash_meetings.models import FlashMeeting
from matching.models import Connection, ConnectionRequest, FlashToOngoingPolicy, MatchingSettings
from mentoring.models import Membership, Program, User
from surveys.models import Answer, Question, Survey, SurveyResponse

BATCH = 5000
SLUG = "bench"

# How the 50,000 meetings spread over their states (weights).
MEETING_MIX = [
    ("requested_future", 6),
    ("scheduled_future", 10),
    ("over_unanswered", 34),  # the follow-up pages' working set
    ("completed", 25),
    ("did_not_happen", 4),
    ("declined", 7),
    ("withdrawn", 4),
    ("expired", 4),
    ("cancelled", 6),
]
REQUEST_MIX = [
    ("pending", 20),
    ("accepted", 30),
    ("declined", 25),
    ("withdrawn", 10),
    ("expired", 10),
    ("closed", 5),
]


class Command(BaseCommand):
    help = "Generate the benchmark dataset (program slug 'bench') with bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--mentors", type=int, default=1000)
        parser.add_argument("--mentees", type=int, default=10000)
        parser.add_argument("--meetings", type=int, default=50000)
        parser.add_argument("--connections", type=int, default=5000)
        parser.add_argument("--requests", type=int, default=10000)
        parser.add_argument("--responses", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=20261129)

    def handle(self, *args, **options):
        started = time.perf_counter()
        # Seeded, reproducible benchmark data, not secrets.
        self.rng = random.Random(options["seed"])  # noqa: S311  # nosec B311
        with transaction.atomic():
            program = self._program()
            mentors, mentees = self._people(program, options["mentors"], options["mentees"])
            self._step("people", started)
            meetings = self._meetings(program, mentors, mentees, options["meetings"])
            self._step("flash meetings", started)
            pairs = self._connections(program, mentors, mentees, options["connections"])
            self._requests(program, mentors, mentees, options["requests"], pairs)
            self._step("connections and requests", started)
            self._responses(program, meetings, options["responses"])
            self._step("survey responses", started)
        # A live database has statistics and a visibility map (autovacuum): give the
        # freshly bulk-loaded one the same, or the planner guesses and index-only scans
        # cannot be used.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self._step("vacuum analyze", started)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"bench dataset ready in {elapsed:.1f} s (program slug '{SLUG}')")
        )

    def _step(self, what: str, started: float) -> None:
        self.stdout.write(f"  {what}: done at {time.perf_counter() - started:.1f} s")

    def _program(self) -> Program:
        # Responses protect their survey (no survey loses its answers by accident): the
        # benchmark's own go first, then the program with everything else it owns.
        SurveyResponse.objects.filter(survey__program__slug=SLUG).delete()
        Program.objects.filter(slug=SLUG).delete()
        User.objects.filter(username__startswith="bench-").delete()
        program = Program.objects.create(name="Benchmark Program", slug=SLUG)
        MatchingSettings.objects.filter(program=program).update(
            ongoing_enabled=True,
            one_time_enabled=True,
            preferred_mentoring_enabled=False,
            mentors_choose_modes=True,
            default_max_ongoing_mentees=12,
            max_ongoing_mentors_per_mentee=3,
            max_pending_requests_per_mentee=5,
            flash_to_ongoing_enabled=True,
            flash_to_ongoing_policy=FlashToOngoingPolicy.CONNECTION_REQUEST,
        )
        return program

    def _people(self, program: Program, n_mentors: int, n_mentees: int):
        password = make_password("bench")
        zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "UTC"]
        topics = ["python", "leadership", "career change", "design", "data", "product", "sales"]
        users = [
            User(
                username=f"bench-mentor-{i}",
                email=f"bench-mentor-{i}@example.org",
                display_name=f"Mentor {i}",
                password=password,
                time_zone=self.rng.choice(zones),
            )
            for i in range(n_mentors)
        ] + [
            User(
                username=f"bench-mentee-{i}",
                email=f"bench-mentee-{i}@example.org",
                display_name=f"Mentee {i}",
                password=password,
                time_zone=self.rng.choice(zones),
            )
            for i in range(n_mentees)
        ]
        User.objects.bulk_create(users, batch_size=BATCH)
        ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
        mentors = [ids[f"bench-mentor-{i}"] for i in range(n_mentors)]
        mentees = [ids[f"bench-mentee-{i}"] for i in range(n_mentees)]
        Membership.objects.bulk_create(
            [
                Membership(
                    user_id=user_id,
                    program=program,
                    role=Membership.Role.MENTOR,
                    headline=f"Mentor in {self.rng.choice(topics)}",
                    expertise=", ".join(self.rng.sample(topics, 3)),
                    offers_ongoing=self.rng.random() > 0.1,
                    max_flash_meetings_per_month=1000,
                )
                for user_id in mentors
            ]
            + [
                Membership(user_id=user_id, program=program, role=Membership.Role.MENTEE)
                for user_id in mentees
            ],
            batch_size=BATCH,
        )
        return mentors, mentees

    def _meetings(self, program, mentors, mentees, n: int) -> list[tuple[int, str, int, int]]:
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        kinds = self.rng.choices(
            [k for k, _ in MEETING_MIX], weights=[w for _, w in MEETING_MIX], k=n
        )
        per_mentor_hour: dict[int, int] = {}
        rows = []
        for index, kind in enumerate(kinds):
            mentor = mentors[index % len(mentors)]
            mentee = self.rng.choice(mentees)
            # Each mentor's meetings sit in distinct hours: scheduled ones never overlap.
            hour = per_mentor_hour.get(mentor, 0)
            per_mentor_hour[mentor] = hour + 1
            future = kind in ("requested_future", "scheduled_future")
            starts = now + timedelta(hours=(24 + hour) if future else -(2 + hour))
            status = {
                "requested_future": FlashMeeting.Status.REQUESTED,
                "scheduled_future": FlashMeeting.Status.SCHEDULED,
                "over_unanswered": FlashMeeting.Status.SCHEDULED,
            }.get(kind, kind)
            rows.append(
                FlashMeeting(
                    program=program,
                    mentor_id=mentor,
                    mentee_id=mentee,
                    topic=f"Talk {index} about {self.rng.choice(['CVs', 'promotion', 'startups'])}",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=30),
                    status=status,
                    counts_in_month=starts.date().replace(day=1),
                    follow_up_choice="no_thanks" if kind == "completed" else "",
                    follow_up_answered_at=starts + timedelta(hours=1)
                    if kind == "completed"
                    else None,
                )
            )
        FlashMeeting.objects.bulk_create(rows, batch_size=BATCH)
        return list(
            FlashMeeting.objects.filter(program=program, status="completed").values_list(
                "pk", "status", "mentor_id", "mentee_id"
            )
        )

    def _connections(self, program, mentors, mentees, n: int) -> set[tuple[int, int]]:
        pairs: set[tuple[int, int]] = set()
        per_mentor: dict[int, int] = {}
        per_mentee: dict[int, int] = {}
        while len(pairs) < n:
            mentor, mentee = self.rng.choice(mentors), self.rng.choice(mentees)
            if per_mentor.get(mentor, 0) >= 8 or per_mentee.get(mentee, 0) >= 2:
                continue
            if (mentor, mentee) in pairs:
                continue
            pairs.add((mentor, mentee))
            per_mentor[mentor] = per_mentor.get(mentor, 0) + 1
            per_mentee[mentee] = per_mentee.get(mentee, 0) + 1
        now = timezone.now()
        Connection.objects.bulk_create(
            [
                Connection(
                    program=program,
                    mentor_id=mentor,
                    mentee_id=mentee,
                    origin=self.rng.choice(["profile_request", "admin", "flash_meeting"]),
                    started_at=now - timedelta(days=self.rng.randint(1, 300)),
                )
                for mentor, mentee in pairs
            ],
            batch_size=BATCH,
        )
        return pairs

    def _requests(self, program, mentors, mentees, n: int, connected: set) -> None:
        statuses = self.rng.choices(
            [k for k, _ in REQUEST_MIX], weights=[w for _, w in REQUEST_MIX], k=n
        )
        pending_pairs: set[tuple[int, int]] = set()
        pending_per_mentor: dict[int, int] = {}
        rows = []
        now = timezone.now()
        for status in statuses:
            mentor, mentee = self.rng.choice(mentors), self.rng.choice(mentees)
            if status == "pending":
                # One pending request per pair, none for connected pairs, and the
                # mentor's slots (limit 12) never overfilled.
                if (
                    (mentor, mentee) in pending_pairs
                    or (mentor, mentee) in connected
                    or pending_per_mentor.get(mentor, 0) >= 3
                ):
                    status = "declined"
                else:
                    pending_pairs.add((mentor, mentee))
                    pending_per_mentor[mentor] = pending_per_mentor.get(mentor, 0) + 1
            rows.append(
                ConnectionRequest(
                    program=program,
                    mentor_id=mentor,
                    mentee_id=mentee,
                    message="Would you be my mentor?",
                    status=status,
                    origin=self.rng.choice(["profile", "flash_meeting"]),
                    created_at=now - timedelta(days=self.rng.randint(0, 60)),
                    responded_at=None if status == "pending" else now,
                )
            )
        ConnectionRequest.objects.bulk_create(rows, batch_size=BATCH)

    def _responses(self, program, meetings, n: int) -> None:
        survey = Survey.objects.get(program=program, role=Survey.Role.MENTEE)
        rating = Question.objects.filter(survey=survey, kind=Question.Kind.RATING).first()
        chosen = meetings[:n]
        responses = [
            SurveyResponse(
                survey=survey,
                flash_meeting_id=pk,
                respondent_id=mentee,
                version="completed",
            )
            for pk, _status, _mentor, mentee in chosen
        ]
        SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)
        if rating is None:
            return
        ids = SurveyResponse.objects.filter(survey=survey).values_list("pk", flat=True)
        Answer.objects.bulk_create(
            [
                Answer(
                    response_id=pk,
                    question=rating,
                    question_text=rating.text,
                    question_kind=rating.kind,
                    rating=self.rng.randint(1, 5),
                )
                for pk in ids
            ],
            batch_size=BATCH,
        )
