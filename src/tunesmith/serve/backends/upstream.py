"""The upstream backend (proxy mode): forward each request to an OpenAI-compatible teacher and relay its answer.

This is how a team captures a teacher's answers before it has a student: the app logs every request exactly as
it does for a local model, and this backend only talks to the teacher. Requests go upstream streamed, with
`stream_options.include_usage`, so a streaming client gets the teacher's text chunk by chunk and the log's token
counts are the teacher's own `usage`; a teacher that ignores `stream` and answers with one JSON body works too.
Teacher errors become OpenAI-style errors: 4xx pass through (except 401/403, which concern the server's own
upstream key, and become 502), an unreachable or failing teacher is a 502, one that stops answering a 504.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import httpx

from tunesmith.errors import InputError
from tunesmith.models.tool_calls import call_text, tool_call
from tunesmith.serve.backends.base import Backend, Delta, Finish, Generation, GenerationRequest, ModelInfo
from tunesmith.serve.backends.tasks import RunningTasks
from tunesmith.serve.errors import APIError, model_not_found

log = logging.getLogger("tunesmith.serve")


def check_url(url: str) -> str:
    """The teacher's base URL without a trailing slash (as the openai client's `base_url`: …/v1)."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"--upstream {url}", "expected an http(s) base URL such as https://api.openai.com/v1")
    return url.rstrip("/")


def upstream_models(url: str, api_key: str | None, timeout: float = 10.0) -> list[str]:
    """The model ids the teacher lists at GET {url}/models (used when the server is not told what to serve)."""
    hint = "name the model to serve: tunesmith serve MODEL --upstream URL"
    try:
        reply = httpx.get(f"{check_url(url)}/models", headers=_auth(api_key), timeout=timeout)
        reply.raise_for_status()
        ids = [item["id"] for item in reply.json()["data"]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"--upstream {url}", f"could not list the teacher's models ({exc}); {hint}") from None
    if not ids:
        raise InputError(f"--upstream {url}", f"the teacher lists no models; {hint}")
    return ids


class UpstreamBackend(Backend):
    """Serves `names`; each request goes to the teacher at `url` as model `upstream_model` (default: its own name)."""

    def __init__(
        self,
        url: str,
        names: list[str],
        upstream_model: str | None = None,
        api_key: str | None = None,
        queue_size: int = 64,
        timeout: float = 300.0,
    ):
        self.url = check_url(url)
        self.names = list(dict.fromkeys(names))
        self.upstream_model = upstream_model
        self.running = RunningTasks(queue_size, "The server has its limit of requests in flight; retry shortly.")
        limits = httpx.Limits(max_connections=queue_size, max_keepalive_connections=queue_size)
        self.client = httpx.AsyncClient(
            base_url=self.url, headers=_auth(api_key), timeout=httpx.Timeout(timeout, connect=10.0), limits=limits
        )
        self._closing: asyncio.Task | None = None

    # -- the Backend interface

    def models(self) -> list[ModelInfo]:
        return [ModelInfo(name) for name in self.names]

    def queue_depth(self) -> int:
        return len(self.running)

    def submit(self, request: GenerationRequest) -> Generation:
        if request.model not in self.names:
            raise model_not_found(request.model)
        self.running.check_room()
        generation = Generation(request.n)
        self.running.run(self._relay(request, generation), generation)
        return generation

    def close(self) -> None:
        """Fail what is in flight (503), stop it, and close the teacher connections."""
        self.running.stop()
        with contextlib.suppress(RuntimeError):  # no running loop: nothing is connected
            self._closing = asyncio.get_running_loop().create_task(self.client.aclose())

    # -- internals

    async def _relay(self, request: GenerationRequest, generation: Generation) -> None:
        """Forward one request and deliver the teacher's answer, or an OpenAI-style error, to `generation`."""
        try:
            await self._forward(request, generation)
        except APIError as exc:
            generation.fail(exc)
        except httpx.TimeoutException:  # clients learn what failed, never the teacher's address (the log has it)
            log.warning("no answer in time from %s", self.url)
            message = "The upstream model server did not answer in time."
            generation.fail(APIError(504, message, type="server_error", code="upstream_timeout"))
        except httpx.TransportError as exc:
            log.warning("could not reach %s: %s: %s", self.url, type(exc).__name__, exc)
            message = "Could not reach the upstream model server, or it broke off its answer."
            generation.fail(APIError(502, message, type="server_error", code="upstream_unreachable"))
        except Exception:  # a reply we cannot read (not JSON, wrong shape)
            log.exception("unreadable reply from %s", self.url)
            message = "The upstream model server sent a reply this server could not read."
            generation.fail(APIError(502, message, type="server_error", code="upstream_bad_reply"))

    async def _forward(self, request: GenerationRequest, generation: Generation) -> None:
        path = "/chat/completions" if request.messages is not None else "/completions"
        body = upstream_body(request, self.upstream_model or request.model)
        async with self.client.stream("POST", path, json=body) as reply:
            if reply.status_code >= 400:
                await reply.aread()
                raise upstream_error(reply)
            answer = _Answer(request.n)
            if reply.headers.get("content-type", "").startswith("text/event-stream"):
                async for line in reply.aiter_lines():
                    if generation.cancelled.is_set():
                        return  # the client left: leaving the block closes the stream, so the teacher stops
                    if line.startswith("data:") and (data := line[5:].strip()) != "[DONE]":
                        answer.read(json.loads(data), generation)
            else:
                answer.read(json.loads(await reply.aread()), generation)
        answer.finish(generation)


