"""Which logged requests to list or export: by time, model, tag, feedback, endpoint and status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal

from sqlalchemy import exists

from tunesmith.errors import InputError

FeedbackKind = Literal["up", "down", "corrected", "any", "none"]
FEEDBACK_KINDS = ("up", "down", "corrected", "any", "none")
_AGO = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class LogFilter:
    """All given conditions must hold; times are naive UTC. `feedback`: has feedback of that kind."""

    since: datetime | None = None
    until: datetime | None = None
    model: str | None = None
    tag: str | None = None
    feedback: FeedbackKind | None = None
    endpoint: Literal["chat", "completions"] | None = None
    status: str | None = None


def parse_when(text: str, option: str = "--since") -> datetime:
    """An ISO date or datetime (UTC unless it names a zone), or a span ago: `30m`, `12h`, `7d`, `2w`."""
    text = text.strip()
    if match := _AGO.fullmatch(text):
        span = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        return datetime.now(timezone.utc).replace(tzinfo=None) - span
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        expected = "expected an ISO date or time (2026-05-01, 2026-05-01T12:00) or a span ago (30m, 12h, 7d, 2w)"
        raise InputError(f"{option} {text}", expected) from None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


def check_feedback_kind(kind: str | None) -> FeedbackKind | None:
    if kind is not None and kind not in FEEDBACK_KINDS:
        raise InputError(f"--feedback {kind}", f"expected one of {', '.join(FEEDBACK_KINDS)}")
    return kind  # type: ignore[return-value]


def apply_filter(stmt, where: LogFilter, requests, tags, feedback):
    """Add `where`'s conditions to a SELECT over the requests table (tables passed in to avoid an import cycle)."""
    if where.since is not None:
        stmt = stmt.where(requests.created_at >= where.since)
    if where.until is not None:
        stmt = stmt.where(requests.created_at < where.until)
    if where.model is not None:
        stmt = stmt.where(requests.model == where.model)
    if where.endpoint is not None:
        stmt = stmt.where(requests.endpoint == where.endpoint)
    if where.status is not None:
        stmt = stmt.where(requests.status == where.status)
    if where.tag is not None:
        stmt = stmt.where(exists().where(tags.request_id == requests.id, tags.tag == where.tag))
    if where.feedback is not None:
        about = feedback.request_id == requests.id
        condition = {
            "up": exists().where(about, feedback.rating == "up"),
            "down": exists().where(about, feedback.rating == "down"),
            "corrected": exists().where(about, feedback.correction.is_not(None)),
            "any": exists().where(about),
            "none": ~exists().where(about),
        }[where.feedback]
        stmt = stmt.where(condition)
    return stmt


def build_filter(
    since: str | None = None,
    until: str | None = None,
    model: str | None = None,
    tag: str | None = None,
    feedback: str | None = None,
    endpoint: str | None = None,
) -> LogFilter:
    """A LogFilter from command-line text (times as ISO or `7d`-style spans); bad values are InputErrors."""
    if endpoint is not None and endpoint not in ("chat", "completions"):
        raise InputError(f"--endpoint {endpoint}", "expected chat or completions")
    return LogFilter(
        since=parse_when(since, "--since") if since else None,
        until=parse_when(until, "--until") if until else None,
        model=model,
        tag=tag,
        feedback=check_feedback_kind(feedback),
        endpoint=endpoint,  # type: ignore[arg-type]
    )
