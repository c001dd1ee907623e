"""API keys and their roles, read from a file or the environment (never argv: `ps` shows argv to every user).

An `admin` key may also load and unload adapters (`/admin/*`); an `inference` key may only ask for completions,
send feedback and use the fine-tuning API for its own jobs. A key is known in the log and the store only by its
id: an HMAC of the key under the server's secret, so a leaked log cannot be used to test guesses of keys.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tunesmith.errors import InputError

Role = Literal["admin", "inference"]
ROLES: tuple[Role, ...] = ("admin", "inference")
INFERENCE_KEYS_ENV = "TUNESMITH_API_KEYS"
ADMIN_KEYS_ENV = "TUNESMITH_ADMIN_KEYS"
SECRET_ENV = "TUNESMITH_KEY_SECRET"
SERVER_SECRETS_ENV = (INFERENCE_KEYS_ENV, ADMIN_KEYS_ENV, SECRET_ENV)  # withheld from fine-tuning workers
MIN_KEY_LENGTH = 16


@dataclass(frozen=True)
class ApiKey:
    """A bearer key and what it may do."""

    value: str
    role: Role = "inference"

    def __repr__(self) -> str:  # never the key itself, even in a traceback or a debug print
        return f"ApiKey(role={self.role!r})"


def key_id(key: str, secret: bytes) -> str:
    """A stable, non-reversible name for a key: `key-` + 16 hex digits of HMAC-SHA256(secret, key)."""
    return "key-" + hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def read_keys_file(path: str | Path) -> list[ApiKey]:
    """Keys from a file: a line is `KEY` (an inference key) or `ROLE KEY`; blank lines and `#` comments skipped."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), f"cannot read the keys file ({exc.strerror})") from None
    keys = []
    for number, line in enumerate(lines, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        where = f"{path}:{number}"
        if len(words) > 2 or (len(words) == 2 and words[0] not in ROLES):
            raise InputError(where, "expected `KEY` or `ROLE KEY` with ROLE admin or inference")
        role, value = (words[0], words[1]) if len(words) == 2 else ("inference", words[0])
        keys.append(ApiKey(check_key(value, where), role))
    if not keys:
        raise InputError(str(path), "no keys in the file; expected one `KEY` or `ROLE KEY` per line")
    return keys


def keys_from_env(environ: dict[str, str] | None = None) -> list[ApiKey]:
    """Keys from TUNESMITH_API_KEYS (inference) and TUNESMITH_ADMIN_KEYS (admin): comma- or space-separated."""
    environ = os.environ if environ is None else environ
    keys = []
    for name, role in ((INFERENCE_KEYS_ENV, "inference"), (ADMIN_KEYS_ENV, "admin")):
        for value in environ.get(name, "").replace(",", " ").split():
            keys.append(ApiKey(check_key(value, name), role))
    return keys


def check_key(value: str, where: str) -> str:
    """`value` if it is long enough to be a key worth having (the key itself is never put in the message)."""
    if len(value) < MIN_KEY_LENGTH:
        raise InputError(where, f"a key must be at least {MIN_KEY_LENGTH} characters (e.g. `openssl rand -hex 24`)")
    return value


def merge_keys(keys: list[ApiKey]) -> list[ApiKey]:
    """One entry per key value; a key listed with both roles is an error, not a silent upgrade."""
    roles: dict[str, Role] = {}
    for key in keys:
        if roles.setdefault(key.value, key.role) != key.role:
            raise InputError("keys", "the same key is listed as both an admin and an inference key")
    return [ApiKey(value, role) for value, role in roles.items()]


def key_secret(path: Path | None = None) -> bytes:
    """The secret key ids are made with: TUNESMITH_KEY_SECRET, else the file at `path`, created (mode 0600) with
    32 random bytes when missing. It must stay the same across restarts, so that ids in the log stay the same."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = path or default_secret_path()
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        try:  # a link never replaces: of two servers starting at once, the first secret written is the one kept
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InputError(str(path), f"cannot read the key-id secret ({exc.strerror})") from None
    if len(secret) < 32:
        raise InputError(str(path), "the key-id secret is too short; expected at least 32 characters")
    return secret.encode("utf-8")


def default_secret_path() -> Path:
    """`$XDG_CONFIG_HOME/tunesmith/key-secret` (default `~/.config/tunesmith/key-secret`)."""
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "tunesmith" / "key-secret"
