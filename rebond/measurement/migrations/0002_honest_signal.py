"""The honest progress signal (issue 17): the expected-recovery line is withdrawn.

The planned course, the flagging session and the tolerance (which flagged partners against a
straight line to the cut-off) go; the review session comes (default 6, 3 to 24: a practice
choice). Every stored track was judged against the withdrawn line, so each is recomputed here
by the app's own `refresh_tracks` (its signals now mean something else), and any it does not
rewrite is deleted: a stale "not on track" must never stay on a caseload.
"""

import django.core.validators
from django.db import migrations, models


def recompute_tracks(apps, schema_editor):
    from django.utils.timezone import now

    from rebond.measurement.tracking import refresh_tracks

    tracks = apps.get_model("measurement", "CoupleTrack")
    ids = list(tracks.objects.values_list("couple_id", flat=True))
    if not ids:
        return
    started = now()
    refresh_tracks(ids)
    tracks.objects.filter(computed_at__lt=started).delete()  # not rewritten: stale


class Migration(migrations.Migration):
    dependencies = [
        ("measurement", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="measurementsettings",
            name="flag_from_session",
        ),
        migrations.RemoveField(
            model_name="measurementsettings",
            name="planned_sessions",
        ),
        migrations.RemoveField(
            model_name="measurementsettings",
            name="tolerance",
        ),
        migrations.AddField(
            model_name="measurementsettings",
            name="review_session",
            field=models.PositiveSmallIntegerField(
                default=6,
                validators=[
                    django.core.validators.MinValueValidator(3),
                    django.core.validators.MaxValueValidator(24),
                ],
            ),
        ),
        migrations.AlterField(
            model_name="coupletrack",
            name="a_signal",
            field=models.CharField(
                choices=[
                    ("no_data", "no_data"),
                    ("baseline", "baseline"),
                    ("not_judged", "not_judged"),
                    ("no_reliable_change", "no_reliable_change"),
                    ("improved", "improved"),
                    ("not_improved", "not_improved"),
                    ("deteriorated", "deteriorated"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="coupletrack",
            name="b_signal",
            field=models.CharField(
                choices=[
                    ("no_data", "no_data"),
                    ("baseline", "baseline"),
                    ("not_judged", "not_judged"),
                    ("no_reliable_change", "no_reliable_change"),
                    ("improved", "improved"),
                    ("not_improved", "not_improved"),
                    ("deteriorated", "deteriorated"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="coupletrack",
            name="signal",
            field=models.CharField(
                choices=[
                    ("not_judged", "not_judged"),
                    ("not_yet", "not_yet"),
                    ("improving", "improving"),
                    ("review", "review"),
                    ("worse", "worse"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(recompute_tracks, migrations.RunPython.noop),
    ]
