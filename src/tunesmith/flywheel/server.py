"""Talk to a running `tunesmith serve`: list its models, ask an adapter, load and unload adapters (admin API)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx

from tunesmith.errors import InputError

TAG = "flywheel"  # the flywheel's own requests are logged with this tag, so they are never mistaken for traffic


class ServerClient:
    """The server at `url` (its root or its /v1 URL), with the key from `api_key_env` when one is named."""

    def __init__(self, url: str, api_key_env: str | None = None, timeout: float = 300.0, where: str = "promote"):
        self.root = url.rstrip("/").removesuffix("/v1")
        self.where = where
        headers = {}
        if api_key_env is not None:
            key = os.environ.get(api_key_env, "")
            if not key:
                raise InputError(f"{where}.api_key_env", f"environment variable {api_key_env} is not set")
            headers["Authorization"] = f"Bearer {key}"
        self.client = httpx.Client(base_url=self.root, headers=headers, timeout=timeout)

    def models(self) -> dict[str, str | None]:
        """The names the server answers to, each with its parent: None for the base model, the base for adapters."""
        return {card["id"]: card.get("parent") for card in self._call("GET", "/v1/models")["data"]}

    def answer(self, model: str, conversations: list[list[dict]], max_tokens: int, concurrency: int = 4) -> list[str]:
        """Greedy replies of `model` to each conversation, in order."""

        def one(messages: list[dict]) -> str:
            body = {"model": model, "messages": messages, "max_tokens": max_tokens, "temperature": 0, "tags": [TAG]}
            reply = self._call("POST", "/v1/chat/completions", body)
            return (reply["choices"][0]["message"]["content"] or "").strip()

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, conversations))

    def load_adapter(self, name: str, path: str, replace: bool = False) -> None:
        """Needs an admin key, and `path` inside one of the server's `--adapter-root` folders."""
        self._call("POST", "/admin/adapters", {"name": name, "path": path, "replace": replace})

    def unload_adapter(self, name: str) -> None:
        self._call("DELETE", f"/admin/adapters/{name}")

    def close(self) -> None:
        self.client.close()

    def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        """One request; a refused or failed one is an InputError naming the server and its error message."""
        try:
            response = self.client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise InputError(
                f"{self.where}.server {self.root}", f"not reachable ({exc}); is `tunesmith serve` running?"
            ) from None
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            raise InputError(f"{self.where}.server {self.root}{path}", f"HTTP {response.status_code}: {message}")
        return response.json()
