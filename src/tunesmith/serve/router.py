"""`serve --router`: requests for `model: "auto"` go to the adapter whose training prompts they resemble most.

Each routed adapter's training prompts (router_prompts.py) are embedded with the offline all-MiniLM-L6-v2 model and
a linear classifier is fitted on them: logistic regression (class-balanced) or nearest centroid, whichever is more
accurate on a seeded 20% of the prompts held out, the simpler centroid on a tie (the usual case for clearly
different tasks). Both end up as one weight row per adapter, so routing a request is one embedding and one small
matrix product. With a fallback, a request whose nearest training prompt (of the chosen adapter) is less similar
than `min_similarity` goes to the fallback instead: text unlike anything an adapter learned.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tunesmith.errors import InputError
from tunesmith.progress import SILENT, Progress
from tunesmith.serve.router_cache import (
    cached_embeddings,
    default_cache_dir,
    digest,
    embedder_id,
    load_arrays,
    save_arrays,
)
from tunesmith.serve.router_prompts import MAX_PROMPTS, prompts_digest, training_prompts

AUTO = "auto"  # the model name that asks the router
HEADER = "x-tunesmith-routed-to"  # the response header naming the model that answered
HELD_OUT = 0.2  # share of each adapter's prompts held out to choose the classifier
_EMBEDDING = threading.Lock()  # one embedding call at a time: a fast tokenizer used from two threads can fail


@dataclass(frozen=True)
class RouterSettings:
    """How `model: "auto"` is routed."""

    fallback: str | None = None  # the base's name or an adapter's: where unsure requests go (None: always an adapter)
    min_similarity: float = 0.5  # with a fallback: a request less similar than this to its adapter's prompts falls back
    max_prompts: int = MAX_PROMPTS  # training prompts per adapter (a seeded sample of more)
    cache_dir: Path | None = None  # None: $TUNESMITH_HOME/router


@dataclass(frozen=True)
class Route:
    """Where one request went: `model` answers; `adapter` is the classifier's pick (None: nothing to pick)."""

    model: str
    adapter: str | None
    similarity: float  # cosine similarity to the nearest training prompt of `adapter`
    fell_back: bool

    def log_meta(self) -> dict:
        """What the request log keeps about the decision."""
        return {"model": self.model, "adapter": self.adapter, "similarity": round(self.similarity, 4),
                "fell_back": self.fell_back}  # fmt: skip


@dataclass
class Router:
    """A fitted router: one weight row and bias per adapter, and the training prompts' embeddings (similarity)."""

    names: list[str]
    kind: str  # "centroid" or "logistic"
    weights: np.ndarray  # adapters × 384
    bias: np.ndarray  # adapters
    examples: np.ndarray  # training prompts × 384, unit rows
    labels: np.ndarray  # each example's adapter index
    held_out: dict[str, float] = field(default_factory=dict)  # held-out accuracy of each classifier tried

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        """The adapter index for each embedded request."""
        return np.argmax(vectors @ self.weights.T + self.bias, axis=1)

    def nearest(self, vector: np.ndarray, index: int) -> float:
        """Cosine similarity of one embedded request to the closest training prompt of adapter `index`."""
        own = self.examples[self.labels == index]
        return float(np.max(own @ vector)) if len(own) else 0.0

    def arrays(self) -> dict[str, np.ndarray]:
        held = sorted(self.held_out.items())
        return {
            "names": np.array(self.names, dtype=str), "kind": np.array(self.kind), "weights": self.weights,
            "bias": self.bias, "examples": self.examples, "labels": self.labels,
            "held_out_kinds": np.array([k for k, _ in held], dtype=str),
            "held_out": np.array([v for _, v in held], dtype=np.float64),
        }  # fmt: skip

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> Router:
        held = dict(zip(a["held_out_kinds"].tolist(), a["held_out"].tolist()))
        names = [str(n) for n in a["names"].tolist()]
        return cls(names, str(a["kind"]), a["weights"], a["bias"], a["examples"], a["labels"], held)


def fit(vectors: dict[str, np.ndarray], seed: int = 0) -> Router:
    """The router for adapters' embedded prompts: the classifier more accurate on held-out prompts, refitted on all."""
    names = list(vectors)
    x = np.concatenate([vectors[n] for n in names]).astype(np.float32)
    y = np.concatenate([np.full(len(vectors[n]), i) for i, n in enumerate(names)])
    kinds = list(CLASSIFIERS) if len(names) > 1 else ["centroid"]
    train, held = _split(y, seed)
    scores = {}
    if len(held) and len(names) > 1:
        for kind in kinds:
            w, b = CLASSIFIERS[kind](x[train], y[train], len(names))
            scores[kind] = float(np.mean(np.argmax(x[held] @ w.T + b, axis=1) == y[held]))
    kind = max(kinds, key=lambda k: scores.get(k, 0.0))  # first listed (centroid) on a tie
    w, b = CLASSIFIERS[kind](x, y, len(names))
    return Router(names, kind, w.astype(np.float32), b.astype(np.float32), x, y, scores)


