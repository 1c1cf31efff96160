"""Adverse events: a "significant" flag beside severity, a referral for medical care with
where / to whom, and four more types (pain during treatment, aggravation of symptoms,
headache, nausea). Sources and definitions: treatments.models.session.AdverseEvent.

Existing rows keep their meaning: the serious ones (severe, or a suspected pneumothorax or
broken needle, which were e-mailed to the admins as serious) become significant, as the
surveys count serious events among the significant ones; the others stay not significant
and not referred (nothing recorded says otherwise; a physiotherapist may add an addendum).
Their history rows get the same value. On PostgreSQL the adverse-event trigger (0003)
refuses any change to an event of a signed session, so it is disabled for this one UPDATE
inside the migration's transaction and enabled again before the constraints are added.
Backwards: the columns go, so nothing to undo."""

import clinic.validators
from django.conf import settings
from django.db import migrations, models


SERIOUS = models.Q(severity="severe") | models.Q(kind__in=["pneumothorax", "broken_needle"])
TRIGGER = "treatments_adverseevent_signed_lock"


def serious_are_significant(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE treatments_adverseevent DISABLE TRIGGER {TRIGGER}")
    try:
        apps.get_model("treatments", "AdverseEvent").objects.filter(SERIOUS).update(
            significant=True
        )
        apps.get_model("treatments", "HistoricalAdverseEvent").objects.filter(SERIOUS).update(
            significant=True
        )
    finally:
        if postgres:
            schema_editor.execute(f"ALTER TABLE treatments_adverseevent ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):

    dependencies = [
        ('treatments', '0008_needling_days_backfill'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='adverseevent',
            name='referred_for_care',
            field=models.BooleanField(db_default=False, default=False, verbose_name='referred for medical care'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='referred_to',
            field=clinic.validators.LimitedTextField(blank=True, db_default='', default='', help_text='E.g. emergency department, family physician.', max_length=300, verbose_name='where / to whom'),
        ),
        migrations.AddField(
            model_name='adverseevent',
            name='significant',
            field=models.BooleanField(db_default=False, default=False, help_text='Unusual, dangerous, significantly inconvenient (e.g. interfered with daily activities) or needing medical care. Always so when severe or referred; the clinic admins are e-mailed.'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='referred_for_care',
            field=models.BooleanField(db_default=False, default=False, verbose_name='referred for medical care'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='referred_to',
            field=clinic.validators.LimitedTextField(blank=True, db_default='', default='', help_text='E.g. emergency department, family physician.', max_length=300, verbose_name='where / to whom'),
        ),
        migrations.AddField(
            model_name='historicaladverseevent',
            name='significant',
            field=models.BooleanField(db_default=False, default=False, help_text='Unusual, dangerous, significantly inconvenient (e.g. interfered with daily activities) or needing medical care. Always so when severe or referred; the clinic admins are e-mailed.'),
        ),
        migrations.AlterField(
            model_name='adverseevent',
            name='kind',
            field=models.CharField(choices=[('bruising', 'Bruising'), ('bleeding', 'Bleeding'), ('pain_during', 'Pain during treatment'), ('soreness', 'Post-needling soreness'), ('aggravation', 'Aggravation of symptoms'), ('headache', 'Headache'), ('nausea', 'Nausea'), ('vasovagal', 'Vasovagal / fainting'), ('drowsiness', 'Drowsiness'), ('pneumothorax', 'Suspected pneumothorax'), ('broken_needle', 'Broken needle'), ('other', 'Other')], max_length=20, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='historicaladverseevent',
            name='kind',
            field=models.CharField(choices=[('bruising', 'Bruising'), ('bleeding', 'Bleeding'), ('pain_during', 'Pain during treatment'), ('soreness', 'Post-needling soreness'), ('aggravation', 'Aggravation of symptoms'), ('headache', 'Headache'), ('nausea', 'Nausea'), ('vasovagal', 'Vasovagal / fainting'), ('drowsiness', 'Drowsiness'), ('pneumothorax', 'Suspected pneumothorax'), ('broken_needle', 'Broken needle'), ('other', 'Other')], max_length=20, verbose_name='type'),
        ),
        migrations.RunPython(serious_are_significant, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(('significant', True), models.Q(('referred_for_care', False), models.Q(('severity', 'severe'), _negated=True), models.Q(('kind__in', ['pneumothorax', 'broken_needle']), _negated=True)), _connector='OR'), name='treat_adverse_significant_floor'),
        ),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('referred_for_care', True), models.Q(('referred_to', ''), _negated=True)), models.Q(('referred_for_care', False), ('referred_to', '')), _connector='OR'), name='treat_adverse_referral_where'),
        ),
    ]
