"""One task per item, each in a process of its own, a few at a time.

Alembic's ``context`` is one proxy per process, so two walks cannot share a process.
Workers are started with "spawn" (a fresh interpreter: no copy of the parent's threads,
locks or connections). Whatever ends the run (an error, Ctrl-C, SIGTERM), every worker
still running is sent SIGTERM and waited for: it unwinds its ``with`` blocks, which stop
its server, before the run ends.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from queue import Empty
from types import FrameType
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Send = Callable[[Any], None]

# How long a stopping worker gets to stop its server before it is killed.
STOP_TIMEOUT = 60.0
_POLL = 0.2
_SIGNALS = {signal.SIGINT, signal.SIGTERM}


class RemoteTraceback(Exception):
    """The traceback of an error raised in a worker, chained to the error as its cause."""

    def __str__(self) -> str:
        return str(self.args[0])


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait (not lost) until the block is done.

    Around starting a worker: it inherits the mask, so a Ctrl-C during its start reaches
    it only once its handler is in place. Around stopping the workers: a second Ctrl-C
    does not cut their servers' cleanup short.
    """
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _interrupted(signum: int, frame: FrameType | None) -> None:
    # The first SIGINT or SIGTERM unwinds the worker; later ones must not interrupt
    # the cleanup that this one started. Not SIG_IGN: a signal that arrived but is not
    # handled yet would then be reported as "ignored due to race condition".
    for other in _SIGNALS:
        signal.signal(other, _ignored)
    raise KeyboardInterrupt


def _ignored(signum: int, frame: FrameType | None) -> None:
    pass


def _portable(error: BaseException) -> tuple[bytes | None, str]:
    """``error`` pickled when it can be, and its traceback as text."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
    except Exception:
        return None, text
    return data, text


def _die_with_parent() -> None:
    """A worker whose migcheck is gone (killed without a chance to stop it) interrupts
    itself, so that its server is removed on the way out; if that does not end it within
    a minute (its results cannot be handed over to anyone), it ends for good."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(60)
        os._exit(70)

    threading.Thread(target=watch, name="migcheck-parent-watch", daemon=True).start()


def _work(
    task: Callable[[Item, Send], Result],
    items: Sequence[Item],
    work: Queue[int | None],
    queue: Queue[Any],
    worker: int,
) -> None:
    """A worker's whole life: run ``task`` on the items ``work`` names, until it says None."""
    for signum in _SIGNALS:
        signal.signal(signum, _interrupted)
    _die_with_parent()
    index: int | None = None
    try:
        if hasattr(signal, "pthread_sigmask"):
            # A signal held since the start is delivered here, into the handler above.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
        while (index := work.get()) is not None:
            queue.put(("begin", index, worker))
            try:
                result = task(items[index], partial(_send, queue, index))
            except KeyboardInterrupt:
                raise
            except BaseException as error:
                queue.put(("error", index, _portable(error)))
                return
            queue.put(("result", index, result))
    except KeyboardInterrupt:
        queue.put(("interrupted", index, None))
    finally:
        # Done: a signal now (the run stops the others) must not break the exit,
        # which waits for the queue to hand over what was sent.
        for signum in _SIGNALS:
            signal.signal(signum, _ignored)


def _send(queue: Queue[Any], index: int, message: Any) -> None:
    queue.put(("message", index, message))


class _Pool(Generic[Item, Result]):
    """Worker processes, each taking the next item when done with one."""

    def __init__(
        self,
        task: Callable[[Item, Send], Result],
        items: Sequence[Item],
        on_message: Send,
        label: Callable[[Item], str],
    ) -> None:
        self.context = get_context("spawn")
        self.work: Queue[int | None] = self.context.Queue()
        self.queue: Queue[Any] = self.context.Queue()
        self.task, self.items, self.on_message, self.label = task, items, on_message, label
        self.workers: list[BaseProcess] = []
        self.doing: dict[int, int] = {}  # worker -> index of the item it works on
        self.results: dict[int, Result] = {}

    def start(self, jobs: int) -> None:
        for index in range(len(self.items)):
            self.work.put(index)
        for worker in range(jobs):
            self.work.put(None)
            process = self.context.Process(
                target=_work,
                args=(self.task, list(self.items), self.work, self.queue, worker),
                name=f"migcheck worker {worker + 1}",
            )
            with _signals_held():
                process.start()
            self.workers.append(process)

    def handle(self, kind: str, index: int, payload: Any) -> None:
        if kind == "begin":
            self.doing[payload] = index
        elif kind == "message":
            self.on_message(payload)
        elif kind == "result":
            self.results[index] = payload
        elif kind == "interrupted":
            raise KeyboardInterrupt
        else:
            data, text = payload
            error = pickle.loads(data) if data is not None else RuntimeError(text.splitlines()[-1])
            raise error from RemoteTraceback(text)

    def drain(self) -> None:
        """Handle every message already sent."""
        while True:
            try:
                message = self.queue.get_nowait()
            except Empty:
                return
            self.handle(*message)

    def check_alive(self) -> None:
        if all(process.is_alive() for process in self.workers):
            return
        self.drain()  # what the ended ones sent before they ended
        for worker, process in enumerate(self.workers):
            index = self.doing.get(worker)
            if not process.is_alive() and index is not None and index not in self.results:
                raise RuntimeError(
                    f"the walk on {self.label(self.items[index])} ended without a result "
                    f"(exit code {process.exitcode})"
                )
        if not any(process.is_alive() for process in self.workers):
            codes = ", ".join(str(process.exitcode) for process in self.workers)
            raise RuntimeError(f"every worker process ended early (exit codes {codes})")

    def stop(self) -> None:
        """Stop every worker still running, and wait until each has cleaned up."""
        with _signals_held():
            finished = len(self.results) == len(self.items)
            for process in self.workers:
                if process.is_alive() and not finished:
                    process.terminate()
            deadline = time.monotonic() + STOP_TIMEOUT
            for process in self.workers:
                while process.is_alive():
                    # A worker cannot exit while its messages wait in a full pipe.
                    while True:
                        try:
                            self.queue.get_nowait()
                        except Empty:
                            break
                    process.join(_POLL)
                    if time.monotonic() > deadline:
                        process.kill()
                        process.join()
            for queue in (self.work, self.queue):
                queue.close()
                queue.join_thread()


def run(
    task: Callable[[Item, Send], Result],
    items: Sequence[Item],
    *,
    jobs: int,
    on_message: Send,
    label: Callable[[Item], str] = str,
) -> list[Result]:
    """``[task(item, send) for item in items]``, at most ``jobs`` at a time, in processes.

    ``task`` and the items must pickle (a module-level function, or a ``partial`` of
    one). ``send(message)`` in a task calls ``on_message(message)`` here. The first error
    of a task is raised here, with the worker's traceback as its cause.
    """
    pool: _Pool[Item, Result] = _Pool(task, items, on_message, label)
    try:
        pool.start(min(jobs, len(items)))
        while len(pool.results) < len(items):
            try:
                message = pool.queue.get(timeout=_POLL)
            except Empty:
                pool.check_alive()
                continue
            pool.handle(*message)
        return [pool.results[index] for index in range(len(items))]
    finally:
        pool.stop()
