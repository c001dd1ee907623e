"""The store on a real PostgreSQL server: passwords never shown, clear errors, many openers, and `tunesmith logs`."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serve.postgres import PASSWORD, USER
from tunesmith.cli.main import main
from tunesmith.errors import InputError
from tunesmith.serve.store import Feedback, LoggedRequest, Store


def test_the_password_is_used_but_never_shown(postgres):
    url = postgres.new_database()
    store = Store(url)
    assert store.url == url.replace(PASSWORD, "***").replace("postgresql://", "postgresql+psycopg://")
    assert PASSWORD not in f"{store.url} {store.engine} {store.engine.url}"
    store.close()


def test_a_url_without_a_password_finds_it_in_a_pgpass_file(postgres, tmp_path, monkeypatch):
    url = postgres.new_database()
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres.port}:*:{USER}:{PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))  # libpq's own setting, as ~/.pgpass
    store = Store(url.replace(f":{PASSWORD}@", "@"))
    store.log(LoggedRequest(id="r", endpoint="chat", model="m", output="ok"))
    assert store.get("r").output == "ok" and "***" not in store.url
    store.close()


def test_a_wrong_password_or_no_server_is_an_input_error_without_the_password(postgres):
    wrong = postgres.url().replace(PASSWORD, "not-the-password")
    with pytest.raises(InputError, match="password authentication failed") as failed:
        Store(wrong)
    assert "not-the-password" not in str(failed.value) and "***" in str(failed.value)
    nobody = postgres.url().replace(f":{postgres.port}/", ":1/")
    with pytest.raises(InputError, match="cannot open the request log"):
        Store(nobody)


def test_stores_opened_at_once_create_the_tables_once_and_share_them(postgres):
    url = postgres.new_database()

    def open_and_log(i: int) -> Store:
        store = Store(url)
        store.log(LoggedRequest(id=f"r{i}", endpoint="chat", model="m", output=str(i), tags=["shared"]))
        store.add_feedback(Feedback(f"r{i}", rating="up"))
        return store

    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(open_and_log, range(6)))
    assert sorted(r.id for r in stores[0].query()) == [f"r{i}" for i in range(6)]
    assert all(r.rating == "up" and r.tags == ["shared"] for r in stores[-1].query())
    for store in stores:
        store.close()


def test_a_crashed_database_keeps_every_logged_row_and_the_store_reconnects(postgres):
    store = Store(postgres.new_database())
    for i in range(20):
        store.log(LoggedRequest(id=f"r{i}", endpoint="chat", model="m", output=str(i), tags=["t"]))
    postgres.crash_and_restart()  # the pool's connections are now dead: each is checked before use, and replaced
    store.log(LoggedRequest(id="after", endpoint="chat", model="m", output="ok"))
    assert [r.id for r in store.query()] == [f"r{i}" for i in range(20)] + ["after"]
    store.close()


def test_tunesmith_logs_reads_a_postgresql_store(postgres, monkeypatch, capsys):
    url = postgres.new_database()
    store = Store(url)
    store.log(
        LoggedRequest(
            id="chatcmpl-pg",
            endpoint="chat",
            model="m",
            output="Paris.",
            messages=[{"role": "user", "content": "Capital of France?"}],
        )
    )
    store.add_feedback(Feedback("chatcmpl-pg", rating="up"))
    store.close()

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["tunesmith", "logs", *args, "--store", url])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    code, listed = run("list")
    assert code == 0 and "chatcmpl-pg" in listed and "France?" in listed  # the table may wrap
    code, shown = run("show", "chatcmpl-pg")
    assert code == 0 and '"output": "Paris."' in shown
    code, missing = run("show", "chatcmpl-none")
    assert code == 2 and "no logged request" in missing
    assert PASSWORD not in listed + shown + missing
