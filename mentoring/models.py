from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.dates import validate_sane_date
from mentoring.validators import (
    validate_language,
    validate_plain_text,
    validate_single_line,
    validate_time_zone,
)


class User(AbstractUser):
    # What ``name`` reads: lists of people load only these (``only(*User.name_fields(...))``).
    NAME_FIELDS = ("display_name", "first_name", "last_name", "username")

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        validators=[validate_single_line],
        help_text=_("How other people in your programs see you; your full name if blank."),
    )
    # AbstractUser's, with one rule more: a name is printed as one line of an email.
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_single_line]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_single_line]
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times are shown to you in this zone, e.g. Europe/Paris."),
    )
    # Blank until chosen (My account, the footer) or first signed in, when the browser's
    # language, else the program's, is stored (mentoring.languages). Pages and emails use it.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        validators=[validate_language],
        help_text=_("Pages and emails are in this language; blank follows the program."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_from(self.display_name, self.first_name, self.last_name, self.username)

    @classmethod
    def name_fields(cls, relation: str) -> list[str]:
        """``NAME_FIELDS`` through a relation, for ``only()``: ``mentor__display_name``…"""
        return [f"{relation}__{name}" for name in cls.NAME_FIELDS]

    @staticmethod
    def name_from(display_name: str, first_name: str, last_name: str, username: str) -> str:
        """The name people see: the display name, else the full name, else the username
        (also for rows read without a User instance)."""
        return display_name or f"{first_name} {last_name}".strip() or username


class Program(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, validators=[validate_plain_text])
    active = models.BooleanField(_("active"), default=True)
    language = models.CharField(
        _("language"),
        max_length=16,
        default="en",
        validators=[validate_language],
        help_text=_(
            "For people who have not chosen a language and whose browser asks for none we "
            "offer: their pages and emails."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in a program: mentor or mentee (a person may be both)."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("program")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    # Mentor fields (ignored for mentees).
    headline = models.CharField(
        _("headline"), max_length=200, blank=True, validators=[validate_single_line]
    )
    bio = models.TextField(_("bio"), blank=True, validators=[validate_plain_text])
    expertise = models.CharField(
        _("expertise"),
        max_length=500,
        blank=True,
        validators=[validate_single_line],
        help_text=_("Comma-separated topics, e.g. “career change, Python, leadership”."),
    )
    max_ongoing_mentees = models.PositiveSmallIntegerField(
        _("maximum ongoing mentees"),
        null=True,
        blank=True,
        help_text=_(
            "Blank uses the program's default; 0 means this mentor takes no new ongoing mentees."
        ),
    )
    offers_ongoing = models.BooleanField(_("offers ongoing mentoring"), default=True)
    offers_one_time = models.BooleanField(_("offers one-time mentoring"), default=True)
    max_flash_meetings_per_month = models.PositiveSmallIntegerField(
        _("maximum flash meetings per month"),
        default=4,
        help_text=_("Pending and scheduled flash meetings count, per calendar month."),
    )
    # A pause: the mentor takes no new ongoing mentees while today's date (UTC) is before
    # this one, and takes them again from this date on (matching.capacity.mentor_paused).
    paused_until = models.DateField(
        _("not taking new mentees until"),
        null=True,
        blank=True,
        validators=[validate_sane_date],
        help_text=_(
            "Blank: taking new mentees. From this date on (UTC) the mentor takes new "
            "mentees again; existing mentees and requests are kept."
        ),
    )

    # Mentee fields (ignored for mentors).
    GOALS_MAX_LENGTH = 1000
    goals = models.TextField(
        _("what I hope to get from the program"),
        blank=True,
        max_length=GOALS_MAX_LENGTH,
        validators=[validate_plain_text],
        help_text=_("Mentors read this with the mentee's requests."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["program", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="membership_one_per_role"
            ),
            models.CheckConstraint(
                condition=Q(max_ongoing_mentees__isnull=True) | Q(max_ongoing_mentees__gte=0),
                name="membership_max_ongoing_mentees_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["program", "role", "active"], name="membership_program_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    @property
    def expertise_list(self) -> list[str]:
        return self.split_expertise(self.expertise)

    @staticmethod
    def split_expertise(expertise: str) -> list[str]:
        return [topic.strip() for topic in expertise.split(",") if topic.strip()]


class ProgramAdministrator(models.Model):
    """A staff user who runs one program in Django admin: they see and change only the
    programs they administer (see ``mentoring/admin_scoping.py``). Superusers see all."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="administrators",
        verbose_name=_("program"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="administered_programs",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("program administrator")
        verbose_name_plural = _("program administrators")
        ordering = ["program", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"], name="program_administrator_once_per_program"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.program}"
