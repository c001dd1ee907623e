"""Who may call: bearer keys checked in constant time, admin routes for admin keys only, per-key rate limits.

Keys never reach the log or the store: a key is known there by its id (see `tunesmith.serve.keys`).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tunesmith.serve.keys import ApiKey, Role, key_id

ADMIN_PREFIX = "/admin"
UI_PREFIX = "/ui"  # the web UI's static pages: no data in them, so no key is needed to load them
UI_API_PREFIX = "/ui/api"  # the UI's own routes: an admin key whenever keys are configured, open on a keyless server


@dataclass(frozen=True)
class Identity:
    """The caller a valid key names: its id and role."""

    key_id: str
    role: Role


class KeyRing:
    """The accepted keys; with none configured every request but the admin routes is let in (bind to loopback)."""

    def __init__(self, keys: list[ApiKey], secret: bytes = b""):
        if keys and len(secret) < 16:
            raise ValueError("a key ring with keys needs the server's key-id secret (at least 16 bytes)")
        self._keys = [(k.value.encode("utf-8"), Identity(key_id(k.value, secret), k.role)) for k in keys]

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def identify(self, authorization: str | None) -> Identity | None:
        """Who an `Authorization: Bearer KEY` header names; None when it is missing or wrong."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        given = token.strip().encode("utf-8")
        found = None
        for known, identity in self._keys:  # compare against every key, so timing says nothing about which matched
            if hmac.compare_digest(given, known):
                found = identity
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
    """ASGI middleware: with keys configured, every path but /health needs a valid bearer key (else 401), and
    `/admin/*` needs an admin key (else 403; with no keys configured at all, admin routes are closed).
    The UI's static pages (`/ui/…`) are open; its routes (`/ui/api/…`) need an admin key when keys are configured.

    The key's id is put in the request state (`request.state.key_id`), None when keys are off.
    """

    def __init__(self, app, keys: KeyRing, open_paths: tuple[str, ...] = ("/health", "/")):  # `/`: the UI redirect
        self.app = app
        self.keys = keys
        self.open_paths = open_paths

    async def __call__(self, scope, receive, send) -> None:
        from tunesmith.serve.errors import forbidden, unauthorized

        if scope["type"] == "http":
            path = scope["path"]
            admin = _under(path, ADMIN_PREFIX)
            ui_api = _under(path, UI_API_PREFIX)
            static = _under(path, UI_PREFIX) and not ui_api
            who = None
            if self.keys.enabled and path not in self.open_paths and not static:
                header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
                who = self.keys.identify(header)
                if who is None:
                    await unauthorized().send(send)
                    return
            if admin and (who is None or who.role != "admin"):
                await forbidden(admin_configured=self.keys.enabled).send(send)
                return
            if ui_api and who is not None and who.role != "admin":
                await forbidden(admin_configured=True).send(send)
                return
            state = scope.setdefault("state", {})
            state["key_id"], state["role"] = (who.key_id, who.role) if who else (None, None)
        await self.app(scope, receive, send)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
