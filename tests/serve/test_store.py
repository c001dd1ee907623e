"""The store, on SQLite and on a real PostgreSQL server: rows round-trip, filters, text either can hold, hidden
passwords, and a store that opens whole after its writer is killed mid-write."""

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


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path) -> str:
    """Where a fresh store goes: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "log.db")
    return request.getfixturevalue("postgres").new_database()


def test_a_logged_request_reads_back_whole(target):
    store = Store(target)
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
    store.close()


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    Store(tmp_path / "log.db").close()
    with sqlite3.connect(tmp_path / "log.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_text_no_database_can_hold_is_stored_as_replacement_characters(target):
    store = Store(target)
    odd = "a\x00b\ud800c"  # PostgreSQL text refuses NUL; no UTF-8 database takes a lone surrogate
    store.log(
        LoggedRequest(
            id="odd",
            endpoint="chat",
            model="m",
            output=odd,
            tags=[odd],
            messages=[{"role": "user", "content": odd}],
            meta={odd: odd},
            feedback=[Feedback("odd", comment=odd)],
        )
    )
    back = store.get("odd")
    clean = "a\ufffdb\ufffdc"
    assert (back.output, back.tags, back.messages[0]["content"], back.meta) == (clean, [clean], clean, {clean: clean})
    assert back.feedback[0].comment == clean
    store.close()


def test_query_orders_and_limits(target):
    store = Store(target)
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
    assert store_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"  # psycopg 3, the driver we ship
    assert store_url("postgres://u:p@h:5433/db") == "postgresql+psycopg://u:p@h:5433/db"
    assert store_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"  # a driver named is kept
    with pytest.raises(InputError, match="expected a SQLAlchemy URL") as bad:
        store_url("postgresql://u:hunter2@h:port/db")
    assert "hunter2" not in str(bad.value)
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


def test_store_opens_cleanly_after_sigkill_mid_write(target):
    """SQLite: the file passes its integrity check. PostgreSQL: the server rolls back the dead client's open
    transactions. Both: every row `log` returned for is there, whole (with its tag), and the store takes more."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, target], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    committed = []
    for line in writer.stdout:
        committed.append(line.strip())
        if len(committed) >= 60:
            break
    os.kill(writer.pid, signal.SIGKILL)  # while four threads are writing
    writer.wait(30)
    committed += [line.strip() for line in writer.stdout.read().splitlines() if line.strip()]
    assert len(committed) >= 60, "the writer died before it wrote"

    if "://" not in target:
        with sqlite3.connect(target) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(target)
    rows = store.query()
    assert set(committed) <= {r.id for r in rows}  # every commit the writer reported is stored
    assert all(r.tags == ["t"] and len(r.messages[0]["content"]) == 2000 for r in rows)  # and no row is half there
    store.log(LoggedRequest(id="after", endpoint="chat", model="m", output="ok"))
    assert store.get("after").output == "ok"
    store.close()
