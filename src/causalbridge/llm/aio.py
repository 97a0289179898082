"""Small asyncio helpers shared by the backends.

Backends are created once and then used from whichever event loop the caller runs: ``asyncio.run`` per command,
a Jupyter kernel's loop, or the private loop :func:`run_sync` starts in a thread. asyncio primitives belong to
one loop, so :class:`PerLoop` keeps one instance per running loop instead of one per backend.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from synchronous code, even when this thread already runs a loop.

    Inside a running loop (Jupyter, an async web handler) the coroutine runs on a fresh loop in a worker
    thread, because blocking the caller's loop on itself would deadlock.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="causalbridge-sync") as pool:
        return pool.submit(asyncio.run, coro).result()


class PerLoop(Generic[T]):
    """One lazily made ``T`` per running event loop (semaphores, HTTP clients), dropped with the loop."""

    def __init__(self, factory: Callable[[], T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._items: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def get(self) -> T:
        loop = asyncio.get_running_loop()
        with self._lock:
            item = self._items.get(loop)
            if item is None:
                item = self._items[loop] = self._factory()
            return item


async def gather_all(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """Await all, in order; on the first failure cancel the rest and raise that failure itself.

    Unlike ``asyncio.gather`` nothing keeps running after a failure, and unlike a bare TaskGroup the caller
    gets the original exception (say a BackendError), not an ExceptionGroup wrapping it.
    """

    async def wrap(awaitable: Awaitable[T]) -> T:
        return await awaitable

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(wrap(a)) for a in awaitables]
    except BaseExceptionGroup as failures:
        first = failures.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [task.result() for task in tasks]
