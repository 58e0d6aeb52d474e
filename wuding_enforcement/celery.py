import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wuding_enforcement.settings")

app = Celery("wuding_enforcement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