def _split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a seeded per-adapter split: HELD_OUT of each adapter's prompts held out (none when it has < 5)."""
    rng = np.random.default_rng(seed)
    train, held = [], []
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        cut = int(len(rows) * HELD_OUT) if len(rows) >= 5 else 0
        held.append(rows[:cut])
        train.append(rows[cut:])
    return np.concatenate(train), np.concatenate(held)


def _centroids(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    means = np.stack([x[y == i].mean(axis=0) for i in range(k)])
    return means / np.linalg.norm(means, axis=1, keepdims=True), np.zeros(k)


def _logistic(x: np.ndarray, y: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000).fit(x, y)
    if k == 2:  # sklearn keeps one row for two classes: scores (0, w·x + b) rank the same way
        return np.vstack([np.zeros_like(model.coef_[0]), model.coef_[0]]), np.array([0.0, model.intercept_[0]])
    return model.coef_, model.intercept_


CLASSIFIERS = {"centroid": _centroids, "logistic": _logistic}  # name → fit(x, y, k) -> (weights, bias); ties: first


class AdapterRouter:
    """What a `--router` server holds: the routed adapters' folders and the router fitted on them, refitted (from
    the cache where it can) whenever the served adapters change."""

    def __init__(self, base_name: str, settings: RouterSettings | None = None, progress: Progress = SILENT):
        self.base_name, self.settings, self.progress = base_name, settings or RouterSettings(), progress
        self.cache_dir = self.settings.cache_dir or default_cache_dir()
        self.folders: dict[str, Path] = {}
        self.router: Router | None = None
        self.key = ""  # the fitted router's cache key
        self._lock = threading.Lock()  # one refit at a time; routing reads `self.router` without it

    def set_adapters(self, folders: dict[str, Path]) -> None:
        """Route between exactly these adapters (name → adapter folder); blocking (embeds new prompts)."""
        with self._lock:
            self.folders = dict(folders)
            self._refit()

    def add(self, name: str, folder: Path) -> None:
        """An adapter was loaded or replaced under `name` (the admin API)."""
        with self._lock:
            self.folders[name] = Path(folder)
            self._refit()

    def remove(self, name: str) -> None:
        """An adapter was unloaded."""
        with self._lock:
            if self.folders.pop(name, None) is not None:
                self._refit()

    def warm(self) -> None:
        """Load the embedding model now, so the first routed request does not wait for it."""
        _embed(["warm-up"])

    def check_fallback(self, served: set[str]) -> None:
        """An InputError unless the fallback is a served model."""
        fallback = self.settings.fallback
        if fallback is not None and fallback not in served:
            raise InputError(f"--router-fallback {fallback}", f"not a served model; expected one of {sorted(served)}")

    def route(self, text: str, served: set[str] | None = None) -> Route:
        """Where a request whose last user message is `text` goes (blocking: one embedding). `served`: the models
        served now; a pick no longer among them (unloaded meanwhile) goes to the fallback."""
        router, fallback = self.router, self.settings.fallback or self.base_name
        if served is not None and fallback not in served:  # the fallback adapter was unloaded: the base
            fallback = self.base_name
        if router is None or not text.strip():
            return Route(fallback, None, 0.0, True)
        vector = _embed([text])[0]
        index = int(router.predict(vector[None, :])[0])
        name, similarity = router.names[index], router.nearest(vector, index)
        unsure = self.settings.fallback is not None and similarity < self.settings.min_similarity
        if unsure or (served is not None and name not in served):
            return Route(fallback, name, similarity, True)
        return Route(name, name, similarity, False)

    def _refit(self) -> None:
        prompts: dict[str, list[str]] = {}
        for name, folder in sorted(self.folders.items()):
            try:
                found = training_prompts(folder, self.settings.max_prompts)
            except InputError as exc:
                self.progress.note(f"router: '{name}' is not routed: {exc}")
                continue
            if found:
                prompts[name] = found
            else:
                self.progress.note(f"router: '{name}' is not routed: no run with training data holds it")
        keys = {name: prompts_digest(found) for name, found in prompts.items()}
        self.key = digest(embedder_id(), sorted(keys.items()), self.settings.max_prompts, HELD_OUT)
        if not prompts:
            self.router = None
            return
        path = self.cache_dir / f"router-{self.key}.npz"
        cached = load_arrays(path)
        if cached is not None:
            try:
                self.router = Router.from_arrays(cached)
                return
            except (KeyError, ValueError):  # written by another version: fitted afresh below
                pass
        self.progress.note(f"router: fitting on {sum(map(len, prompts.values()))} prompts of {len(prompts)} adapter(s)")
        vectors = {name: cached_embeddings(self.cache_dir, p, keys[name], _embed) for name, p in prompts.items()}
        self.router = fit(vectors)
        save_arrays(path, self.router.arrays())


def _embed(texts: list[str], batch: int = 64) -> np.ndarray:
    """Unit-length embeddings of `texts` (all-MiniLM-L6-v2), one batch at a time: a request routed while a refit
    embeds thousands of prompts waits for one batch, not for all of them."""
    from tunesmith.data.embed import embed

    parts = []
    for start in range(0, len(texts), batch):
        with _EMBEDDING:
            parts.append(embed(texts[start : start + batch]))
    return np.concatenate(parts) if parts else embed([])
