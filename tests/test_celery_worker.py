"""Tasks go through a real Celery worker and Redis, and reach the same database as the portal.

The worker tests run only when a broker is configured (CELERY_BROKER_URL or REDIS_URL), as in CI. The
worker runs in a thread of this process (celery.contrib.testing), so it uses the test database; the tests
commit their rows (transaction=True) so the worker's own connection sees them.
"""

import datetime
import os
import uuid
import zoneinfo
from dataclasses import dataclass, field

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.chain import read_file_anchors
from wuding_enforcement.audit.models import AuditAnchor
from wuding_enforcement.audit.tasks import anchor_audit_chain
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.cases.tasks import count_overdue_cases
from wuding_enforcement.celery import app

BROKER = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL")
needs_broker = pytest.mark.skipif(
    not BROKER,
    reason="needs Redis: set CELERY_BROKER_URL or REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run the worker tests",
)
# Celery 5.7's Redis result backend stores results with redis-py's setex(), which redis 8 deprecates;
# filterwarnings=error would turn that into a worker crash. Ignored narrowly, for this file only.
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning")

# The officer's lead arrives on 2026-11-02 (make_case); 立案 must be decided within 15 working days.
EARLY = "2026-11-03"
# Friday 20 November: one working day left before the deadline of Monday 23 November (amber).
AMBER = "2026-11-20"
LATE = "2026-12-31"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@dataclass
class RunningWorker:
    queue: str
    # (task name, the queue the message was delivered from, request.is_eager) of every task that started:
    # a task run in-process has no delivery queue and is_eager True.
    runs: list[tuple[str, str | None, bool]] = field(default_factory=list)

    def send(self, task, *args, **kwargs):
        return task.apply_async(args=args, kwargs=kwargs, queue=self.queue)


@pytest.fixture
def worker(settings, tmp_path):
    """A real worker consuming a queue of its own, so it never takes messages meant for anything else."""
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    assert app.conf.broker_url, "settings did not pass the broker from the environment to Celery"
    running = RunningWorker(queue=f"wuding-test-{uuid.uuid4().hex}")

    def note_run(sender=None, task=None, **kwargs):
        delivery = task.request.delivery_info or {}
        running.runs.append((task.name, delivery.get("routing_key"), bool(task.request.is_eager)))

    task_prerun.connect(note_run, weak=False)
    # Settings turn eager mode off when a broker is configured; force it off here too, so this test keeps
    # meaning "through the broker" even if test settings ever run tasks in-process for the rest of the suite.
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app,
            queues=[running.queue],
            perform_ping_check=False,
            shutdown_timeout=20,
        ):
            yield running
    finally:
        app.conf.task_always_eager = was_eager
        task_prerun.disconnect(note_run)


@pytest.mark.worker
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_anchors_the_audit_chain_in_the_database_and_the_anchor_file(worker):
    event = record("test.worker_anchor", object_repr="经 Celery 工作进程锚定")

    result = worker.send(anchor_audit_chain)
    payload = result.get(timeout=10)

    assert payload == {"seq": event.seq, "hash": event.hash, "epoch": 1}
    assert worker.runs == [(anchor_audit_chain.name, worker.queue, False)]
    assert AuditAnchor.objects.get(seq=event.seq).hash == event.hash
    assert [(a["seq"], a["hash"]) for a in read_file_anchors()] == [(event.seq, event.hash)]


@pytest.mark.worker
@needs_broker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_counts_overdue_cases_from_the_committed_rows(worker, make_case):
    make_case()

    early = worker.send(count_overdue_cases, EARLY).get(timeout=10)
    late = worker.send(count_overdue_cases, LATE).get(timeout=10)

    assert early == {"date": EARLY, "active": 1, "overdue": 0, "amber": 0}
    assert late == {"date": LATE, "active": 1, "overdue": 1, "amber": 0}
    assert [run[1:] for run in worker.runs] == [(worker.queue, False)] * 2


@pytest.mark.worker
@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the cache moves to Redis with it)"
)
def test_with_redis_url_the_cache_is_redis_and_holds_chinese_values():
    from django.core.cache import caches
    from django_redis.cache import RedisCache  # failing open (docs/stack.md trap 20)

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    key = f"wuding-test-{uuid.uuid4().hex}"
    cache.set(key, "武定县市场监督管理局", timeout=30)
    try:
        assert cache.get(key) == "武定县市场监督管理局"
    finally:
        cache.delete(key)


@pytest.mark.django_db
def test_count_overdue_counts_each_late_lead_once_and_leaves_out_finished_cases(
    make_case, officer, unit_head, bureau_head
):
    make_case()
    make_case(title="涉嫌无照经营案")
    dropped = make_case(title="涉嫌虚假宣传案")
    with time_machine.travel(datetime.datetime(2026, 11, 4, 10, tzinfo=SHANGHAI), tick=False):
        approval = dropped.request_approval(ApprovalKind.NOT_FILING, by=officer, reason="违法事实不成立。")
        approval.give_opinion(unit_head, agree=True, opinion="拟同意不予立案。")
        approval.give_opinion(bureau_head, agree=True, opinion="同意不予立案。")

    # Called directly, the task runs in-process: the same numbers the worker returns.
    assert count_overdue_cases(EARLY) == {"date": EARLY, "active": 2, "overdue": 0, "amber": 0}
    assert count_overdue_cases(AMBER) == {"date": AMBER, "active": 2, "overdue": 0, "amber": 2}
    assert count_overdue_cases(LATE) == {"date": LATE, "active": 2, "overdue": 2, "amber": 0}
