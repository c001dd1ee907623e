"""Prometheus metrics for `GET /metrics`: requests by model/status, latency, tokens, queue depth."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120)


class ServeMetrics:
    """One registry per app (so several apps in one process, as in tests, keep separate counts)."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self, queue_depth: Callable[[], int]):
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tunesmith_requests",
            "Generation requests answered, by model, endpoint and HTTP status.",
            ["model", "endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tunesmith_request_latency_seconds",
            "Time from request to full answer.",
            ["model", "endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.tokens = Counter(
            "tunesmith_tokens",
            "Tokens processed, by model and kind (prompt, completion).",
            ["model", "kind"],
            registry=self.registry,
        )
        self.queue = Gauge("tunesmith_queue_depth", "Requests admitted and not finished.", registry=self.registry)
        self.queue.set_function(queue_depth)

    def observe(
        self, model: str, endpoint: str, status: int, seconds: float = 0.0, prompt: int = 0, completion: int = 0
    ) -> None:
        """Count one answered (or refused) generation request."""
        self.requests.labels(model, endpoint, str(status)).inc()
        if status == 200:
            self.latency.labels(model, endpoint).observe(seconds)
            self.tokens.labels(model, "prompt").inc(prompt)
            self.tokens.labels(model, "completion").inc(completion)

    def render(self) -> bytes:
        return generate_latest(self.registry)
