"""Programs that existed before the ongoing-mentoring surveys get their mid-point
check-in and closing surveys (new programs get them from surveys.signals)."""

from django.db import migrations


def create_connection_surveys(apps, schema_editor):
    from surveys.defaults import CHECK_IN_KIND, CLOSING_KIND, ensure_default_surveys

    Program = apps.get_model("mentoring", "Program")
    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    for program in Program.objects.all():
        ensure_default_surveys(
            program=program,
            survey_model=Survey,
            question_model=Question,
            kinds=(CHECK_IN_KIND, CLOSING_KIND),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0004_connection_surveys"),
    ]

    operations = [
        migrations.RunPython(create_connection_surveys, migrations.RunPython.noop),
    ]
