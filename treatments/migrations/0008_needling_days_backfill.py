"""IMS spacing counts every needling (issue 17): record a clinic NeedlingDay for each
session already signed with at least one needling site, whatever its appointment's type,
as signing now does. Reversible: the rows this wrote are removed."""

from django.db import migrations


def backfill(apps, schema_editor):
    TreatmentSession = apps.get_model("treatments", "TreatmentSession")
    NeedlingDay = apps.get_model("clinic", "NeedlingDay")
    done = set(NeedlingDay.objects.values_list("session_id", flat=True))
    sessions = (
        TreatmentSession.objects.filter(status="signed", sites__isnull=False)
        .exclude(pk__in=done)
        .distinct()
        .values_list("pk", "patient_id", "session_date", "appointment_id")
    )
    NeedlingDay.objects.bulk_create(
        [
            NeedlingDay(session_id=pk, patient_id=patient, day=day, appointment_id=appointment)
            for pk, patient, day, appointment in sessions.iterator(chunk_size=2000)
        ],
        batch_size=2000,
    )


def remove(apps, schema_editor):
    NeedlingDay = apps.get_model("clinic", "NeedlingDay")
    TreatmentSession = apps.get_model("treatments", "TreatmentSession")
    sessions = TreatmentSession.objects.values_list("pk", flat=True)
    NeedlingDay.objects.filter(session_id__in=sessions).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0007_date_windows_and_text_limits"),
        ("clinic", "0014_needling_days_count_for_spacing"),
    ]

    operations = [migrations.RunPython(backfill, remove, elidable=False)]
