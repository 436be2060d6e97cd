from django.db.models.signals import post_save
from django.dispatch import receiver

from matching.models import MatchingSettings
from mentoring.models import Program


@receiver(post_save, sender=Program, dispatch_uid="matching_settings_for_new_program")
def create_matching_settings(sender: type[Program], instance: Program, created: bool, **kwargs):
    """Every program has exactly one MatchingSettings, whichever way it was created
    (admin, seed command, factories, shell)."""
    if created and not kwargs.get("raw"):
        MatchingSettings.objects.get_or_create(program=instance)
