"""Ctrl-C and SIGTERM during a build: stop starting, kill dbt children, publish nothing more.

The handler only records the signal; the scheduler's loop (which wakes at least every
``POLL_SECONDS``) does the rest: it closes every start gate and releases every thread waiting on
a producer, each domain thread's dbt child is terminated (``write.dbt_run``'s ``stop``), and a
domain checks the flag again right before its registry switch, so nothing is published after the
signal is seen. The build then writes a run report saying what was interrupted, releases the
lock, and exits 130 (SIGINT) or 143 (SIGTERM) like a shell would.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

CAUGHT = (signal.SIGINT, signal.SIGTERM)


@dataclass
class Interrupt:
    """Whether, and by which signal, this build was asked to stop."""

    event: threading.Event = field(default_factory=threading.Event)
    signum: int | None = None

    def set(self, signum: int) -> None:
        if self.signum is None:
            self.signum = signum
        self.event.set()

    def is_set(self) -> bool:
        return self.event.is_set()

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name if self.signum else ""

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process ended by it."""
        return 128 + (self.signum or signal.SIGINT)


@contextmanager
def interrupts_caught(interrupt: Interrupt) -> Iterator[Interrupt]:
    """Route SIGINT and SIGTERM to ``interrupt`` while the build runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield interrupt  # signals are delivered to the main thread: nothing to install here
        return
    previous = {signum: signal.getsignal(signum) for signum in CAUGHT}
    for signum in CAUGHT:
        signal.signal(signum, lambda number, _frame: interrupt.set(number))
    try:
        yield interrupt
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
