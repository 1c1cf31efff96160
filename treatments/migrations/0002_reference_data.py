"""Reference data: the needle sizes a clinic commonly stocks for IMS and the usual home-care
advice. Clinic admins edit both; running this again only adds what is missing."""

from decimal import Decimal

from django.db import migrations

DIAMETERS = ("0.16", "0.18", "0.20", "0.25", "0.30")
LENGTHS = (15, 25, 30, 40, 50, 60, 75, 100)

ADVICE = (
    ("Expect soreness", "The treated muscles may ache for a day or two, like after a hard "
     "workout. This is normal and usually settles within 48 hours."),  # fmt: skip
    ("Heat", "A warm shower or a heat pack for 15 minutes can ease the ache."),
    ("Keep moving", "Gentle movement and walking help more than rest. Avoid heavy "
     "training for the rest of today."),  # fmt: skip
    ("Water", "Drink plenty of water today."),
    ("Bruising", "A small bruise may appear where a needle went in; it fades within a "
     "week."),  # fmt: skip
    ("Breathing warning", "If you become short of breath or have chest pain in the next "
     "24 hours, go to the nearest emergency department and say you had needling near the "
     "chest."),  # fmt: skip
    ("Stretches", "Do the stretches we showed you, twice a day, gently and without bouncing."),
)


def forwards(apps, schema_editor):
    NeedleSize = apps.get_model("treatments", "NeedleSize")
    HomeCareSnippet = apps.get_model("treatments", "HomeCareSnippet")
    for diameter in DIAMETERS:
        for length in LENGTHS:
            NeedleSize.objects.get_or_create(diameter_mm=Decimal(diameter), length_mm=length)
    for order, (title, text) in enumerate(ADVICE):
        HomeCareSnippet.objects.get_or_create(title=title, defaults={"text": text, "order": order})


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
