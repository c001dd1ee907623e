"""A fake OpenAI-compatible chat server for tests: local, in a thread, replies decided by a test's function.

    with FakeOpenAI(lambda body: "Hello") as server:
        client = OpenAI(base_url=server.base_url, api_key="k")
        ...
        server.requests  # what it received: path, headers (lower-cased names) and JSON body

The handler gets the request's JSON body and returns the assistant's text, or a `(status, json_body)` tuple to
answer with anything else (an error, a reply without choices …).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[dict], "str | tuple[int, dict]"]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    @property
    def prompt(self) -> str:
        """The last message's content: for one-turn requests, the prompt itself."""
        return self.messages[-1]["content"] if self.messages else ""


class FakeOpenAI:
    """An HTTP server on 127.0.0.1 (a free port) answering POST …/chat/completions through `handler`."""

    def __init__(self, handler: Handler):
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._request_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def reply(self, body: dict) -> tuple[int, dict]:
        """The response to a request body: the handler's answer (HTTP 500 naming the error if the handler fails)."""
        try:
            answer = self.handler(body)
        except Exception as exc:  # a broken test handler shows up as a server error, not a hung client
            return 500, {"error": {"message": f"handler failed: {exc!r}", "type": "server_error"}}
        if isinstance(answer, tuple):
            return answer
        return 200, completion(answer, body.get("model", ""))

    def _request_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with server._lock:
                    server.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if self.path.rstrip("/").endswith("/chat/completions"):
                    status, payload = server.reply(body)
                else:
                    status, payload = 404, {"error": {"message": f"no route {self.path}", "type": "not_found"}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        return RequestHandler


def completion(text: str, model: str = "") -> dict:
    """A chat.completion response body holding `text` as the one choice."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }
