"""Tasks the outbox and lease tests run: each leaves an audit row, so a run is visible in the database."""

from celery import shared_task

from wuding_enforcement.audit.api import record


@shared_task(name="tests.ops.note", acks_late=True, reject_on_worker_lost=True)
def note(value):
    record("test.outbox.ran", detail={"value": value})
    return value


@shared_task(name="tests.ops.boom")
def boom():
    raise RuntimeError("测试任务故意失败")
