"""BackupRun: one row per backup attempt (issue 22)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('custody', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='BackupRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('ok', models.BooleanField(default=False)),
                ('trigger', models.CharField(choices=[('command', 'manage.py backup'), ('nightly', 'Nightly job')], default='command', max_length=10)),
                ('path', models.CharField(blank=True, max_length=500)),
                ('size_bytes', models.BigIntegerField(blank=True, null=True)),
                ('encrypted', models.BooleanField(default=False)),
                ('documents', models.PositiveIntegerField(blank=True, null=True)),
                ('error', models.TextField(blank=True)),
            ],
            options={
                'ordering': ['-started_at'],
                'indexes': [models.Index(condition=models.Q(('ok', True)), fields=['-finished_at'], name='custody_backup_ok_idx')],
            },
        ),
    ]
