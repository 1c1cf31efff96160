"""The Celery application.

Configuration lives in settings.py under the CELERY_ namespace (broker, acks_late, time
limits, beat schedule) so that one file says how the whole site behaves.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
