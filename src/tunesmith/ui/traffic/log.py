"""The Traffic page's view of the request log: filtered pages of short rows, one exchange in full, admin reviews.

The filters are `tunesmith logs`' own (`serve.logfilter.build_filter`, same words in its errors), plus a text
search and a has-a-correction switch the page adds. An admin's review is stored as `/v1/feedback` stores
feedback (a `Feedback` row, so `tunesmith logs export` and the flywheel see it), with the reviewer's key id, so
it is told apart from the asker's own feedback by `key_id` differing from the request's.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, Field

from tunesmith.serve.logfilter import LogFilter, build_filter
from tunesmith.serve.store import Feedback, LoggedRequest, Store

SNIPPET = 160  # characters of a prompt or an answer shown in a row


class TrafficQuery(BaseModel):
    """Which requests to list: `tunesmith logs` filters (model, since, until, feedback, tag, endpoint) and more."""

    model: str | None = None
    since: str | None = Field(None, description="UTC ISO date/time or a span ago (7d, 12h, 30m), as --since.")
    until: str | None = Field(None, description="UTC ISO date/time or a span ago, as --until.")
    feedback: str | None = Field(None, description="up, down, corrected, any or none, as --feedback.")
    tag: str | None = None
    endpoint: str | None = Field(None, description="chat or completions.")
    q: str | None = Field(None, description="Text in the prompt, the messages or the answer (case-insensitive).")
    has_correction: bool | None = Field(None, description="Only requests with (true) or without (false) one.")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class FeedbackSummary(BaseModel):
    rating: Literal["up", "down"] | None = None  # the latest thumbs
    correction: str | None = None  # the latest corrected answer
    count: int = 0  # feedback items in all (from the asker and from reviewers)


class TrafficRow(BaseModel):
    id: str
    time: float  # unix seconds (UTC)
    model: str
    endpoint: str
    key_id: str | None
    prompt: str  # the last user turn (or the raw prompt), shortened
    answer: str  # shortened
    latency_ms: float
    prompt_tokens: int
    completion_tokens: int
    status: str
    feedback: FeedbackSummary


class TrafficPage(BaseModel):
    data: list[TrafficRow]
    total: int  # how many requests match in all
    limit: int
    offset: int


class FeedbackItem(BaseModel):
    id: int
    time: float
    rating: str | None
    correction: str | None
    comment: str | None
    key_id: str | None
    reviewer: bool  # given by another key than the request's (an admin's review from the UI)


class TrafficDetail(BaseModel):
    """One exchange as logged, with every feedback item, oldest first."""

    id: str
    time: float
    endpoint: str
    model: str
    key_id: str | None
    messages: list[dict] | None
    prompt: str | None
    params: dict
    output: str
    choices: list[dict]
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    tags: list[str]
    meta: dict
    status: str
    error: str | None
    feedback: list[FeedbackItem]
    summary: FeedbackSummary


class Review(BaseModel):
    """An admin's verdict on a request: a thumbs up/down and/or the answer it should have given."""

    rating: Literal["up", "down"] | None = None
    correction: str | None = Field(None, description="The corrected answer; it replaces the logged one on export.")
    comment: str | None = None


def traffic_page(store: Store, query: TrafficQuery) -> TrafficPage:
    """The page of rows `query` asks for (newest first); bad filter values are the CLI's InputErrors."""
    where = cli_filter(query)
    search = (query.q or "").strip() or None
    entries, total = store.page(where, search, query.has_correction, query.limit, query.offset)
    return TrafficPage(data=[row(e) for e in entries], total=total, limit=query.limit, offset=query.offset)


def cli_filter(given: BaseModel) -> LogFilter:
    """`tunesmith logs`' filter from a request's fields (empty ones left out), parsed by the CLI's own code."""
    names = ("since", "until", "model", "tag", "feedback", "endpoint")
    return build_filter(*(getattr(given, name) or None for name in names))


def row(entry: LoggedRequest) -> TrafficRow:
    return TrafficRow(
        id=entry.id,
        time=unix(entry.created_at),
        model=entry.model,
        endpoint=entry.endpoint,
        key_id=entry.key_id,
        prompt=snippet(last_user_turn(entry)),
        answer=snippet(entry.output),
        latency_ms=entry.latency_ms,
        prompt_tokens=entry.prompt_tokens,
        completion_tokens=entry.completion_tokens,
        status=entry.status,
        feedback=summary(entry),
    )


def detail(entry: LoggedRequest) -> TrafficDetail:
    """The whole exchange; each feedback item says whether a reviewer (another key than the asker's) gave it."""
    whole = asdict(entry)
    items = [
        FeedbackItem(
            id=f.id,
            time=unix(f.created_at),
            rating=f.rating,
            correction=f.correction,
            comment=f.comment,
            key_id=f.key_id,
            reviewer=f.key_id != entry.key_id,
        )
        for f in entry.feedback
    ]
    whole.update(time=unix(entry.created_at), feedback=items, summary=summary(entry))
    return TrafficDetail(**whole)


def review(store: Store, request_id: str, given: Review, reviewer: str | None) -> Feedback | None:
    """Store an admin's review of any request (no same-key rule: reviewing traffic is what the admin is for);
    None when no request has that id."""
    return store.add_feedback(Feedback(request_id, given.rating, given.correction, given.comment, reviewer))


def summary(entry: LoggedRequest) -> FeedbackSummary:
    return FeedbackSummary(rating=entry.rating, correction=entry.correction, count=len(entry.feedback))


def last_user_turn(entry: LoggedRequest) -> str:
    """What was asked: the last user message's text (chat), or the raw prompt (text completions)."""
    for message in reversed(entry.messages or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts: keep their text
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content or "")
    return entry.prompt or ""


def snippet(text: str, width: int = SNIPPET) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def unix(when: datetime) -> float:
    """The store's naive UTC time as unix seconds."""
    return when.replace(tzinfo=timezone.utc).timestamp()
