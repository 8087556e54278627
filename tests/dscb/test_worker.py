"""`manage.py run_worker` runs the queued background tasks and keeps a heartbeat row,
which the health check reads (dscb.workers)."""

from __future__ import annotations

import datetime
import io
import os
import threading
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from dscb.models import WorkerHeartbeat
from dscb.workers import BEATING, Heartbeat

# The worker closes the connection between tasks, as after a request: the test's own
# transaction would go with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@task(queue_name="documents")
def add(a: int, b: int) -> int:
    return a + b


def run_worker(*args: str) -> str:
    out = io.StringIO()
    call_command("run_worker", "--batch", "--no-startup-delay", "--interval", "0", *args, stdout=out)
    return out.getvalue()


def test_it_runs_a_queued_task_from_any_queue_and_leaves_a_heartbeat():
    before = timezone.now()
    result = add.enqueue(2, 3)

    run_worker("--worker-id", "worker-a")

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL"
    assert row.return_value == 5
    assert row.worker_ids == ["worker-a"]
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker_id == "worker-a"
    assert heartbeat.last_seen >= before
    assert heartbeat.pid > 0
    assert heartbeat.host


def test_it_runs_only_the_queue_it_is_given():
    result = add.enqueue(1, 1)

    run_worker("--queue-name", "default")

    assert DBTaskResult.objects.get(pk=result.id).status == "READY"


def test_it_stops_after_max_tasks():
    first, second = add.enqueue(1, 2), add.enqueue(3, 4)

    run_worker("--max-tasks", "1")

    statuses = sorted(DBTaskResult.objects.filter(pk__in=[first.id, second.id]).values_list("status", flat=True))
    assert statuses == ["READY", "SUCCESSFUL"]


def test_a_restarted_worker_renews_its_own_row():
    WorkerHeartbeat.objects.create(
        worker_id="worker-a", host="old", pid=1, started_at=timezone.now(), last_seen=timezone.now()
    )

    run_worker("--worker-id", "worker-a")

    assert WorkerHeartbeat.objects.get().host != "old"


def test_it_removes_heartbeats_not_seen_for_a_day_when_it_starts():
    now = timezone.now()
    for worker_id, age in (("gone", datetime.timedelta(days=1, minutes=1)), ("recent", datetime.timedelta(hours=23))):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id, host="old", pid=1, started_at=now - age, last_seen=now - age
        )

    run_worker("--worker-id", "worker-a")

    assert sorted(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent", "worker-a"]


def test_the_heartbeat_is_renewed_from_its_own_thread_until_it_stops():
    heartbeat = Heartbeat(worker_id="worker-a", interval=0.05)
    heartbeat.start()
    first = WorkerHeartbeat.objects.get().last_seen
    try:
        deadline = time.monotonic() + 5
        while WorkerHeartbeat.objects.get().last_seen == first and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        heartbeat.stop()
    renewed = WorkerHeartbeat.objects.get().last_seen
    assert renewed > first
    assert heartbeat._thread is not None
    assert not heartbeat._thread.is_alive()
    time.sleep(0.2)
    assert WorkerHeartbeat.objects.get().last_seen == renewed


def test_each_beat_from_the_thread_is_written_holding_the_lock_a_fork_waits_for(monkeypatch):
    held = []

    def beat(self):
        if threading.current_thread() is not threading.main_thread():
            held.append(BEATING.locked())

    monkeypatch.setattr(Heartbeat, "beat", beat)
    heartbeat = Heartbeat(worker_id="worker-a", interval=0.01)
    heartbeat.start()
    try:
        deadline = time.monotonic() + 5
        while len(held) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        heartbeat.stop()
    assert held[:3] == [True, True, True]


def test_a_fork_waits_for_the_beat_in_progress_and_leaves_the_lock_free_on_both_sides():
    child_status: list[int] = []

    def fork() -> None:
        pid = os.fork()
        if pid == 0:  # the child: the lock must be free, or its first beat-like wait hangs
            os._exit(1 if BEATING.locked() else 0)
        child_status.append(os.waitpid(pid, 0)[1])

    with BEATING:  # a beat in progress
        forking = threading.Thread(target=fork)
        forking.start()
        forking.join(timeout=0.5)
        assert forking.is_alive(), "the fork did not wait for the beat"
    forking.join(timeout=10)
    assert child_status == [0]
    assert not BEATING.locked()
