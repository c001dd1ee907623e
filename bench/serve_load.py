"""Load test of `tunesmith serve` on loopback: many concurrent chat clients against the default model.

    python bench/serve_load.py [--backend transformers|llama.cpp] [--quant f16] [--clients 32] [--seconds 60]
                               [--max-tokens 32] [--threads N] [--kill-test]

Load phase: starts `tunesmith serve smollm2-135m --backend B` as a subprocess on a free 127.0.0.1 port with a
fresh SQLite store, runs `--clients` concurrent clients (one asyncio task each, httpx) that send short chat
prompts (greedy, `max_tokens` as given) one after another for `--seconds`, stops the server, and prints requests done,
requests/s, p50/p95/max latency, the 5xx and 429 counts, and whether every answered request is in the store exactly once
(matched by response id). `--kill-test` adds a phase on a fresh store: the same load, `kill -9` of the server
half way through, a restart on the same store; it checks that the store passes SQLite's integrity check, that the
restarted server answers (and logs), and that every response a client received before the kill has its row.
The exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

KILL_AFTER_ANSWERS = 4  # the kill test waits for this many answers, so there are rows to check
PROMPTS = [
    "What is the capital of France?",
    "Name three primary colors.",
    "Give me a synonym for happy.",
    "How many days are in a week?",
    "What do bees make?",
    "Translate 'thank you' into Spanish.",
    "What is 12 times 3?",
    "Suggest a name for a black cat.",
]


@dataclass
class Tally:
    """What the clients saw: answered ids, latencies of 200s, and every other outcome by status."""

    ids: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`tunesmith serve` in a subprocess; its output goes to a log file."""

    def __init__(self, args: argparse.Namespace, store: Path, log: Path):
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "tunesmith", "serve", args.model, "--port", str(self.port)]
        command += ["--store", str(store), "--max-tokens", str(args.max_tokens), "--queue-size", str(args.queue_size)]
        command += ["--backend", args.backend] + (["--quant", args.quant] if args.quant else [])
        if args.threads:
            command += ["--threads", str(args.threads)]
        self.log = log
        with open(log, "a") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; its log:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.root}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.5)

    def stop(self) -> None:
        """Graceful stop (SIGINT, as Ctrl-C), then SIGKILL if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()


async def client(http: httpx.AsyncClient, worker: int, deadline: float, args, tally: Tally, stop: asyncio.Event):
    """One client: request after request until the deadline (or `stop`); a 429 waits for its Retry-After."""
    i = 0
    while time.monotonic() < deadline and not stop.is_set():
        prompt = PROMPTS[(worker + i) % len(PROMPTS)]
        body = {"model": args.model, "messages": [{"role": "user", "content": prompt}]}
        body.update(max_tokens=args.max_tokens, temperature=0, metadata={"client": str(worker)})
        started = time.perf_counter()
        i += 1
        try:
            reply = await http.post("/v1/chat/completions", json=body)
        except httpx.HTTPError as exc:
            tally.count(type(exc).__name__)
            if stop.is_set():
                return
            await asyncio.sleep(0.2)
            continue
        tally.count(str(reply.status_code))
        if reply.status_code == 200:
            tally.ids.append(reply.json()["id"])
            tally.latencies.append(time.perf_counter() - started)
        elif reply.status_code == 429:
            await asyncio.sleep(float(reply.headers.get("retry-after", "1")))


async def drive(server: Server, args, kill_after: float | None = None) -> tuple[Tally, float]:
    """Run the clients for --seconds (killing the server after `kill_after` s if given); (tally, seconds run)."""
    tally, stop = Tally(), asyncio.Event()
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=server.root, timeout=600, limits=limits) as http:
        started = time.monotonic()
        deadline = started + (args.seconds if kill_after is None else 3600)  # the kill ends the kill test's load
        tasks = [asyncio.create_task(client(http, w, deadline, args, tally, stop)) for w in range(args.clients)]
        if kill_after is not None:  # once kill_after s have passed and some answers came back: kill -9
            while time.monotonic() - started < kill_after or len(tally.ids) < KILL_AFTER_ANSWERS:
                if all(task.done() for task in tasks) or time.monotonic() - started > kill_after + 600:
                    break  # the clients gave up, or the server answers too little: kill anyway (the check fails)
                await asyncio.sleep(0.05)
            server.kill()
            stop.set()
        await asyncio.gather(*tasks)
        return tally, time.monotonic() - started


def stored(store: Path) -> tuple[str, dict[str, int], dict[str, int]]:
    """SQLite's integrity check result, how many rows each response id has, and how many rows have each status."""
    with sqlite3.connect(store) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = dict(conn.execute("SELECT id, COUNT(*) FROM requests GROUP BY id").fetchall())
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM requests GROUP BY status").fetchall())
    return check, rows, statuses


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def load_phase(args, folder: Path) -> bool:
    store = folder / "load.db"
    server = Server(args, store, folder / "server.log")
    try:
        server.wait_ready()
        tally, seconds = asyncio.run(drive(server, args))
    finally:
        server.stop()
    check, rows, statuses = stored(store)
    done = len(tally.ids)
    five_xx = sum(n for status, n in tally.statuses.items() if status.startswith("5"))
    missing = [rid for rid in tally.ids if rows.get(rid) != 1]
    logged_ok = statuses.get("ok", 0)  # equal to `done`: no answered request logged twice, none logged unanswered
    ok = five_xx == 0 and not missing and check == "ok" and len(set(tally.ids)) == done and logged_ok == done
    print(
        f"\nload: {args.clients} clients, {args.seconds:.0f} s of sending, max_tokens {args.max_tokens}, {args.model}, "
        f"--backend {args.backend}" + (f" --quant {args.quant}" if args.quant else "")
    )
    print(f"  {'seconds until the last answer':<32}{seconds:.1f}")
    print(f"  {'requests done':<32}{done}")
    print(f"  {'requests/s':<32}{done / seconds:.2f}")
    print(f"  {'latency p50 / p95 / max (s)':<32}", end="")
    print(" / ".join(f"{percentile(tally.latencies, q):.2f}" for q in (0.5, 0.95, 1.0)))
    print(f"  {'5xx':<32}{five_xx}")
    print(f"  {'429':<32}{tally.statuses.get('429', 0)}")
    others = {s: n for s, n in tally.statuses.items() if s not in ("200", "429")}
    print(f"  {'other outcomes':<32}{others or 'none'}")
    print(f"  {'answered, logged exactly once':<32}{done - len(missing)} of {done}")
    print(f"  {'store rows by status':<32}{statuses}")
    print(f"  {'store integrity':<32}{check}")
    print(f"  {'result':<32}{'PASS' if ok else 'FAIL'}")
    return ok


