"""Injuries: per-partner sharing, a partner-facing summary, voiding (issue 15 A1, D16).

Every existing injury starts shared with nobody (the new booleans default to False), so no
injury reaches a partner until a clinician chooses to share it. The two new free-text columns
are added empty and then sealed in place, as rebond/crypto reads only sealed values.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import rebond.crypto.fields
from rebond.crypto.rows import seal_legacy_rows, unseal_not_supported


class Migration(migrations.Migration):
    dependencies = [
        ("couples", "0005_encrypt_at_rest"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="injury",
            name="partner_summary",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="injury",
            name="partner_summary",
            field=rebond.crypto.fields.EncryptedTextField(blank=True, respondent="couple"),
        ),
        migrations.AddField(
            model_name="injury",
            name="shared_with_hurt_partner",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="injury",
            name="shared_with_hurtful_partner",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="injury",
            name="void_reason",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="injury",
            name="void_reason",
            field=rebond.crypto.fields.EncryptedTextField(blank=True, respondent="couple"),
        ),
        migrations.AddField(
            model_name="injury",
            name="voided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="injury",
            name="voided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(seal_legacy_rows("couples", "Injury"), unseal_not_supported),
    ]
