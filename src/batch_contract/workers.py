"""Forked worker processes that run one function over numbered tasks, for `--jobs N` where the
platform forks.

The parent writes each task as 16 bytes (its number and one integer argument) to a pipe that
every worker reads from as it comes free, so a worker never waits on the parent for its next
task; each worker sends its results back (marshalled, or pickled if they are more than plain
data) on a pipe of its own, and the parent hands them out by task number. Next to
`multiprocessing.Pool` this starts in a few milliseconds, runs no helper thread in the parent and
wakes the parent once per result; and a worker that dies (killed, out of memory) ends the run with
`WorkerDied`, where a Pool waits for its result forever.

The workers inherit the function and everything it reads at the fork, so the tasks themselves
need not travel: only their numbers do.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import struct
from collections.abc import Callable
from typing import Any

from batch_contract.errors import WorkerDied

_TASK = struct.Struct("<qq")
"""A task on the pipe: its number and its argument. Writes and reads of this size are atomic, so
workers reading the one pipe each take whole tasks."""
_HEADER = struct.Struct("<qQ?")
"""A result on a worker's pipe: the task number, the length of what follows, and whether that is
a pickle of (result, None) or (None, the exception the task raised); else it is the result,
marshalled (`_encode`)."""
MAX_AHEAD = 512
"""Tasks submitted but not yet taken back, at most: 8 KB, which every platform's pipe holds (macOS
starts a pipe at 16 KB), so `submit` never blocks, and the parent never waits to hand out a task
while the workers wait for it to read their results."""
_READ = 1 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
"""glibc's `mallopt` parameters (malloc.h)."""
KEEP_BYTES = 64 << 20
"""Freed memory a process of a `--jobs` run keeps for its next allocations, and the size below
which glibc allocates from that heap rather than mapping fresh pages."""


