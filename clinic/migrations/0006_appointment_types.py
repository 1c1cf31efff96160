"""Reference data: the usual appointment types and the booking policy row (admin-edited)."""

from django.db import migrations

TYPES = [
    # name, minutes, is IMS, bookable online
    ("Initial assessment", 60, False, False),
    ("IMS treatment", 30, True, True),
    ("Follow-up", 30, False, True),
]


def forwards(apps, schema_editor):
    AppointmentType = apps.get_model("clinic", "AppointmentType")
    ClinicPolicy = apps.get_model("clinic", "ClinicPolicy")
    for order, (name, minutes, is_ims, online) in enumerate(TYPES):
        AppointmentType.objects.get_or_create(
            name=name,
            defaults={
                "duration_minutes": minutes,
                "is_ims": is_ims,
                "bookable_online": online,
                "order": order,
            },
        )
    ClinicPolicy.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0005_appointment_exclusion_constraints")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
