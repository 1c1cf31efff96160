"""Reference data: the 27 spinal segments, the muscle catalogue with its innervation, and
Gunn's signs with the tests that elicit them (assessments/seed/). Clinic admins edit it
afterwards; get_or_create never overwrites their edits when this runs again after a flush."""

from django.db import migrations

from assessments.seed import SEGMENTS, SIGN_TESTS, SIGNS
from assessments.seed.muscles import MUSCLES


def forwards(apps, schema_editor):
    Segment = apps.get_model("assessments", "Segment")
    Muscle = apps.get_model("assessments", "Muscle")
    MuscleInnervation = apps.get_model("assessments", "MuscleInnervation")
    SignTest = apps.get_model("assessments", "SignTest")
    Sign = apps.get_model("assessments", "Sign")

    segments = {}
    for position, (code, spinal_region) in enumerate(SEGMENTS, start=1):
        segments[code], _ = Segment.objects.get_or_create(
            code=code, defaults={"position": position, "spinal_region": spinal_region}
        )
    for seed in MUSCLES:
        muscle, created = Muscle.objects.get_or_create(
            name=seed.name,
            defaults={
                "lay_name": seed.lay_name,
                "body_region": seed.body_region,
                "kind": seed.kind,
                "chest_wall": seed.chest_wall,
            },
        )
        if created:
            MuscleInnervation.objects.bulk_create(
                MuscleInnervation(muscle=muscle, segment=segments[code], primary=primary)
                for code, primary in seed.segments
            )
    tests = {}
    for order, (name, description) in enumerate(SIGN_TESTS):
        tests[name], _ = SignTest.objects.get_or_create(
            name=name, defaults={"description": description, "order": order}
        )
    for order, seed in enumerate(SIGNS):
        sign, created = Sign.objects.get_or_create(
            name=seed.name,
            defaults={
                "group": seed.group,
                "description": seed.description,
                "needs_muscle": seed.needs_muscle,
                "order": order,
            },
        )
        if created:
            sign.tests.set([tests[name] for name in seed.tests])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