def keep_freed_memory() -> bool:
    """Have glibc keep freed memory for reuse (up to `KEEP_BYTES`) instead of handing it back to
    the system at once; True if it could. By default glibc maps a large block afresh and unmaps
    it when freed, and trims the heap once its free top passes a threshold. A worker frees all it
    allocated at the end of each range, so every range faulted its 2 MB in anew: about 14,000
    page faults per worker over the benchmark corpus, and 4-5% of a `--jobs 2` run. Set in the
    parent before the fork, so the workers inherit it. Not glibc (macOS, musl): nothing to do."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    return bool(mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES) and mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES))


def _describe(status: int) -> str:
    """How a process ended, from its wait status, in words."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"was killed by {name}" + (" (out of memory?)" if name == "SIGKILL" else "")
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def _write_all(fd: int, data: bytes | memoryview) -> None:
    """Write all of `data` to a pipe."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _encode(value: Any) -> tuple[bool, bytes]:
    """A result as marshal writes it, for plain data (None, numbers, str, bytes, and tuples, lists,
    dicts and sets of them: what `--jobs` sends), which marshal writes and reads faster than pickle
    and without importing anything; else pickled, with True. (marshal writes any other bytes-like
    object as bytes, which it reads back as bytes.)"""
    try:
        return False, marshal.dumps(value)
    except ValueError:  # more than plain data
        import pickle

        return True, pickle.dumps((value, None), pickle.HIGHEST_PROTOCOL)


def _encode_error(error: Exception) -> bytes:
    """The exception a task raised, pickled; one that does not pickle, as its traceback."""
    import pickle

    try:
        return pickle.dumps((None, error), pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle: its traceback as text
        import traceback

        text = "".join(traceback.format_exception(error)).rstrip()
        return pickle.dumps((None, RuntimeError(text)), pickle.HIGHEST_PROTOCOL)


def _serve(function: Callable[[int, int], Any], tasks: int, results: int) -> None:
    """A worker's life: take tasks from the `tasks` pipe until it closes, send each result (or
    the exception it raised, to be raised where the parent takes that result) on `results`."""
    pack = _HEADER.pack
    while len(task := os.read(tasks, _TASK.size)) == _TASK.size:
        number, argument = _TASK.unpack(task)
        try:
            pickled, payload = _encode(function(number, argument))
        except Exception as error:  # a bug
            pickled, payload = True, _encode_error(error)
        _write_all(results, pack(number, len(payload), pickled) + payload)


class Workers:
    """`jobs` forked processes running `function(number, argument)` for submitted tasks.

    Use as a context manager: leaving it closes the task pipe, so that idle workers end, and
    reaps them (killing them first when it is left early, on an error or an interrupt)."""

    def __init__(self, function: Callable[[int, int], Any], jobs: int) -> None:
        self._done: dict[int, Any] = {}
        self._out = 0  # tasks submitted and not yet taken back
        self._buffers: dict[int, bytearray] = {}
        self._pids: dict[int, int] = {}
        self._poll = select.poll()
        self._tasks, self._submit = os.pipe()
        keep_freed_memory()
        try:
            for _ in range(jobs):
                self._fork(function)
        except BaseException:
            self._stop(kill=True)
            raise

    def _fork(self, function: Callable[[int, int], Any]) -> None:
        """Start one worker, its result pipe read by the parent."""
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns to the caller
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
                os.close(self._submit)
                os.close(read)
                for fd in self._pids:
                    os.close(fd)
                _serve(function, self._tasks, write)
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pids[read] = pid
        self._buffers[read] = bytearray()
        self._poll.register(read, select.POLLIN)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self._stop(kill=kind is not None)

    def submit(self, number: int, argument: int = 0) -> None:
        """Hand out task `number` (>= 0); the first free worker takes it. At most `MAX_AHEAD`
        tasks may be out at a time (ValueError past that)."""
        if self._out >= MAX_AHEAD:
            raise ValueError(f"more than {MAX_AHEAD} tasks out at a time")
        os.write(self._submit, _TASK.pack(number, argument))
        self._out += 1

    def finish(self) -> None:
        """No more tasks: each worker ends once it has sent its last result."""
        if self._submit >= 0:
            os.close(self._submit)
            self._submit = -1

    def result(self, number: int) -> Any:
        """The result of task `number`, waiting for it (results of other tasks are kept); the
        exception the task raised, raised here."""
        done = self._done
        while number not in done:
            if not self._pids:
                raise WorkerDied(f"no worker is left to finish task {number}")
            for fd, _ in self._poll.poll():
                self._receive(fd)
        value, error = done.pop(number)
        self._out -= 1
        if error is not None:
            raise error
        return value

    def _receive(self, fd: int) -> None:
        """Read what a worker sent; keep its whole results; note its end."""
        data = os.read(fd, _READ)
        if not data:
            self._ended(fd)
            return
        buffer = self._buffers[fd]
        buffer += data
        size = _HEADER.size
        while len(buffer) >= size:
            number, length, pickled = _HEADER.unpack_from(buffer)
            if len(buffer) < size + length:
                break
            payload = buffer[size : size + length]
            if pickled:
                import pickle

                self._done[number] = pickle.loads(payload)
            else:
                self._done[number] = (marshal.loads(payload), None)
            del buffer[: size + length]

    def _ended(self, fd: int) -> None:
        """A worker closed its pipe: fine once the tasks are closed, else it died."""
        pid = self._pids.pop(fd)
        self._poll.unregister(fd)
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        if status != 0 or self._buffers.pop(fd):
            raise WorkerDied(f"a --jobs worker (process {pid}) {_describe(status)}")

    def _stop(self, kill: bool) -> None:
        """Close the task pipe and reap every worker, killing them first if `kill`."""
        self.finish()
        if self._tasks >= 0:
            os.close(self._tasks)
            self._tasks = -1
        for fd, pid in list(self._pids.items()):
            if kill:
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            self._poll.unregister(fd)
            os.close(fd)
        self._pids.clear()
