"""The store: rows round-trip, filters, and a SQLite file that survives SIGKILL mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta

import pytest

from tunesmith.errors import InputError
from tunesmith.serve.logfilter import LogFilter, build_filter, parse_when
from tunesmith.serve.store import Feedback, LoggedRequest, Store, open_store, store_url, utcnow


def test_a_logged_request_reads_back_whole(tmp_path):
    store = Store(tmp_path / "log.db")
    entry = LoggedRequest(
        id="chatcmpl-1",
        endpoint="chat",
        model="alpha",
        output="Paris.",
        messages=[{"role": "user", "content": "巴黎？"}],
        params={"temperature": 0.0, "max_tokens": 8},
        choices=[{"text": "Paris.", "finish_reason": "stop"}],
        finish_reason="stop",
        prompt_tokens=9,
        completion_tokens=3,
        latency_ms=12.5,
        key_id="key-abc",
        tags=["a", "b", "a"],
        meta={"team": "x"},
    )
    store.log(entry)
    assert store.add_feedback(Feedback("chatcmpl-1", rating="up")).id == 1
    assert store.add_feedback(Feedback("chatcmpl-1", correction="巴黎。", comment="zh")).id == 2
    assert store.add_feedback(Feedback("missing", rating="up")) is None
    back = store.get("chatcmpl-1")
    assert back.messages == entry.messages and back.params == entry.params and back.meta == {"team": "x"}
    assert sorted(back.tags) == ["a", "b"]
    assert (back.rating, back.correction) == ("up", "巴黎。")
    assert [f.id for f in back.feedback] == [1, 2]
    assert store.get("nope") is None
    with sqlite3.connect(tmp_path / "log.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_query_orders_and_limits(tmp_path):
    store = Store(tmp_path / "log.db")
    start = datetime(2026, 1, 1)
    for i in range(5):
        store.log(LoggedRequest(id=f"r{i}", endpoint="chat", model="m", output="", created_at=start + timedelta(i)))
    assert [r.id for r in store.query()] == ["r0", "r1", "r2", "r3", "r4"]
    assert [r.id for r in store.query(limit=2, newest_first=True)] == ["r4", "r3"]
    assert [r.id for r in store.query(LogFilter(since=start + timedelta(1), until=start + timedelta(3)))] == [
        "r1",
        "r2",
    ]
    store.close()


def test_store_targets_and_filters_from_text(tmp_path):
    assert store_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert store_url(tmp_path / "sub" / "x.db") == f"sqlite:///{tmp_path / 'sub' / 'x.db'}"
    with pytest.raises(InputError, match="no request log here"):
        open_store(tmp_path / "missing.db", must_exist=True)
    assert parse_when("2026-05-01") == datetime(2026, 5, 1)
    assert parse_when("2026-05-01T10:00:00+02:00") == datetime(2026, 5, 1, 8)
    assert abs(parse_when("7d") - (utcnow() - timedelta(days=7))) < timedelta(minutes=1)
    with pytest.raises(InputError, match="--since yesterday"):
        parse_when("yesterday")
    with pytest.raises(InputError, match="expected one of up, down"):
        build_filter(feedback="meh")
    assert build_filter(model="m", tag="t", feedback="corrected") == LogFilter(model="m", tag="t", feedback="corrected")


WRITER = textwrap.dedent(
    """
    import sys, threading
    from tunesmith.serve.store import LoggedRequest, Store

    store = Store(sys.argv[1])
    lock = threading.Lock()

    def write(worker):
        for i in range(100000):
            rid = f"w{worker}-{i}"
            store.log(LoggedRequest(id=rid, endpoint="chat", model="m", output="x" * 2000, tags=["t"],
                                    messages=[{"role": "user", "content": "y" * 2000}]))
            with lock:
                print(rid, flush=True)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    """
)


def test_sqlite_store_opens_cleanly_after_sigkill_mid_write(tmp_path):
    path = tmp_path / "log.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    committed = []
    for line in writer.stdout:
        committed.append(line.strip())
        if len(committed) >= 60:
            break
    os.kill(writer.pid, signal.SIGKILL)  # while four threads are writing
    writer.wait(30)
    committed += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(path)
    ids = {r.id for r in store.query()}
    assert set(committed) <= ids  # every commit the writer reported is on disk
    store.log(LoggedRequest(id="after", endpoint="chat", model="m", output="ok"))
    assert store.get("after").output == "ok"
    store.close()
