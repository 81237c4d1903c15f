"""One run at a time per CLEAN folder, and recovery from a run that was killed.

The lock is ``fcntl.flock`` on ``CLEAN/.cleancorp/lock``: the kernel drops it when the process
dies, however it dies, so a killed run never leaves a stale lock. A ``running`` marker next to
it is removed when a run ends; finding it at the start means the last run was killed, and the
temporary files its atomic writes left behind are swept away.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

LOCK_NAME = "lock"
RUNNING_NAME = "running"
TEMPORARY_SUFFIX = ".tmp"  # atomic writes go to ".<name>.<pid>.tmp" first


class Locked(RuntimeError):
    """Another run holds the lock on this CLEAN folder."""


def sweep_temporary_files(clean: Path) -> int:
    """Remove the ``.<name>.<pid>.tmp`` files a killed run left in ``clean``; returns how many."""
    swept = 0
    for directory, _, files in os.walk(clean):
        for name in files:
            if name.startswith(".") and name.endswith(TEMPORARY_SUFFIX):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(directory, name))
                    swept += 1
    return swept


class RunLock:
    """``with RunLock(clean, state): ...``: hold the CLEAN folder for one run.

    ``wait``: block until the other run ends instead of raising :class:`Locked`.
    After entering, ``swept`` is the number of temporary files a killed run had left.
    """

    def __init__(self, clean: Path, state: Path, wait: bool = False) -> None:
        self.clean, self.state, self.wait = clean, state, wait
        self.fd = -1
        self.swept = 0

    def __enter__(self) -> RunLock:
        self.state.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.state / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(self.fd)
            raise Locked(
                f"another cleancorp run (pid {holder}) is writing to {self.clean}; "
                "try again when it ends, or pass --wait to queue behind it"
            ) from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        marker = self.state / RUNNING_NAME
        if marker.exists():
            self.swept = sweep_temporary_files(self.clean)
        marker.touch()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        # An exception raised in Python has already removed its temporary file (atomic_write);
        # only a killed process leaves the marker behind.
        with contextlib.suppress(FileNotFoundError):
            (self.state / RUNNING_NAME).unlink()
        os.close(self.fd)
        self.fd = -1