def kill_phase(args, folder: Path) -> bool:
    store = folder / "kill.db"
    server = Server(args, store, folder / "server-kill.log")
    try:
        server.wait_ready()
        tally, _ = asyncio.run(drive(server, args, kill_after=args.seconds / 2))
    finally:
        if server.process.poll() is None:
            server.kill()
    check, rows, _ = stored(store)
    restarted = Server(args, store, folder / "server-restart.log")
    try:
        restarted.wait_ready()
        body = {"model": args.model, "messages": [{"role": "user", "content": PROMPTS[0]}], "max_tokens": 8}
        after = httpx.post(f"{restarted.root}/v1/chat/completions", json=body, timeout=300)
    finally:
        restarted.stop()
    _, rows_after, _ = stored(store)
    answered_ok = after.status_code == 200 and rows_after.get(after.json()["id"]) == 1
    missing = [rid for rid in tally.ids if rows.get(rid) != 1]
    ok = check == "ok" and not missing and answered_ok and len(tally.ids) >= KILL_AFTER_ANSWERS
    print(f"\nkill -9 mid-load (after {args.seconds / 2:.0f} s and {KILL_AFTER_ANSWERS}+ answers), then restart")
    print(f"  {'answered before the kill':<32}{len(tally.ids)}")
    print(f"  {'of those with their row':<32}{len(tally.ids) - len(missing)}")
    print(f"  {'rows in the store':<32}{len(rows)} (cancelled or in-flight requests may add rows)")
    print(f"  {'store integrity after kill':<32}{check}")
    print(f"  {'restarted server answers+logs':<32}{'yes' if answered_ok else 'no'}")
    print(f"  {'result':<32}{'PASS' if ok else 'FAIL'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-135m")
    parser.add_argument("--backend", default="transformers", help="the server's --backend (transformers, llama.cpp)")
    parser.add_argument("--quant", default=None, help="the server's --quant (llama.cpp; default f16)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--queue-size", type=int, default=64, help="the server's --queue-size")
    parser.add_argument("--threads", type=int, default=None, help="the server's --threads (default: the backend's own)")
    parser.add_argument("--kill-test", action="store_true", help="also kill -9 the server mid-load and restart it")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"command: python bench/serve_load.py {' '.join(sys.argv[1:])}")
    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        ok = load_phase(args, Path(tmp))
        if args.kill_test:
            ok = kill_phase(args, Path(tmp)) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
