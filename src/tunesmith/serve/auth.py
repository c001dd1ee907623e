"""API keys (bearer tokens, constant-time compare) and per-key rate limits.

Keys never reach the log or the store: a key is known there by its id, a short hash of it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tunesmith.errors import InputError


def key_id(key: str) -> str:
    """A short, stable, non-reversible name for a key: `key-` + 12 hex digits of its SHA-256."""
    return "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def read_keys_file(path: str | Path) -> list[str]:
    """Keys from a file, one per line; blank lines and `#` comments are skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), f"cannot read the keys file ({exc.strerror})") from None
    keys = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    for number, key in enumerate(keys, 1):
        if len(key) < 8 or any(c.isspace() for c in key):
            raise InputError(f"{path}: key {number}", "expected one key per line, at least 8 characters, no spaces")
    if not keys:
        raise InputError(str(path), "no keys in the file; expected one key per line")
    return keys


class KeyRing:
    """The accepted keys; with none configured every request is let in (bind to loopback then)."""

    def __init__(self, keys: list[str]):
        self._keys = [(k.encode("utf-8"), key_id(k)) for k in dict.fromkeys(keys)]

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def identify(self, authorization: str | None) -> str | None:
        """The key id for an `Authorization: Bearer KEY` header; None when it is missing or wrong."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        given = token.strip().encode("utf-8")
        found = None
        for known, kid in self._keys:  # compare against every key, so timing says nothing about which matched
            if hmac.compare_digest(given, known):
                found = kid
        return found


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, bursts up to `per_minute` (0 = no limit)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, who: str) -> float:
        """Take one request from `who`'s bucket: 0.0 when allowed, else the seconds until one is available."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        with self._lock:
            now = self.clock()
            tokens, last = self._buckets.get(who, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / rate


class RequireKey:
    """ASGI middleware: with keys configured, every path but /health needs a valid bearer key (else 401).

    The key's id is put in the request state (`request.state.key_id`), None when keys are off.
    """

    def __init__(self, app, keys: KeyRing, open_paths: tuple[str, ...] = ("/health",)):
        self.app = app
        self.keys = keys
        self.open_paths = open_paths

    async def __call__(self, scope, receive, send) -> None:
        from tunesmith.serve.errors import unauthorized

        if scope["type"] == "http":
            kid = None
            if self.keys.enabled and scope["path"] not in self.open_paths:
                header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
                kid = self.keys.identify(header)
                if kid is None:
                    await unauthorized().send(send)
                    return
            scope.setdefault("state", {})["key_id"] = kid
        await self.app(scope, receive, send)