class _Answer:
    """What the teacher sent for one request: finish reasons are held until its `usage` (the last chunk) is in."""

    def __init__(self, n: int):
        self.reasons: list[str | None] = [None] * n
        self.usage: dict = {}
        self.calls: list[dict[int, dict]] = [{} for _ in range(n)]  # per choice: streamed tool calls by index

    def read(self, payload: dict, generation: Generation) -> None:
        """Deliver the text of one chunk (or of a whole response) and note its finish reasons and usage."""
        if payload.get("error"):  # an error sent mid-stream
            raise upstream_error(None, payload)
        self.usage = payload.get("usage") or self.usage
        for choice in payload.get("choices") or []:
            index = choice.get("index", 0)
            if not 0 <= index < len(self.reasons):
                raise ValueError(f"choice index {index} out of range")
            part = choice.get("delta") or choice.get("message") or {}
            text = part.get("content") if "text" not in choice else choice["text"]
            if text:
                generation.push(Delta(index, text))
            for call in part.get("tool_calls") or []:
                self._add_call(index, call)
            if choice.get("finish_reason"):
                if self.calls[index]:  # the teacher's calls, as text the app parses back (models/tool_calls.py)
                    generation.push(Delta(index, self._calls_text(index)))
                self.reasons[index] = "stop" if choice["finish_reason"] == "tool_calls" else choice["finish_reason"]

    def _add_call(self, index: int, call: dict) -> None:
        """One streamed piece of a tool call (name first, arguments in fragments), or a whole call."""
        function = call.get("function") or {}
        held = self.calls[index].setdefault(
            int(call.get("index", len(self.calls[index]))), {"name": "", "arguments": ""}
        )
        held["name"] += function.get("name") or ""
        held["arguments"] += function.get("arguments") or ""

    def _calls_text(self, index: int) -> str:
        calls = [self.calls[index][key] for key in sorted(self.calls[index])]
        return "\n".join(call_text(tool_call(c["name"], c["arguments"] or "{}")) for c in calls)

    def finish(self, generation: Generation) -> None:
        """Deliver each choice's end; the teacher's completion tokens are shared out over the choices."""
        if None in self.reasons:
            message = "The upstream model server ended its answer before every choice finished."
            raise APIError(502, message, type="server_error", code="upstream_incomplete")
        generation.prompt_tokens = int(self.usage.get("prompt_tokens") or 0)
        total, n = int(self.usage.get("completion_tokens") or 0), len(self.reasons)
        for index, reason in enumerate(self.reasons):
            generation.push(Finish(index, reason, total // n + (1 if index < total % n else 0)))


def upstream_body(request: GenerationRequest, model: str) -> dict:
    """The request as the teacher gets it: OpenAI parameters, those left at OpenAI's defaults omitted."""
    sampling = request.sampling
    body: dict = {"model": model, "max_tokens": request.max_tokens}
    if request.messages is not None:
        body["messages"] = request.messages
    else:
        body["prompt"] = request.prompt
    if request.n != 1:
        body["n"] = request.n
    if sampling.temperature != 1.0:
        body["temperature"] = sampling.temperature
    if sampling.top_p != 1.0:
        body["top_p"] = sampling.top_p
    if sampling.stop:
        body["stop"] = list(sampling.stop)
    if sampling.seed is not None:
        body["seed"] = sampling.seed
    if sampling.response_format:
        body["response_format"] = _without_nulls(sampling.output_format())
    if request.tools:
        body["tools"] = request.tools
        if request.tool_choice is not None:
            body["tool_choice"] = request.tool_choice
    return {**body, "stream": True, "stream_options": {"include_usage": True}}


def upstream_error(reply: httpx.Response | None, payload: dict | None = None) -> APIError:
    """The error this server answers with for a teacher's error reply (or an error event inside its stream)."""
    status = reply.status_code if reply is not None else 502
    if payload is None and reply is not None:
        try:
            payload = reply.json()
        except ValueError:
            payload = {"error": {"message": reply.text[:500] or reply.reason_phrase}}
    error = (payload if isinstance(payload, dict) else {}).get("error") or {}
    error = error if isinstance(error, dict) else {"message": str(error)}
    message = str(error.get("message") or f"HTTP {status}")
    if 400 <= status < 500 and status not in (401, 403, 407):  # the client's mistake (or limit): theirs to see
        retry = reply.headers.get("retry-after") if reply is not None else None
        kind = str(error.get("type") or "invalid_request_error")
        headers = {"Retry-After": retry} if retry else None
        param, code = _text(error.get("param")), error.get("code")
        code = code if code is None or isinstance(code, (str, int)) else str(code)  # vLLM and others send numbers
        return APIError(status, message, type=kind, param=param, code=code, headers=headers)
    log.warning("upstream error %s: %s", status, message)  # the teacher's own words stay in this server's log
    if status in (401, 403, 407):
        message = f"The upstream model server refused this server's credentials ({status})."
        return APIError(502, message, type="server_error", code="upstream_auth")
    message = f"The upstream model server failed ({status})."
    return APIError(502, message, type="server_error", code="upstream_error")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _auth(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _without_nulls(response_format: dict) -> dict:
    """`response_format` without the null fields our schema filled in (strict servers reject them)."""
    cleaned = {k: v for k, v in response_format.items() if v is not None}
    if isinstance(cleaned.get("json_schema"), dict):
        cleaned["json_schema"] = {k: v for k, v in cleaned["json_schema"].items() if v is not None}
    return cleaned
