"""Calendar feeds (issue 21): the CalendarFeed table, a hashed token per subscription link."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clinic', '0026_dashboard_facts'),
        ('interop', '0003_imports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('practitioner', "Practitioner's schedule"), ('patient', "Patient's appointments")], max_length=12)),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('last_fetched_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('patient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to='clinic.patient')),
                ('practitioner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to='clinic.practitioner')),
                ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'practitioner'), ('patient__isnull', True), ('practitioner__isnull', False)), models.Q(('kind', 'patient'), ('patient__isnull', False), ('practitioner__isnull', True)), _connector='OR'), name='interop_feed_one_holder'), models.UniqueConstraint(condition=models.Q(('practitioner__isnull', False), ('revoked_at__isnull', True)), fields=('practitioner',), name='interop_feed_one_live_per_practitioner'), models.UniqueConstraint(condition=models.Q(('patient__isnull', False), ('revoked_at__isnull', True)), fields=('patient',), name='interop_feed_one_live_per_patient')],
            },
        ),
    ]
