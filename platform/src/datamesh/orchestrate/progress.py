"""Progress of a mesh build: live status on a terminal, plain lines in CI, JSON on request."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from datamesh.console import json_line, wants_colour

COLOURS = {
    "published": "32", "unchanged": "33", "failed": "31", "blocked": "31", "building": "36",
    "waiting": "34", "restarted": "35", "interrupted": "31",
}  # fmt: skip


class Progress:
    """Prints one line per domain event; on a terminal, colours and a running status line."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        colour: bool | None = None,
        json_lines: bool = False,
    ) -> None:
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self.json_lines = json_lines
        self.tty = self.stream.isatty() and not json_lines
        self.colour = self.tty and (wants_colour(self.stream) if colour is None else colour)
        self._lock = threading.Lock()
        self._building: dict[str, float] = {}
        self._started = time.perf_counter()

    def _paint(self, status: str) -> str:
        code = COLOURS.get(status)
        return f"\033[{code}m{status:<9}\033[0m" if self.colour and code else f"{status:<9}"

    def event(self, domain: str, status: str, detail: str = "") -> None:
        with self._lock:
            if status == "building":
                self._building[domain] = time.perf_counter()
            else:
                self._building.pop(domain, None)
            if self.quiet:
                return
            elapsed = time.perf_counter() - self._started
            if self.json_lines:
                fields = {"domain": domain, "status": status, "detail": detail,
                          "elapsed": round(elapsed, 1)}  # fmt: skip
                self.stream.write(json_line("info", f"{status} {domain}", "build", fields))
                self.stream.flush()
                return
            line = f"[{elapsed:7.1f}s] {self._paint(status)} {domain}"
            if detail:
                line += f"  {detail}"
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(line + "\n")
            if self.tty and self._building:
                now = time.perf_counter()
                running = ", ".join(
                    f"{d} {now - t:.0f}s" for d, t in sorted(self._building.items())
                )
                self.stream.write(f"building: {running}")
            self.stream.flush()

    def close(self) -> None:
        if self.tty and not self.quiet:
            self.stream.write("\r\033[K")
            self.stream.flush()
