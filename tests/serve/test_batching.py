"""The batch queue: same-key jobs run together in arrival order, up to max_batch rows; capacity is enforced."""

from __future__ import annotations

import threading

import pytest

from tunesmith.serve.backends.batching import BatchQueue, Job, QueueFull


def test_jobs_with_the_same_key_share_a_batch_in_arrival_order():
    batches, gate = [], threading.Event()

    def run(jobs):
        gate.wait(30)
        batches.append([j.payload for j in jobs])

    queue = BatchQueue(run, capacity=10, max_batch=3)
    for payload, key, size in [(1, "a", 1), (2, "b", 1), (3, "a", 1), (4, "a", 2), (5, "a", 1), (6, "b", 1)]:
        queue.submit(Job(key, payload, size))
    assert queue.depth() == 6
    queue.start()
    gate.set()
    while queue.depth():
        threading.Event().wait(0.01)
    assert queue.stop() == []
    # the oldest job leads; later same-key jobs join while rows fit (3): 4 (2 rows) would overflow, 5 fits
    assert batches == [[1, 3, 5], [2, 6], [4]]


def test_capacity_counts_waiting_and_running_jobs():
    release = threading.Event()
    queue = BatchQueue(lambda jobs: release.wait(30), capacity=2, max_batch=1)
    queue.start()
    queue.submit(Job("k", 1))
    queue.submit(Job("k", 2))
    with pytest.raises(QueueFull):
        queue.submit(Job("k", 3))
    release.set()
    while queue.depth():
        threading.Event().wait(0.01)
    queue.submit(Job("k", 4))
    queue.stop()


def test_a_failing_batch_does_not_stop_the_worker():
    seen = []

    def run(jobs):
        seen.append(jobs[0].payload)
        if jobs[0].payload == "bad":
            raise RuntimeError("boom")

    queue = BatchQueue(run, capacity=4, max_batch=1)
    queue.start()
    queue.submit(Job("k", "bad"))
    queue.submit(Job("k", "good"))
    while queue.depth():
        threading.Event().wait(0.01)
    queue.stop()
    assert seen == ["bad", "good"]
