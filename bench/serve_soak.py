"""Soak test of the server on loopback: a steady, bounded load for a long time, watching errors, latency and memory.

    python bench/serve_soak.py [--seconds 600] [--rate 20] [--clients 4] [--model echo|smollm2-135m]
                               [--store PATH_OR_URL] [--max-tokens 16]

Starts a server in a subprocess on a free 127.0.0.1 port: by default the app over the tests' model-free echo
backend (tests/serve/fakes.py: it answers with the prompt reversed, so the numbers are the server's own: routing,
validation, auth, logging, the store), with an API key; `--model smollm2-135m` runs `tunesmith serve` on the real
default model instead (no key). `--clients` threads send `--rate` requests per second in all, on a fixed schedule
(request i is due at i/rate s; a late request goes at once, it never bunches up): mostly chat completions, with
streamed chat, text completions, feedback on earlier answers, model lists, and a few requests that must fail (no
key, an unknown model) to keep the error paths warm. It samples the server's RSS every 5 s and prints a table:
requests served, outcomes by status, latency p50/p95/max, RSS at start, end and peak (and its drift over the
second half), and whether every answered completion is in the store exactly once. Exit status 1 when a request
the server should have answered failed, a 5xx was seen, or a row is missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-soak-0123456789"
PROMPTS = ["What is the capital of France?", "Name three primary colors.", "How many days are in a week?"]
# (kind, slots of the 38 the load cycles through, shuffled): the last two kinds must fail (401, 404)
MIX = [("chat", 20), ("chat-stream", 6), ("completion", 6), ("feedback", 1), ("models", 3), ("no-key", 1)]
MIX += [("unknown-model", 1)]
# what each kind must answer; feedback is rate-limited per key (60/min by default), so a 429 there is by design
EXPECTED = {"no-key": {401}, "unknown-model": {404}, "feedback": {200, 429, "skipped"}}


def serve_echo(port: int, store: str) -> None:
    """Server mode (this script, run again as a subprocess): the app over the echo backend, until SIGINT."""
    import uvicorn

    sys.path.insert(0, str(ROOT))
    from tests.serve.fakes import EchoBackend
    from tunesmith.serve.app import ServerSettings, create_app
    from tunesmith.serve.store import Store

    app = create_app(EchoBackend(), Store(store), ServerSettings(api_keys=(KEY,), max_tokens=64))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mib(pid: int) -> tuple[float, float]:
    """The process's resident memory now and its peak (VmRSS, VmHWM), in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


