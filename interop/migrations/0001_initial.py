"""The app's first migration: empty, so that the features added beside each other start
from one node."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0016_discharge_summary"),
    ]

    operations = []
