"""Surveys that existed before translations get them for their default texts: each
survey title and question (text, choices) still worded as the default English one is
given the catalogue's translation in every other language of settings.LANGUAGES. Texts a
program changed, and translations already given, are left alone. (New programs get their
translations from surveys.defaults when their surveys are created.)"""

from django.db import migrations


def fill_default_translations(apps, schema_editor):
    from surveys.defaults import default_texts, translated

    Survey = apps.get_model("surveys", "Survey")
    Question = apps.get_model("surveys", "Question")
    titles: dict[str, dict] = {}
    texts: dict[str, dict] = {}
    choices: dict[tuple[str, str], dict] = {}  # (text, base choices) -> translations
    for what, values in default_texts():
        base, translations = translated(values)
        if what == "survey":
            titles[base["title"]] = translations
            continue
        for language, given in translations.items():
            if "text" in given:
                texts.setdefault(base["text"], {})[language] = given["text"]
            if "choices" in given:
                key = (base["text"], base["choices"])
                choices.setdefault(key, {})[language] = given["choices"]

    def fill(row, field: str, by_language: dict) -> bool:
        changed = False
        row.translations = dict(row.translations or {})
        for language, text in by_language.items():
            current = row.translations.get(language) or {}
            if not current.get(field):
                row.translations[language] = {**current, field: text}
                changed = True
        return changed

    for survey in Survey.objects.filter(title__in=list(titles)):
        if fill(survey, "title", {k: v["title"] for k, v in titles[survey.title].items()}):
            survey.save(update_fields=["translations"])
    known = set(texts) | {text for text, _choices in choices}
    for question in Question.objects.filter(text__in=known).iterator():
        changed = fill(question, "text", texts.get(question.text, {}))
        base_choices = "\n".join(
            line.strip() for line in question.choices.splitlines() if line.strip()
        )
        if (question.text, base_choices) in choices:
            changed = fill(question, "choices", choices[(question.text, base_choices)]) or changed
        if changed:
            question.save(update_fields=["translations"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_translations_and_response_language"),
    ]

    operations = [
        migrations.RunPython(fill_default_translations, migrations.RunPython.noop),
    ]
