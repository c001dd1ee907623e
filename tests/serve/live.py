"""Run an ASGI app with uvicorn on 127.0.0.1 (a free port) in a background thread, for tests.

Every error the app answers with (a status of 400 or more, or an error event in a stream) is checked on its way
out: a body holding a server path (this checkout, the temporary folder, the home folder, Python's prefix) or a
traceback fails the test that started the server. So each error test of the suite is also a leak test.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def leaks(body: str) -> list[str]:
    """What in an error body would tell a client about the server: its paths or a traceback."""
    markers = [os.getcwd(), tempfile.gettempdir() + "/", str(Path.home()) + "/", sys.prefix, "Traceback (most"]
    return [marker for marker in markers if marker in body]


class ErrorAudit:
    """ASGI middleware that records every error body holding a leak (see `leaks`)."""

    def __init__(self, app):
        self.app = app
        self.found: list[str] = []

    @property
    def state(self):
        """The wrapped app's state, so tests reach `app.state` through the server as before."""
        return self.app.state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = [0]

        async def audited(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                body = message.get("body", b"").decode("utf-8", "replace")
                if (status[0] >= 400 or '"error"' in body) and leaks(body):
                    self.found.append(f"{scope['method']} {scope['path']} -> {status[0]}: {body[:300]}")
            await send(message)

        await self.app(scope, receive, audited)


class LiveServer:
    """`with LiveServer(app) as live:` serves `app` at `live.base_url` (…/v1) until the block ends."""

    def __init__(self, app):
        self.port = free_port()
        self.audit = ErrorAudit(app)
        config = uvicorn.Config(self.audit, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        assert not self.audit.found, "error bodies that reveal the server:\n" + "\n".join(self.audit.found)
