"""The job store: uploaded files, fine-tuning jobs, their events and checkpoints, in SQLAlchemy tables.

The same database as the request log (a SQLite file by default, any URL), opened by the server and by each
training worker, so a job's state survives the server. Every write commits before it returns; an event's id is
derived from what it reports (a step's metrics, a checkpoint), so a worker that repeats steps after a crash
cannot add it twice.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text, create_engine, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

TERMINAL = ("succeeded", "failed", "cancelled")
STATUSES = ("validating_files", "queued", "running", "paused", *TERMINAL)


def new_id(prefix: str) -> str:
    """A random id in OpenAI's style, e.g. `ftjob-` + 24 letters and digits."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(24))


def now() -> int:
    """Unix seconds, as OpenAI's objects carry them."""
    return int(datetime.now(timezone.utc).timestamp())


class Base(DeclarativeBase):
    pass


class FileRow(Base):
    __tablename__ = "ft_files"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(32))
    bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    examples: Mapped[int] = mapped_column(Integer)


class JobRow(Base):
    __tablename__ = "ft_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    key_id: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[int] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), index=True)
    method: Mapped[dict] = mapped_column(JSON)  # OpenAI's `method` object with the resolved hyperparameters
    training_file: Mapped[str] = mapped_column(String(40))
    validation_file: Mapped[str | None] = mapped_column(String(40))
    suffix: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[int] = mapped_column(Integer)
    meta: Mapped[dict | None] = mapped_column("metadata", JSON)
    run_dir: Mapped[str] = mapped_column(Text)
    total_steps: Mapped[int] = mapped_column(Integer)
    file_tokens: Mapped[int] = mapped_column(Integer)  # the training file's tokens, once (billed per epoch)
    fine_tuned_model: Mapped[str | None] = mapped_column(String(255))
    model_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_at: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[int | None] = mapped_column(Integer)
    estimated_finish: Mapped[int | None] = mapped_column(Integer)
    trained_tokens: Mapped[int | None] = mapped_column(Integer)
    result_files: Mapped[list] = mapped_column(JSON, default=list)
    error: Mapped[dict | None] = mapped_column(JSON)
    stop: Mapped[str | None] = mapped_column(String(16))  # "cancel" or "pause", asked for while it runs
    resume: Mapped[bool] = mapped_column(Boolean, default=False)  # the next start continues from a checkpoint


class EventRow(Base):
    __tablename__ = "ft_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(96), unique=True)
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(16))  # "message" or "metrics"
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)


class CheckpointRow(Base):
    __tablename__ = "ft_checkpoints"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict] = mapped_column(JSON)
    model: Mapped[str] = mapped_column(String(255))  # the name it is served under
    path: Mapped[str] = mapped_column(Text)


@dataclass
class StoredFile:
    id: str
    key_id: str | None
    created_at: int
    filename: str
    purpose: str
    bytes: int
    sha256: str
    examples: int


@dataclass
class Job:
    """One fine-tuning job, as stored."""

    id: str
    key_id: str | None
    created_at: int
    model: str
    status: str
    method: dict
    training_file: str
    validation_file: str | None
    suffix: str | None
    seed: int
    meta: dict | None
    run_dir: str
    total_steps: int
    file_tokens: int
    fine_tuned_model: str | None = None
    model_deleted: bool = False
    finished_at: int | None = None
    started_at: int | None = None
    estimated_finish: int | None = None
    trained_tokens: int | None = None
    result_files: list = field(default_factory=list)
    error: dict | None = None
    stop: str | None = None
    resume: bool = False


@dataclass
class Event:
    id: str
    job_id: str
    created_at: int
    level: str
    type: str
    message: str
    data: dict | None = None


@dataclass
class Checkpoint:
    id: str
    job_id: str
    created_at: int
    step: int
    metrics: dict
    model: str
    path: str


def model_name(job: Job) -> str:
    """The name the job's model is served under, OpenAI's way: `ft:<base>:<suffix>:<job id>` (in the base's name,
    anything but letters, digits, '_' and '-' becomes '-', so the name is a valid adapter name)."""
    base = re.sub(r"[^A-Za-z0-9_-]", "-", job.model)
    return f"ft:{base}:{job.suffix or ''}:{job.id}"


