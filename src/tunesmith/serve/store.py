"""The request log: every served request and its feedback, through SQLAlchemy (SQLite file by default, any URL).

A SQLite store runs in WAL mode with full fsync, so a row is on disk when `log` returns, readers (`tunesmith
logs`) never block the server, and a killed server leaves a store that opens cleanly. A `postgresql://` URL is
served by psycopg 3 (the `serve` extra) with a checked connection pool, for a store a team shares. Times are UTC.
A URL's password is used to connect and never shown: `Store.url` is the URL with it masked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.sql import cast, exists, func, or_

from tunesmith.errors import InputError
from tunesmith.serve.logfilter import LogFilter, apply_filter

SCHEMA_LOCK = 0x7475_6E65  # PostgreSQL advisory lock id: two processes opening a new store create its tables once
POSTGRES_DRIVERS = ("postgresql", "postgres")  # as users write them; both mean psycopg 3, the driver we ship
# A server database: connections are checked before use (a restarted database is reconnected) and renewed every
# 30 minutes; up to 32 at once, as many as the server's threads may log with, then a wait of up to 30 s.
POOL = {"pool_pre_ping": True, "pool_recycle": 1800, "pool_size": 8, "max_overflow": 24, "pool_timeout": 30}
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class RequestRow(Base):
    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    endpoint: Mapped[str] = mapped_column(String(16))  # "chat" or "completions"
    model: Mapped[str] = mapped_column(String(255), index=True)  # adapter names run to 192 characters
    messages: Mapped[list | None] = mapped_column(JSON)
    prompt: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict] = mapped_column(JSON)
    output: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON)
    finish_reason: Mapped[str | None] = mapped_column(String(16))
    prompt_tokens: Mapped[int] = mapped_column(Integer)
    completion_tokens: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    meta: Mapped[dict] = mapped_column("metadata", JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[TagRow]] = relationship(cascade="all, delete-orphan")
    feedback: Mapped[list[FeedbackRow]] = relationship(cascade="all, delete-orphan", order_by="FeedbackRow.id")


class TagRow(Base):
    __tablename__ = "request_tags"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class FeedbackRow(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    rating: Mapped[str | None] = mapped_column(String(8))  # "up" or "down"
    correction: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(32))


@dataclass
class Feedback:
    request_id: str
    rating: str | None = None
    correction: str | None = None
    comment: str | None = None
    key_id: str | None = None
    id: int = 0
    created_at: datetime = field(default_factory=utcnow)


@dataclass
class LoggedRequest:
    """One request and its answer, as logged (and, when read back, with its feedback, oldest first)."""

    id: str
    endpoint: str
    model: str
    output: str
    messages: list[dict] | None = None
    prompt: str | None = None
    params: dict = field(default_factory=dict)
    choices: list[dict] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    key_id: str | None = None
    tags: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    status: str = "ok"
    error: str | None = None
    created_at: datetime = field(default_factory=utcnow)
    feedback: list[Feedback] = field(default_factory=list)

    @property
    def rating(self) -> str | None:
        """The latest thumbs up/down, if any."""
        return next((f.rating for f in reversed(self.feedback) if f.rating), None)

    @property
    def correction(self) -> str | None:
        """The latest corrected answer, if any."""
        return next((f.correction for f in reversed(self.feedback) if f.correction is not None), None)


class Store:
    """Reads and writes the request log at a SQLAlchemy URL or a SQLite file path."""

    def __init__(self, target: str | Path):
        url = make_url(store_url(target))
        self.url = url.render_as_string(hide_password=True)  # for messages and logs; the engine holds the secret
        self.engine = _engine(url)
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
                Base.metadata.create_all(conn)
        except OperationalError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise InputError(self.url, f"cannot open the request log: {reason}") from None

    def log(self, entry: LoggedRequest) -> None:
        """Write one request (with any feedback it carries); committed, on disk, when this returns."""
        values = {f.name: _clean(getattr(entry, f.name)) for f in fields(entry) if f.name not in ("tags", "feedback")}
        tags = [TagRow(tag=t) for t in dict.fromkeys(_clean(entry.tags))]
        row = RequestRow(**values, tags=tags, feedback=[_feedback_row(f) for f in entry.feedback])
        with Session(self.engine) as session, session.begin():
            session.add(row)

    def add_feedback(self, feedback: Feedback, same_key: bool = False) -> Feedback | None:
        """Attach feedback to a logged request; None when no request has that id (or, with `same_key`, when the
        request was made with another key than the feedback's: the server takes feedback only from the asker)."""
        with Session(self.engine) as session, session.begin():
            request = session.get(RequestRow, feedback.request_id)
            if request is None or (same_key and request.key_id != feedback.key_id):
                return None
            row = _feedback_row(feedback)
            session.add(row)
            session.flush()
            feedback.id = row.id
        return feedback

    def get(self, request_id: str) -> LoggedRequest | None:
        with Session(self.engine) as session:
            row = session.get(RequestRow, request_id, options=[selectinload(RequestRow.tags)])
            return _logged(row) if row is not None else None

    def query(self, where: LogFilter | None = None, limit: int | None = None, newest_first: bool = False):
        """Logged requests matching `where`, oldest first (or newest first), at most `limit`."""
        order = RequestRow.created_at.desc() if newest_first else RequestRow.created_at
        stmt = apply_filter(select(RequestRow), where or LogFilter(), RequestRow, TagRow, FeedbackRow)
        stmt = stmt.options(selectinload(RequestRow.tags), selectinload(RequestRow.feedback))
        stmt = stmt.order_by(order, RequestRow.id).limit(limit)
        with Session(self.engine) as session:
            return [_logged(row) for row in session.scalars(stmt)]

    def page(
        self,
        where: LogFilter | None = None,
        search: str | None = None,
        corrected: bool | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[LoggedRequest], int]:
        """One page of the requests matching `where`, newest first, and how many match in all (for a paged view).

        `search` keeps requests whose prompt, messages or answer hold that text (case-insensitive); `corrected`
        keeps requests with (True) or without (False) a corrected answer, whatever their rating."""
        stmt = apply_filter(select(RequestRow), where or LogFilter(), RequestRow, TagRow, FeedbackRow)
        if search:
            stmt = stmt.where(_mentions(search))
        if corrected is not None:
            has = exists().where(FeedbackRow.request_id == RequestRow.id, FeedbackRow.correction.is_not(None))
            stmt = stmt.where(has if corrected else ~has)
        total = select(func.count()).select_from(stmt.subquery())
        stmt = stmt.options(selectinload(RequestRow.tags), selectinload(RequestRow.feedback))
        stmt = stmt.order_by(RequestRow.created_at.desc(), RequestRow.id.desc()).limit(limit).offset(offset)
        with Session(self.engine) as session:
            return [_logged(row) for row in session.scalars(stmt)], session.scalar(total) or 0

    def close(self) -> None:
        self.engine.dispose()


def open_store(target: str | Path, must_exist: bool = False) -> Store:
    """The store at a URL or SQLite path; `must_exist` refuses to create a new SQLite file (for readers)."""
    if must_exist and "://" not in str(target) and not Path(target).expanduser().is_file():
        raise InputError(str(target), "no request log here; pass --store PATH_OR_URL (the one `tunesmith serve` used)")
    return Store(target)


def store_url(target: str | Path) -> str:
    """A SQLAlchemy URL (`postgresql://` gets the psycopg 3 driver), or a SQLite URL for a file path (its folder
    is created). The result holds the password: show `Store.url`, never this."""
    given = str(target)
    if "://" in given:
        try:
            url = make_url(given)
        except (ArgumentError, ValueError):
            raise InputError(_masked(given), "expected a SQLAlchemy URL, e.g. postgresql://user:pw@host/db") from None
        if url.drivername in POSTGRES_DRIVERS:
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    path = Path(given).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _engine(url: URL):
    """An engine for the store: SQLite waits up to 30 s for a lock; a server database gets a checked pool."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect = {"connect_timeout": 10, "application_name": "tunesmith"} if url.get_backend_name() == "postgresql" else {}
    try:
        return create_engine(url, connect_args=connect, **POOL)
    except ModuleNotFoundError as exc:  # the URL's driver is not installed
        raise InputError(url.render_as_string(hide_password=True), f"needs the {exc.name} package: {exc}") from None


def _masked(given: str) -> str:
    """A URL-like string with anything between `://user:` and `@` hidden (for URLs SQLAlchemy cannot parse)."""
    head, _, rest = given.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at or ":" not in userinfo:
        return given
    return f"{head}://{userinfo.split(':')[0]}:***@{host}"


def _clean(value):
    """`value` with NUL characters and lone surrogates replaced by U+FFFD, in strings at any depth: PostgreSQL
    text cannot hold NUL and no database encodes a lone surrogate, so every store keeps the same text."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _mentions(search: str):
    """A request whose prompt, messages or answer contains `search`. Messages are JSON with non-ASCII text
    written as \\u escapes, so they are also searched for the text as JSON writes it."""
    messages = cast(RequestRow.messages, Text)
    columns = (RequestRow.output, RequestRow.prompt, messages)
    terms = [column.icontains(search, autoescape=True) for column in columns]
    as_json = json.dumps(search)[1:-1]
    if as_json != search:
        terms.append(messages.icontains(as_json, autoescape=True))
    return or_(*terms)


def _sqlite_pragmas(connection, record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _feedback_row(feedback: Feedback) -> FeedbackRow:
    return FeedbackRow(**{f.name: _clean(getattr(feedback, f.name)) for f in fields(feedback) if f.name != "id"})


def _logged(row: RequestRow) -> LoggedRequest:
    names = [f.name for f in fields(LoggedRequest) if f.name not in ("tags", "feedback")]
    entry = LoggedRequest(**{name: getattr(row, name) for name in names})
    entry.tags = [t.tag for t in row.tags]
    entry.feedback = [
        Feedback(f.request_id, f.rating, f.correction, f.comment, f.key_id, f.id, f.created_at) for f in row.feedback
    ]
    return entry
