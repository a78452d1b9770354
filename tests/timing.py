"""A time bound for a test case: the costs some tests guard against are hangs."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

__all__ = ["Hang", "bounded"]


class Hang(BaseException):
    """A case ran past its time bound (a BaseException, so no ``except Exception`` eats it)."""


@contextlib.contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Raise ``Hang`` in the running case after ``seconds`` (the main thread's timer)."""
    def stop(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"over {seconds:g} s")

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