class JobStore:
    """Files, jobs, events and checkpoints at a SQLAlchemy URL (the request log's, by default)."""

    def __init__(self, url: str):
        self.url = url
        sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, connect_args={"timeout": 30} if sqlite else {})
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)

    # files
    def add_file(self, stored: StoredFile) -> StoredFile:
        with Session(self.engine) as session, session.begin():
            session.add(FileRow(**_values(stored)))
        return stored

    def get_file(self, file_id: str, key_id: str | None) -> StoredFile | None:
        """The file, if it exists and belongs to `key_id` (another key's file is as good as missing)."""
        with Session(self.engine) as session:
            row = session.get(FileRow, file_id)
            return _as(StoredFile, row) if row is not None and row.key_id == key_id else None

    def list_files(self, key_id: str | None, purpose: str | None = None) -> list[StoredFile]:
        stmt = select(FileRow).where(FileRow.key_id.is_(key_id) if key_id is None else FileRow.key_id == key_id)
        if purpose:
            stmt = stmt.where(FileRow.purpose == purpose)
        with Session(self.engine) as session:
            return [_as(StoredFile, row) for row in session.scalars(stmt.order_by(FileRow.created_at.desc()))]

    def delete_file(self, file_id: str) -> bool:
        """Forget the file; True when no other file shares its content (its blob can go)."""
        with Session(self.engine) as session, session.begin():
            row = session.get(FileRow, file_id)
            digest = row.sha256
            session.delete(row)
            session.flush()
            return session.scalar(select(FileRow.id).where(FileRow.sha256 == digest).limit(1)) is None

    # jobs
    def add_job(self, job: Job, events: list[Event]) -> Job:
        """Create a job with its first events, in one transaction."""
        with Session(self.engine) as session, session.begin():
            session.add(JobRow(**_values(job)))
            session.add_all(EventRow(**_values(e)) for e in events)
        return job

    def get_job(self, job_id: str, key_id: str | None = None, any_key: bool = False) -> Job | None:
        with Session(self.engine) as session:
            row = session.get(JobRow, job_id)
            if row is None or (not any_key and row.key_id != key_id):
                return None
            return _as(Job, row)

    def list_jobs(self, key_id: str | None, after: str | None = None, limit: int = 20) -> tuple[list[Job], bool]:
        """The key's jobs, newest first, starting after job `after`; and whether there are more."""
        stmt = select(JobRow).where(JobRow.key_id.is_(None) if key_id is None else JobRow.key_id == key_id)
        if after is not None:
            cursor = self.get_job(after, key_id)
            if cursor is not None:
                older = (JobRow.created_at < cursor.created_at) | (
                    (JobRow.created_at == cursor.created_at) & (JobRow.id < cursor.id)
                )
                stmt = stmt.where(older)
        stmt = stmt.order_by(JobRow.created_at.desc(), JobRow.id.desc()).limit(limit + 1)
        with Session(self.engine) as session:
            rows = [_as(Job, row) for row in session.scalars(stmt)]
        return rows[:limit], len(rows) > limit

    def jobs_with_status(self, *statuses: str) -> list[Job]:
        """Every key's jobs in these states, oldest first (the queue order)."""
        stmt = select(JobRow).where(JobRow.status.in_(statuses)).order_by(JobRow.created_at, JobRow.id)
        with Session(self.engine) as session:
            return [_as(Job, row) for row in session.scalars(stmt)]

    def update_job(self, job_id: str, only_if: tuple[str, ...] | None = None, **values: Any) -> bool:
        """Set fields of a job (only while its status is one of `only_if`, when given); True if it changed."""
        stmt = update(JobRow).where(JobRow.id == job_id)
        if only_if:
            stmt = stmt.where(JobRow.status.in_(only_if))
        with Session(self.engine) as session, session.begin():
            return session.execute(stmt.values(**values)).rowcount > 0

    # events
    def add_event(self, job_id: str, message: str, *, key: str | None = None, level: str = "info", **data: Any) -> bool:
        """Append an event; one with the same `key` as an earlier one (a step, a checkpoint) is not added twice."""
        event_id = f"ftevent-{job_id[6:]}-{key}" if key else new_id("ftevent-")
        row = EventRow(
            id=event_id,
            job_id=job_id,
            created_at=now(),
            level=level,
            type="metrics" if data.get("metrics") else "message",
            message=message,
            data=data.get("metrics") or data or None,
        )
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
        except IntegrityError:
            return False
        return True

    def events(self, job_id: str, after: str | None = None, limit: int = 20) -> tuple[list[Event], bool]:
        """A job's events, newest first (OpenAI's order), starting after event `after`; and whether more exist."""
        stmt = select(EventRow).where(EventRow.job_id == job_id)
        with Session(self.engine) as session:
            if after is not None:
                seq = session.scalar(select(EventRow.seq).where(EventRow.id == after))
                if seq is not None:
                    stmt = stmt.where(EventRow.seq < seq)
            rows = list(session.scalars(stmt.order_by(EventRow.seq.desc()).limit(limit + 1)))
            found = [Event(r.id, r.job_id, r.created_at, r.level, r.type, r.message, r.data) for r in rows]
        return found[:limit], len(found) > limit

    # checkpoints
    def add_checkpoint(self, checkpoint: Checkpoint) -> bool:
        try:
            with Session(self.engine) as session, session.begin():
                session.add(CheckpointRow(**_values(checkpoint)))
        except IntegrityError:
            return False
        return True

    def checkpoints(self, job_id: str) -> list[Checkpoint]:
        """A job's checkpoints, newest step first."""
        stmt = select(CheckpointRow).where(CheckpointRow.job_id == job_id).order_by(CheckpointRow.step.desc())
        with Session(self.engine) as session:
            return [_as(Checkpoint, row) for row in session.scalars(stmt)]

    def close(self) -> None:
        self.engine.dispose()


def _values(item) -> dict:
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _as(cls, row):
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


def _sqlite_pragmas(connection, record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
