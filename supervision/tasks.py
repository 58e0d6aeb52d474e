from celery import shared_task

from .reminders import scan


@shared_task
def send_reminders():
    result = scan()
    return {"created": result.created, "emailed": result.emailed, "cases": result.cases}