@dataclass
class Tally:
    """What the clients saw, by request kind; latencies of answered requests; ids of answered completions."""

    outcomes: Counter = field(default_factory=Counter)  # (kind, status)
    latencies: list[float] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    late: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def request(http: httpx.Client, kind: str, i: int, args, tally: Tally) -> tuple[int | str, str | None]:
    """Send one request of `kind`; its status (or exception name) and the completion id it answered with."""
    model = "echo" if args.model == "echo" else args.model
    prompt = f"{PROMPTS[i % len(PROMPTS)]} ({i})"
    chat = {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": args.max_tokens}
    chat.update(temperature=0, tags=["soak"], metadata={"i": str(i)})
    if kind == "chat":
        reply = http.post("/v1/chat/completions", json=chat)
    elif kind == "chat-stream":
        with http.stream("POST", "/v1/chat/completions", json={**chat, "stream": True}) as reply:
            text = "".join(reply.iter_text())
        rid = text.split('"id":"', 1)[1].split('"', 1)[0] if reply.status_code == 200 and '"id":"' in text else None
        return reply.status_code, rid
    elif kind == "completion":
        reply = http.post("/v1/completions", json={"model": model, "prompt": prompt, "max_tokens": args.max_tokens})
    elif kind == "feedback":
        with tally.lock:
            earlier = tally.ids[-1] if tally.ids else None
        if earlier is None:
            return "skipped", None
        reply = http.post("/v1/feedback", json={"request_id": earlier, "rating": "up" if i % 2 else "down"})
        return reply.status_code, None
    elif kind == "models":
        reply = http.get("/v1/models")
        return reply.status_code, None
    elif kind == "no-key":
        reply = http.post("/v1/chat/completions", json=chat, headers={"Authorization": "Bearer sk-wrong-key-000"})
        return reply.status_code, None
    else:  # unknown-model
        reply = http.post("/v1/chat/completions", json={**chat, "model": "no-such-model"})
        return reply.status_code, None
    return reply.status_code, reply.json()["id"] if reply.status_code == 200 else None


def client(base: str, args, schedule: list[str], started: float, cursor: list[int], tally: Tally) -> None:
    """One client thread: take the next due request off the shared schedule, wait for its time, send it."""
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        while True:
            with tally.lock:
                i = cursor[0]
                cursor[0] += 1
            due = started + i / args.rate
            if due >= started + args.seconds:
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            elif wait < -1.0:
                with tally.lock:
                    tally.late += 1
            kind = schedule[i % len(schedule)]
            sent = time.perf_counter()
            try:
                status, rid = request(http, kind, i, args, tally)
            except httpx.HTTPError as exc:
                status, rid = type(exc).__name__, None
            took = time.perf_counter() - sent
            with tally.lock:
                tally.outcomes[(kind, status)] += 1
                if status == 200:
                    tally.latencies.append(took)
                if rid is not None:
                    tally.ids.append(rid)


def start_server(args, store: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    if args.model == "echo":
        command = [sys.executable, __file__, "--serve-echo", str(port), store]
    else:
        command = [sys.executable, "-m", "tunesmith", "serve", args.model, "--port", str(port), "--store", store]
        command += ["--max-tokens", str(args.max_tokens)]
    with open(log, "a") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    root = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"server did not start; its log:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{root}/health", timeout=2).status_code == 200:
                return process, root
        except httpx.TransportError:
            time.sleep(0.3)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def masked(argv: list[str]) -> list[str]:
    """The command line with a store URL's password hidden."""
    from sqlalchemy.engine import make_url

    return [make_url(arg).render_as_string(hide_password=True) if "://" in arg and "@" in arg else arg for arg in argv]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def stored_ids(store: str) -> Counter:
    """How many rows each response id has in the store (read through the store itself: any URL)."""
    from tunesmith.serve.store import Store

    log = Store(store)
    try:
        return Counter(entry.id for entry in log.query())
    finally:
        log.close()


def soak(args, folder: Path) -> bool:
    store = args.store or str(folder / "soak.db")
    keyless = args.model != "echo"  # `tunesmith serve` on loopback without --keys-file takes any key
    schedule = [kind for kind, slots in MIX if not (keyless and kind == "no-key") for _ in range(slots)]
    random.Random(0).shuffle(schedule)
    process, root = start_server(args, store, folder / "server.log")
    tally, cursor, samples = Tally(), [0], []
    try:
        with httpx.Client(base_url=root, headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as warm:
            body = {"model": "echo" if args.model == "echo" else args.model, "max_tokens": args.max_tokens}
            warm.post("/v1/chat/completions", json={**body, "messages": [{"role": "user", "content": "warm up"}]})
        samples.append((0.0, *rss_mib(process.pid)))
        started = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(root, args, schedule, started, cursor, tally), daemon=True)
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            time.sleep(min(5.0, max(0.1, args.seconds / 20)))
            samples.append((time.monotonic() - started, *rss_mib(process.pid)))
        elapsed = time.monotonic() - started
    finally:
        stop_server(process)
    rows = stored_ids(store)
    return report(args, tally, samples, elapsed, rows)


def report(args, tally: Tally, samples: list, elapsed: float, rows: Counter) -> bool:
    statuses = Counter()
    unexpected = 0
    for (kind, status), n in tally.outcomes.items():
        statuses[str(status)] += n
        if status not in EXPECTED.get(kind, {200}):
            unexpected += n
    served = sum(n for (kind, status), n in tally.outcomes.items() if status == 200)
    five_xx = sum(n for status, n in statuses.items() if status.startswith("5"))
    missing = [rid for rid in tally.ids if rows.get(rid) != 1]
    start_rss, end_rss = samples[0][1], samples[-1][1]
    peak = max(hwm for _, _, hwm in samples)
    half = [rss for t, rss, _ in samples if t >= elapsed / 2]
    drift = (half[-1] - half[0]) if len(half) > 1 else 0.0
    ok = unexpected == 0 and five_xx == 0 and not missing
    print(
        f"\nsoak: {args.model} on 127.0.0.1, {args.clients} client threads, {args.rate:g} requests/s for "
        f"{args.seconds:g} s, max_tokens {args.max_tokens}, store {'given' if args.store else 'SQLite (temp)'}"
    )
    line = "  {:<40}{}"
    print(line.format("seconds until the last answer", f"{elapsed:.1f}"))
    print(line.format("requests sent", sum(tally.outcomes.values())))
    print(line.format("requests served (200)", served))
    print(line.format("requests/s served", f"{served / elapsed:.2f}"))
    print(line.format("sent > 1 s late (server behind)", tally.late))
    print(line.format("outcomes by status", dict(sorted(statuses.items()))))
    print(
        line.format(
            "  of which expected 401 / 404",
            f"{tally.outcomes[('no-key', 401)]} / {tally.outcomes[('unknown-model', 404)]}",
        )
    )
    print(line.format("unexpected outcomes", unexpected))
    print(line.format("5xx", five_xx))
    p = [percentile(tally.latencies, q) * 1000 for q in (0.5, 0.95, 1.0)]
    print(line.format("latency of 200s p50 / p95 / max (ms)", f"{p[0]:.1f} / {p[1]:.1f} / {p[2]:.1f}"))
    print(line.format("server RSS start / end / peak (MiB)", f"{start_rss:.1f} / {end_rss:.1f} / {peak:.1f}"))
    print(line.format("RSS drift over the 2nd half (MiB)", f"{drift:+.1f}"))
    print(line.format("answered completions in the store", f"{len(tally.ids) - len(missing)} of {len(tally.ids)}"))
    print(line.format("result", "PASS" if ok else "FAIL"))
    return ok


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-echo":
        serve_echo(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=20, help="requests per second, all clients together")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--model", default="echo", help="echo (the model-free backend) or a model, e.g. smollm2-135m")
    parser.add_argument("--store", default=None, help="the server's store (default: a temporary SQLite file)")
    parser.add_argument("--max-tokens", type=int, default=16)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"command: python bench/serve_soak.py {' '.join(masked(sys.argv[1:]))}")
    with tempfile.TemporaryDirectory(prefix="serve-soak-") as tmp:
        ok = soak(args, Path(tmp))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
