"""Programs that existed before surveys get their Flash Meeting Feedback surveys (new
programs get them from the post_save receiver in surveys.signals)."""

from django.db import migrations


def create_default_surveys(apps, schema_editor):
    from surveys.defaults import KIND, ensure_default_surveys

    Program = apps.get_model("mentoring", "Program")
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for program in Program.objects.all():
        ensure_default_surveys(
            program=program, survey_model=Survey, question_model=Question, kinds=(KIND,)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_default_surveys, migrations.RunPython.noop),
    ]
