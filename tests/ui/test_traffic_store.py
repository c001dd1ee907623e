"""`Store.page` (the Traffic page's query) on SQLite and on a real PostgreSQL server: newest first, a total for
paging, a case-insensitive text search that finds Chinese in the JSON messages too, and the has-a-correction
switch; LIKE's own wildcards are searched as text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tunesmith.serve.logfilter import LogFilter
from tunesmith.serve.store import Feedback, LoggedRequest, Store, utcnow


@pytest.fixture(scope="module")
def postgres():
    from tests.serve.postgres import MISSING, Cluster, server_bin

    bin_dir = server_bin()
    if bin_dir is None:
        pytest.fail(MISSING, pytrace=False)
    cluster = Cluster(bin_dir).start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    sqlite = str(tmp_path / "log.db")
    target = sqlite if request.param == "sqlite" else request.getfixturevalue("postgres").new_database()
    log = Store(target)
    start = utcnow() - timedelta(minutes=10)
    asked = [("Capital of France?", "Paris."), ("中国的首都是哪里？", "北京。"), ("100% sure_thing?", "Yes.")]
    for i, (question, answer) in enumerate(asked):
        log.log(
            LoggedRequest(
                id=f"chatcmpl-{i}", endpoint="chat", model="alpha" if i < 2 else "beta", output=answer,
                messages=[{"role": "user", "content": question}], created_at=start + timedelta(minutes=i),
            )
        )  # fmt: skip
    log.log(LoggedRequest(id="cmpl-9", endpoint="completions", model="alpha", output="world", prompt="Hello"))
    log.add_feedback(Feedback("chatcmpl-0", rating="down", correction="Paris!"))
    log.add_feedback(Feedback("chatcmpl-1", rating="up"))
    yield log
    log.close()


def ids(found: tuple[list[LoggedRequest], int]) -> list[str]:
    return [entry.id for entry in found[0]]


def test_pages_newest_first_with_a_total(store):
    assert ids(store.page()) == ["cmpl-9", "chatcmpl-2", "chatcmpl-1", "chatcmpl-0"]
    rows, total = store.page(limit=2, offset=1)
    assert [r.id for r in rows] == ["chatcmpl-2", "chatcmpl-1"] and total == 4
    assert store.page(LogFilter(model="alpha"), limit=1)[1] == 3


def test_searches_prompts_messages_and_answers_in_any_case(store):
    assert ids(store.page(search="france")) == ["chatcmpl-0"]
    assert ids(store.page(search="首都")) == ["chatcmpl-1"]
    assert ids(store.page(search="北京")) == ["chatcmpl-1"]
    assert ids(store.page(search="HELLO")) == ["cmpl-9"]
    assert ids(store.page(search="0% s")) == ["chatcmpl-2"]
    assert ids(store.page(search="%")) == ["chatcmpl-2"] and ids(store.page(search="_")) == ["chatcmpl-2"]
    assert ids(store.page(LogFilter(model="beta"), search="France")) == []


def test_filters_by_having_a_correction(store):
    assert ids(store.page(corrected=True)) == ["chatcmpl-0"]
    assert ids(store.page(corrected=False)) == ["cmpl-9", "chatcmpl-2", "chatcmpl-1"]
    assert ids(store.page(LogFilter(feedback="up"), corrected=False)) == ["chatcmpl-1"]
