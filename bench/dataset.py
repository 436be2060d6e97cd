"""The benchmark's dataset: one large program (slug ``bench``), built with bulk inserts.

Over 400 lines on purpose: the generator writes every table in one pass and one
order (each table's rows refer to the ones before); split, that order would be hidden.

    from bench.dataset import DatasetOptions, build
    build(10, DatasetOptions())       # after django.setup(); bench/run.py calls it

At scale 1: 1,000 mentors, 10,000 mentees, 50,000 flash meetings in every state, 5,000
connections, 10,000 connection requests and 10,000 survey responses (with answers);
every count is multiplied by the scale. On PostgreSQL the rows go in with ``COPY``,
elsewhere (the tests' SQLite) with ``bulk_create``. All users share one password hash
(password ``bench``), computed once. Building again replaces the program's data.

It is benchmark tooling, not part of any app: it writes every app's tables.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from bench.schema import (
    DATASET_APPS,
    Answer,
    Connection,
    ConnectionRequest,
    FlashMeeting,
    FlashToOngoingPolicy,
    MatchingSettings,
    Membership,
    Program,
    Question,
    Session,
    Survey,
    SurveyResponse,
    User,
)

BATCH = 5000
SLUG = "bench"

# The program's matching settings. The forced-connection policy is what the
# follow_up_connect page ("Yes, connect me") needs; mentors take up to MENTOR_LIMIT
# ongoing mentees, so that after the generated connections and pending requests (about
# seven per mentor) every run's Connect and "Yes, connect me" POSTs, one slot each,
# still find free slots (about 20,000 at scale 1).
MENTOR_LIMIT = 30
MENTEE_CONNECTION_LIMIT = 3
MENTEE_PENDING_LIMIT = 5

# How the meetings spread over their states (weights). "over_unanswered" meetings are
# the follow-up pages' working set: the GETs read them, "No thanks" and "Yes, connect
# me" answer them (each once). "completed" ones carry the survey responses.
MEETING_MIX = [
    ("requested_future", 6),
    ("scheduled_future", 10),
    ("over_unanswered", 40),
    ("completed", 22),
    ("did_not_happen", 4),
    ("declined", 6),
    ("withdrawn", 4),
    ("expired", 4),
    ("cancelled", 4),
]
REQUEST_MIX = [
    ("pending", 20),
    ("accepted", 30),
    ("declined", 25),
    ("withdrawn", 10),
    ("expired", 10),
    ("closed", 5),
]


@dataclass(frozen=True)
class DatasetOptions:
    """Row counts at scale 1 (``build`` multiplies them by the scale) and how to start.

    ``reset``: ``"delete"`` removes the previous benchmark program and its users through
    the ORM (safe in any database); ``"truncate"`` empties every table of the apps at
    once (PostgreSQL only, for a database that holds nothing but the benchmark).
    """

    mentors: int = 1000
    mentees: int = 10_000
    meetings: int = 50_000
    connections: int = 5_000
    requests: int = 10_000
    responses: int = 10_000
    seed: int = 20261129
    reset: str = "delete"
    log: Callable[[str], None] | None = print

    def scaled(self, scale: int) -> DatasetOptions:
        if scale < 1:
            raise ValueError("the scale is a whole number, 1 or more")
        return replace(
            self,
            **{name: getattr(self, name) * scale for name in COUNTED},
        )


COUNTED = ("mentors", "mentees", "meetings", "connections", "requests", "responses")


@dataclass
class DatasetReport:
    scale: int
    seconds: float
    counts: dict[str, int]
    steps: dict[str, float] = field(default_factory=dict)


def build(scale: int = 1, options: DatasetOptions | None = None) -> DatasetReport:
    """Build the benchmark program at ``scale`` (1 = the sizes in ``DatasetOptions``)."""
    options = (options or DatasetOptions()).scaled(scale)
    return _Builder(options).run(scale)


class _Builder:
    def __init__(self, options: DatasetOptions) -> None:
        self.options = options
        # Seeded, reproducible benchmark data, not secrets.
        self.rng = random.Random(options.seed)  # noqa: S311  # nosec B311
        self.now = timezone.now()
        self.started = time.perf_counter()
        self.steps: dict[str, float] = {}

    def log(self, text: str) -> None:
        if self.options.log:
            self.options.log(text)

    def step(self, what: str) -> None:
        self.steps[what] = round(time.perf_counter() - self.started, 1)
        self.log(f"  {what}: done at {self.steps[what]:.1f} s")

    def run(self, scale: int) -> DatasetReport:
        o = self.options
        with transaction.atomic():
            self.reset()
            self.step(f"emptied ({o.reset})")
            program = self.program()
            mentors, mentees = self.people(program)
            self.step("people")
            completed = self.meetings(program, mentors, mentees)
            self.step("flash meetings")
            pairs = self.connections(program, mentors, mentees)
            self.requests(program, mentors, mentees, pairs)
            self.step("connections and requests")
            self.responses(program, completed)
            self.step("survey responses")
        # A live database has statistics and a visibility map (autovacuum): give the
        # freshly bulk-loaded one the same, or the planner guesses and index-only scans
        # cannot be used.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        self.step("vacuum analyze")
        elapsed = time.perf_counter() - self.started
        self.log(f"bench dataset ready in {elapsed:.1f} s (program slug '{SLUG}', scale {scale})")
        return DatasetReport(
            scale=scale,
            seconds=round(elapsed, 1),
            counts={name: getattr(o, name) for name in COUNTED},
            steps=self.steps,
        )

    # --- Starting over --------------------------------------------------------------

    def reset(self) -> None:
        if self.options.reset == "truncate":
            if connection.vendor != "postgresql":
                raise ValueError("reset='truncate' is for PostgreSQL")
            tables = {Session._meta.db_table}
            for label in DATASET_APPS:
                for model in apps.get_app_config(label).get_models(include_auto_created=True):
                    tables.add(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(t) for t in sorted(tables))
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return
        if self.options.reset != "delete":
            raise ValueError(f"unknown reset {self.options.reset!r}: 'delete' or 'truncate'")
        # Responses protect their survey (no survey loses its answers by accident): the
        # benchmark's own go first, then the program with everything else it owns.
        SurveyResponse.objects.filter(survey__program__slug=SLUG).delete()
        Program.objects.filter(slug=SLUG).delete()
        User.objects.filter(username__startswith="bench-").delete()

    # --- Rows -----------------------------------------------------------------------

    def insert(self, model, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """Insert ``rows`` (values for ``columns``, attribute names such as
        ``mentor_id``); every other column gets its field's default (``now`` for
        auto_now fields), as ``Model()`` would give it."""
        rest = [
            f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns
        ]
        if connection.vendor != "postgresql":
            model.objects.bulk_create(
                (model(**dict(zip(columns, row, strict=True))) for row in rows),
                batch_size=BATCH,
            )
            return
        defaults = tuple(f.get_db_prep_save(self.default(f), connection) for f in rest)
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        quote = connection.ops.quote_name
        names = ", ".join(quote(by_name[c].column) for c in columns) + "".join(
            f", {quote(f.column)}" for f in rest
        )
        sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row + defaults)

    def default(self, f):
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return self.now
        return f.get_default()

    def program(self) -> Program:
        program = Program.objects.create(name="Benchmark Program", slug=SLUG)
        MatchingSettings.objects.filter(program=program).update(
            ongoing_enabled=True,
            one_time_enabled=True,
            preferred_mentoring_enabled=False,
            mentors_choose_modes=True,
            default_max_ongoing_mentees=MENTOR_LIMIT,
            max_ongoing_mentors_per_mentee=MENTEE_CONNECTION_LIMIT,
            max_pending_requests_per_mentee=MENTEE_PENDING_LIMIT,
            flash_to_ongoing_enabled=True,
            flash_to_ongoing_policy=FlashToOngoingPolicy.FORCED_CONNECTION,
        )
        return program

    def people(self, program: Program) -> tuple[list[int], list[int]]:
        n_mentors, n_mentees = self.options.mentors, self.options.mentees
        password = make_password("bench")
        zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Europe/Berlin", "UTC"]
        topics = ["python", "leadership", "career change", "design", "data", "product", "sales"]
        people = [("mentor", "Mentor", i) for i in range(n_mentors)] + [
            ("mentee", "Mentee", i) for i in range(n_mentees)
        ]
        self.insert(
            User,
            ("username", "email", "display_name", "password", "time_zone", "date_joined"),
            (
                (
                    f"bench-{role}-{i}",
                    f"bench-{role}-{i}@example.org",
                    f"{title} {i}",
                    password,
                    self.rng.choice(zones),
                    self.now,
                )
                for role, title, i in people
            ),
        )
        ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
        mentors = [ids[f"bench-mentor-{i}"] for i in range(n_mentors)]
        mentees = [ids[f"bench-mentee-{i}"] for i in range(n_mentees)]
        columns = ("user_id", "program_id", "role", "headline", "expertise", "offers_ongoing")
        self.insert(
            Membership,
            (*columns, "max_flash_meetings_per_month"),
            [
                (
                    user_id,
                    program.pk,
                    Membership.Role.MENTOR.value,
                    f"Mentor in {self.rng.choice(topics)}",
                    ", ".join(self.rng.sample(topics, 3)),
                    self.rng.random() > 0.1,
                    1000,
                )
                for user_id in mentors
            ]
            + [
                (user_id, program.pk, Membership.Role.MENTEE.value, "", "", True, 4)
                for user_id in mentees
            ],
        )
        return mentors, mentees

    def meetings(self, program, mentors, mentees) -> list[tuple[int, int]]:
        """The meetings; returns the completed ones as (id, mentee id)."""
        now = self.now.replace(minute=0, second=0, microsecond=0)
        n = self.options.meetings
        kinds = self.rng.choices(
            [k for k, _ in MEETING_MIX], weights=[w for _, w in MEETING_MIX], k=n
        )
        statuses = {
            "requested_future": FlashMeeting.Status.REQUESTED.value,
            "scheduled_future": FlashMeeting.Status.SCHEDULED.value,
            "over_unanswered": FlashMeeting.Status.SCHEDULED.value,
        }
        subjects = ["CVs", "promotion", "startups"]
        per_mentor_hour: dict[int, int] = {}
        half_hour = timedelta(minutes=30)

        def rows():
            for index, kind in enumerate(kinds):
                mentor = mentors[index % len(mentors)]
                mentee = self.rng.choice(mentees)
                # Each mentor's meetings sit in distinct hours: scheduled ones never overlap.
                hour = per_mentor_hour.get(mentor, 0)
                per_mentor_hour[mentor] = hour + 1
                future = kind in ("requested_future", "scheduled_future")
                starts = now + timedelta(hours=(24 + hour) if future else -(2 + hour))
                completed = kind == "completed"
                yield (
                    program.pk,
                    mentor,
                    mentee,
                    f"Talk {index} about {self.rng.choice(subjects)}",
                    starts,
                    starts + half_hour,
                    statuses.get(kind, kind),
                    starts.date().replace(day=1),
                    "no_thanks" if completed else "",
                    starts + timedelta(hours=1) if completed else None,
                )

        self.insert(
            FlashMeeting,
            (
                "program_id",
                "mentor_id",
                "mentee_id",
                "topic",
                "starts_at",
                "ends_at",
                "status",
                "counts_in_month",
                "follow_up_choice",
                "follow_up_answered_at",
            ),
            rows(),
        )
        return list(
            FlashMeeting.objects.filter(program=program, status="completed")
            .order_by("pk")
            .values_list("pk", "mentee_id")
        )

    def connections(self, program, mentors, mentees) -> set[tuple[int, int]]:
        n = self.options.connections
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
        origins = ["profile_request", "admin", "flash_meeting"]
        self.insert(
            Connection,
            ("program_id", "mentor_id", "mentee_id", "origin", "started_at"),
            (
                (
                    program.pk,
                    mentor,
                    mentee,
                    self.rng.choice(origins),
                    self.now - timedelta(days=self.rng.randint(1, 300)),
                )
                for mentor, mentee in sorted(pairs)
            ),
        )
        return pairs

    def requests(self, program, mentors, mentees, connected: set) -> None:
        statuses = self.rng.choices(
            [k for k, _ in REQUEST_MIX],
            weights=[w for _, w in REQUEST_MIX],
            k=self.options.requests,
        )
        pending_pairs: set[tuple[int, int]] = set()
        pending_per_mentor: dict[int, int] = {}
        pending_per_mentee: dict[int, int] = {}
        rows = []
        for status in statuses:
            mentor, mentee = self.rng.choice(mentors), self.rng.choice(mentees)
            if status == "pending":
                # One pending request per pair, none for connected pairs, no mentor with
                # more than three and no mentee over their own limit.
                if (
                    (mentor, mentee) in pending_pairs
                    or (mentor, mentee) in connected
                    or pending_per_mentor.get(mentor, 0) >= 3
                    or pending_per_mentee.get(mentee, 0) >= MENTEE_PENDING_LIMIT
                ):
                    status = "declined"
                else:
                    pending_pairs.add((mentor, mentee))
                    pending_per_mentor[mentor] = pending_per_mentor.get(mentor, 0) + 1
                    pending_per_mentee[mentee] = pending_per_mentee.get(mentee, 0) + 1
            rows.append(
                (
                    program.pk,
                    mentor,
                    mentee,
                    "Would you be my mentor?",
                    status,
                    self.rng.choice(["profile", "flash_meeting"]),
                    self.now - timedelta(days=self.rng.randint(0, 60)),
                    None if status == "pending" else self.now,
                )
            )
        self.insert(
            ConnectionRequest,
            (
                "program_id",
                "mentor_id",
                "mentee_id",
                "message",
                "status",
                "origin",
                "created_at",
                "responded_at",
            ),
            rows,
        )

    def responses(self, program, completed: list[tuple[int, int]]) -> None:
        survey = Survey.objects.get(
            program=program, kind=Survey.Kind.FLASH_MEETING_FEEDBACK, role=Survey.Role.MENTEE
        )
        n = self.options.responses
        if len(completed) < n:
            raise RuntimeError(f"only {len(completed)} completed meetings for {n} responses")
        self.insert(
            SurveyResponse,
            ("survey_id", "flash_meeting_id", "respondent_id", "version"),
            ((survey.pk, pk, mentee, "completed") for pk, mentee in completed[:n]),
        )
        rating = Question.objects.filter(survey=survey, kind=Question.Kind.RATING).first()
        if rating is None:
            return
        ids = SurveyResponse.objects.filter(survey=survey).values_list("pk", flat=True)
        self.insert(
            Answer,
            ("response_id", "question_id", "question_text", "question_kind", "rating"),
            ((pk, rating.pk, rating.text, rating.kind, self.rng.randint(1, 5)) for pk in ids),
        )
