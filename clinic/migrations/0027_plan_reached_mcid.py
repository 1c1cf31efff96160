from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Judge every discharged plan as clinic.services.dashboard_facts.plan_outcomes_refresh
    does, on the historical models (the measures' MCIDs are code: clinic.outcomes)."""
    from clinic.outcomes.catalogue import registry
    from clinic.outcomes.change import change_from_baseline

    CarePlan = apps.get_model("clinic", "CarePlan")
    OutcomeScore = apps.get_model("clinic", "OutcomeScore")
    in_course = OutcomeScore.objects.filter(
        patient_id=OuterRef("patient_id"),
        instrument=OuterRef("measure"),
        recorded_at__date__gte=OuterRef("started_on"),
        recorded_at__date__lte=OuterRef("discharged_on"),
    )
    verdicts = {True: [], False: []}
    for pk, measure, baseline, latest in (
        CarePlan.objects.filter(status="discharged", baseline_score__isnull=False)
        .annotate(latest=Subquery(in_course.order_by("-recorded_at", "-pk").values("value")[:1]))
        .values_list("pk", "measure", "baseline_score", "latest")
    ):
        known = registry.find(measure)
        if latest is not None and known is not None and known.mcid is not None:
            verdicts[change_from_baseline(measure, baseline, latest).reaches_mcid].append(pk)
    for verdict, pks in verdicts.items():
        for at in range(0, len(pks), 5000):
            CarePlan.objects.filter(pk__in=pks[at : at + 5000]).update(reached_mcid=verdict)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0026_dashboard_facts"),
    ]

    operations = [
        migrations.AddField(
            model_name="careplan",
            name="reached_mcid",
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcareplan",
            name="reached_mcid",
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
