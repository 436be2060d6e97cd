from django.db.models.signals import post_save
from django.dispatch import receiver

from mentoring.models import Program
from surveys import services


@receiver(post_save, sender=Program, dispatch_uid="surveys_for_new_program")
def create_default_surveys(sender: type[Program], instance: Program, created: bool, **kwargs):
    """Every program gets its Flash Meeting Feedback surveys (mentee and mentor) with the
    default questions, whichever way it was created (admin, seed command, factories)."""
    if created and not kwargs.get("raw"):
        services.surveys_ensure_for_program(program=instance)
