from django.db import migrations


def seed(apps, schema_editor):
    import hashlib

    from rebond.couples.consent_texts import DEFAULT_CONSENT_TEXTS

    ConsentDocument = apps.get_model("couples", "ConsentDocument")
    for kind, title, body in DEFAULT_CONSENT_TEXTS:
        ConsentDocument.objects.get_or_create(
            kind=kind,
            version="1",
            defaults={
                "title": title,
                "body": body,
                "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("couples", "0002_couple_modality_couple_relationship_agreement_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
