"""The sqlite cache: keys, permissions, concurrent processes, and a writer killed mid-run."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import stat
import time
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path

import pytest

from causalbridge.llm import Message, NullCache, SqliteCache, cache_key, default_cache_dir
from causalbridge.llm.cache import CACHE_FILE

fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
MSG = (Message("user", "hello"),)


def test_keys_are_stable_and_sensitive() -> None:
    key = cache_key("openai", "gpt", "complete", MSG, {"temperature": 0.0})
    assert key == cache_key("openai", "gpt", "complete", MSG, {"temperature": 0.0})
    assert len(key) == 64
    others = {
        cache_key("hf", "gpt", "complete", MSG, {"temperature": 0.0}),
        cache_key("openai", "gpt-4o", "complete", MSG, {"temperature": 0.0}),
        cache_key("openai", "gpt", "choose-logprobs", MSG, {"temperature": 0.0}),
        cache_key("openai", "gpt", "complete", (Message("system", "hello"),), {"temperature": 0.0}),
        cache_key("openai", "gpt", "complete", MSG, {"temperature": 0.5, "seed": 1}),
    }
    assert key not in others and len(others) == 5


def test_put_get_roundtrip(cache: SqliteCache) -> None:
    assert cache.get("k") is None
    cache.put("k", {"text": "ünïcode ✓", "n": 3}, model="m")
    cache.put("k", {"text": "replaced", "n": 4})
    assert cache.get("k") == {"text": "replaced", "n": 4}
    assert len(cache) == 1
    null = NullCache()
    null.put("k", {"a": 1})
    assert null.get("k") is None and not null.persistent


def test_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        cache = SqliteCache(tmp_path / "deep" / "dir")
        cache.put("k", {"v": 1})
        files = sorted(p.name for p in cache.path.parent.iterdir())
        assert files == [CACHE_FILE, CACHE_FILE + "-shm", CACHE_FILE + "-wal"]
        for file in cache.path.parent.iterdir():
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        assert stat.S_IMODE(cache.path.parent.stat().st_mode) == 0o700
        cache.close()
    finally:
        os.umask(old)


def test_default_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CAUSALBRIDGE_CACHE_DIR", str(tmp_path / "env"))
    assert default_cache_dir() == tmp_path / "env"
    assert SqliteCache().path == tmp_path / "env" / CACHE_FILE
    assert SqliteCache(tmp_path / "arg").path == tmp_path / "arg" / CACHE_FILE
    monkeypatch.delenv("CAUSALBRIDGE_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "causalbridge"


def _write_many(directory: str, worker: int, count: int) -> None:
    cache = SqliteCache(directory)
    for i in range(count):
        cache.put(f"w{worker}-{i}", {"worker": worker, "i": i, "pad": "x" * 500})
        cache.put(f"shared-{i % 10}", {"last": worker})  # every process also fights over the same keys
        if i % 7 == 0:
            assert cache.get(f"w{worker}-{i}") == {"worker": worker, "i": i, "pad": "x" * 500}
    cache.close()


@fork
def test_concurrent_writers_from_several_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_many, args=(str(tmp_path), w, 150)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    cache = SqliteCache(tmp_path)
    assert len(cache) == 4 * 150 + 10
    for w in range(4):
        for i in (0, 77, 149):
            assert cache.get(f"w{w}-{i}") == {"worker": w, "i": i, "pad": "x" * 500}
    assert {cache.get(f"shared-{i}")["last"] for i in range(10)} <= {0, 1, 2, 3}  # type: ignore[index]
    cache.close()


def _write_forever(directory: str, committed: Synchronized) -> None:  # type: ignore[type-arg]
    cache = SqliteCache(directory)
    i = 0
    while True:
        cache.put(f"k{i}", {"i": i, "pad": "y" * 20_000})
        committed.value = i + 1  # only after the commit returned
        i += 1


@fork
def test_writer_killed_mid_run_leaves_a_readable_cache(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    committed = context.Value("i", 0)
    writer = context.Process(target=_write_forever, args=(str(tmp_path), committed))
    writer.start()
    deadline = time.monotonic() + 30
    while committed.value < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(writer.pid, signal.SIGKILL)  # type: ignore[arg-type]
    writer.join(10)
    assert writer.exitcode == -signal.SIGKILL
    done = committed.value
    assert done >= 300
    with sqlite3.connect(tmp_path / CACHE_FILE) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    cache = SqliteCache(tmp_path)
    assert len(cache) in (done, done + 1)  # the entry being written when killed may or may not have landed
    for i in range(done):
        entry = cache.get(f"k{i}")
        assert entry is not None and entry["i"] == i
    cache.put("after", {"ok": True})  # and the next run can keep writing
    assert cache.get("after") == {"ok": True}
    cache.close()


@fork
def test_a_forked_child_opens_its_own_connection(tmp_path: Path) -> None:
    cache = SqliteCache(tmp_path)
    cache.put("parent", {"v": 1})  # the parent's connection is open when it forks

    def child() -> None:
        cache.put("child", {"v": 2})
        assert cache.get("parent") == {"v": 1}

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(30)
    assert process.exitcode == 0
    assert cache.get("child") == {"v": 2} and cache.get("parent") == {"v": 1}
    cache.close()
