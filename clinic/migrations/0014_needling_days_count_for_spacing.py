"""IMS spacing counts every needling, not only IMS-typed bookings (issue 17).

NeedlingDay: one row per signed session with needling sites (written by signing; existing
sessions are back-filled by treatments' migration `needling_days_backfill`, since clinic
does not know the treatments tables). SpacingAlert: either side may now be a session with
no appointment, so each side carries its date and an optional NeedlingDay, and `pair`
("a<appointment>-n<needling day>") replaces the (first, second) uniqueness; existing alerts
get their dates and pair from their two appointments.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import clinic.validators


def fill_alerts(apps, schema_editor):
    SpacingAlert = apps.get_model("clinic", "SpacingAlert")
    for alert in SpacingAlert.objects.select_related("first", "second"):
        alert.first_date = alert.first.local_date
        alert.second_date = alert.second.local_date
        alert.pair = f"a{alert.first_id}-a{alert.second_id}"
        alert.save(update_fields=["first_date", "second_date", "pair"])


def drop_session_alerts(apps, schema_editor):
    """Backwards: alerts about a session without an appointment cannot be kept."""
    SpacingAlert = apps.get_model("clinic", "SpacingAlert")
    SpacingAlert.objects.filter(models.Q(first__isnull=True) | models.Q(second__isnull=True)).delete()


class Migration(migrations.Migration):
    dependencies = [("clinic", "0013_date_windows_and_text_limits")]

    operations = [
        migrations.CreateModel(
            name="NeedlingDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(help_text="The session's date (clinic-local).")),
                ("session_id", models.PositiveBigIntegerField(unique=True)),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.appointment",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="needling_days",
                        to="clinic.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["patient", "day"],
                "indexes": [
                    models.Index(fields=["patient", "day"], name="clinic_needling_patient_day")
                ],
                "constraints": [clinic.validators.date_check("clinic_needling", "day")],
            },
        ),
        migrations.RemoveConstraint(model_name="spacingalert", name="clinic_spacing_alert_once"),
        migrations.AlterField(
            model_name="spacingalert",
            name="first",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.appointment",
            ),
        ),
        migrations.AlterField(
            model_name="spacingalert",
            name="second",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.appointment",
            ),
        ),
        migrations.AddField(
            model_name="spacingalert",
            name="first_needling",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.needlingday",
            ),
        ),
        migrations.AddField(
            model_name="spacingalert",
            name="second_needling",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="clinic.needlingday",
            ),
        ),
        migrations.AddField(
            model_name="spacingalert", name="first_date", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="spacingalert", name="second_date", field=models.DateField(null=True)
        ),
        migrations.AddField(
            model_name="spacingalert",
            name="pair",
            field=models.CharField(max_length=50, null=True),
        ),
        migrations.RunPython(fill_alerts, drop_session_alerts, elidable=False),
        migrations.AlterField(
            model_name="spacingalert", name="first_date", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="spacingalert", name="second_date", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="spacingalert",
            name="pair",
            field=models.CharField(max_length=50, unique=True),
        ),
    ]
