"""Administration.language: the language a questionnaire is given in; existing rows "en" (issue 20)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0006_encrypt_administration_occasion"),
    ]

    operations = [
        migrations.AddField(
            model_name="administration",
            name="language",
            field=models.CharField(db_default="en", default="en", max_length=20),
        ),
    ]
