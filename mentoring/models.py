from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentoring.validators import validate_time_zone


class User(AbstractUser):
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("How other people in your programs see you; your full name if blank."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times are shown to you in this zone, e.g. Europe/Paris."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Program(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
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
    headline = models.CharField(_("headline"), max_length=200, blank=True)
    bio = models.TextField(_("bio"), blank=True)
    expertise = models.CharField(
        _("expertise"),
        max_length=500,
        blank=True,
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

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.program}"

    @property
    def expertise_list(self) -> list[str]:
        return [topic.strip() for topic in self.expertise.split(",") if topic.strip()]
