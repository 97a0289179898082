"""A persistent sqlite cache of model answers, safe for concurrent processes and for crashes.

Why sqlite in WAL mode: readers never block the writer, several processes can share one file (a busy timeout
makes writers wait their turn instead of failing), and every entry is committed in its own transaction, so a
process killed mid-run leaves a readable file holding everything it had committed.

Entries are keyed by :func:`cache_key`, a sha256 over the backend kind, the model, the operation, the messages
and the generation parameters (the seed only when temperature > 0, since greedy decoding ignores it). Values are
the model's answer as JSON. Nothing else is written: no API key, no header, no base URL credentials. The file and
its ``-wal``/``-shm`` companions are created with mode 0600 whatever the umask, because prompts and answers may
hold private data.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from causalbridge.llm.types import Message

CACHE_ENV = "CAUSALBRIDGE_CACHE_DIR"
CACHE_FILE = "llm-cache.sqlite3"
_SCHEMA_VERSION = 1


def default_cache_dir() -> Path:
    """``$CAUSALBRIDGE_CACHE_DIR`` if set, else ``~/.cache/causalbridge``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "causalbridge"


def cache_key(
    kind: str,
    model: str,
    op: str,
    messages: Sequence[Message],
    params: Mapping[str, Any],
) -> str:
    """A stable hash of one request. ``params`` must be JSON-serialisable; drop the seed for greedy calls."""
    material = {
        "v": _SCHEMA_VERSION,
        "kind": kind,
        "model": model,
        "op": op,
        "messages": [[m.role, m.content] for m in messages],
        "params": dict(params),
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@runtime_checkable
class Cache(Protocol):
    """Where backends keep answers. ``persistent`` is False for :class:`NullCache` (``--no-cache``)."""

    persistent: bool

    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, value: Mapping[str, Any], model: str = "") -> None: ...

    def close(self) -> None: ...


class NullCache:
    """Remembers nothing: every request goes to the model."""

    persistent = False

    def get(self, key: str) -> dict[str, Any] | None:
        return None

    def put(self, key: str, value: Mapping[str, Any], model: str = "") -> None:
        return None

    def close(self) -> None:
        return None

    def __repr__(self) -> str:
        return "NullCache()"


class SqliteCache:
    """The default cache: one sqlite file in ``cache_dir`` (default :func:`default_cache_dir`).

    Safe to share between threads (one connection per process, guarded by a lock) and between processes (WAL
    plus a busy timeout). A connection inherited through ``fork`` is never reused: the child opens its own.
    """

    persistent = True

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None, busy_timeout_s: float = 30.0) -> None:
        directory = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
        self.path = directory / CACHE_FILE
        self._busy_timeout_s = busy_timeout_s
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = -1

    def __repr__(self) -> str:
        return f"SqliteCache({str(self.path.parent)!r})"

    def _connect(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file ourselves so its mode is 0600 before sqlite (which honours the umask) ever opens it.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        os.chmod(self.path, 0o600)
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout_s, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_s * 1000)}")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode: a committed transaction survives a process crash; only power loss may drop the tail.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS entries ("
            " key TEXT PRIMARY KEY, model TEXT NOT NULL, value TEXT NOT NULL, created REAL NOT NULL)"
        )
        # sqlite gives -wal/-shm the main file's mode, but tighten them in case they predate us.
        for suffix in ("-wal", "-shm"):
            companion = self.path.with_name(self.path.name + suffix)
            with contextlib.suppress(FileNotFoundError):
                os.chmod(companion, 0o600)
        self._conn, self._pid = conn, os.getpid()
        return conn

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._connect().execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        value: dict[str, Any] = json.loads(row[0])
        return value

    def put(self, key: str, value: Mapping[str, Any], model: str = "") -> None:
        text = json.dumps(dict(value), ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            conn = self._connect()
            # One short transaction per entry: a crash can lose at most the entry being written.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(
                    "INSERT OR REPLACE INTO entries (key, model, value, created) VALUES (?, ?, ?, ?)",
                    (key, model, text, time.time()),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def __len__(self) -> int:
        with self._lock:
            row = self._connect().execute("SELECT COUNT(*) FROM entries").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn = None
