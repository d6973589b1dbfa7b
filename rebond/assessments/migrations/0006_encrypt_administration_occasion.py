"""Seal Administration.occasion, clinician free text, in place (issue 15 A3; SECURITY.md CR-01)."""

from django.db import migrations

import rebond.crypto.fields
from rebond.crypto.rows import seal_legacy_rows, unseal_not_supported


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_administration_couple_open"),
    ]

    operations = [
        migrations.AlterField(
            model_name="administration",
            name="occasion",
            field=rebond.crypto.fields.EncryptedCharField(
                blank=True,
                help_text='E.g. "Intake", "Session 4".',
                max_length=60,
                respondent="partner",
            ),
        ),
        migrations.RunPython(
            seal_legacy_rows("assessments", "Administration"), unseal_not_supported
        ),
    ]
