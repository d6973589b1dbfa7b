"""Load the marker catalogue of DOMAIN.md 1.4 and 2.2 (rebond/therapy/catalogue.py)."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from rebond.therapy.catalogue import load_catalogue

    load_catalogue(apps.get_model("therapy", "MarkerDefinition"))


class Migration(migrations.Migration):
    dependencies = [("therapy", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
