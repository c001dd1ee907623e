"""Who asked for a completion, for which model, and when: built once as a request arrives.

The response, the log row and the metrics all read this one object, instead of a request id, key id, model
name, endpoint and start time handed separately down every function on the way.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

Endpoint = Literal["chat", "completions"]


@dataclass(frozen=True)
class Caller:
    """Who sent a request: its key's id (never the key; None when keys are off) and its address."""

    key_id: str | None = None
    address: str = "unknown"

    @property
    def bucket(self) -> str:
        """Whose rate limit the request counts against: its key, or its address when keys are off."""
        return self.key_id or f"ip:{self.address}"


@dataclass(frozen=True)
class RequestContext:
    """One generation request's endpoint, model, caller, response id and clock."""

    endpoint: Endpoint
    model: str  # the name the client asked for: the base's or an adapter's
    caller: Caller = field(default_factory=Caller)
    id: str = ""  # the response id; left empty, a new chatcmpl-… or cmpl-… id
    started: float = field(default_factory=time.perf_counter)  # for latency
    created: int = field(default_factory=lambda: int(time.time()))  # the response's `created`, Unix seconds

    def __post_init__(self) -> None:
        if not self.id:
            prefix = "chatcmpl-" if self.endpoint == "chat" else "cmpl-"
            object.__setattr__(self, "id", prefix + uuid.uuid4().hex)

    def seconds(self) -> float:
        """Time since the request arrived."""
        return time.perf_counter() - self.started
