"""How a ``mesh`` command talks to people and to machines: text or JSON lines, colour, quiet.

``cli.main`` makes one :class:`Console` from the shared flags (``--log-format``, ``-q``,
``--no-color``, ``$NO_COLOR``) and hands it to the command as ``args.console``. A command says
what it means with :meth:`Console.log` (a level, a message, fields); what it still ``print``s
goes through :class:`JsonLines` in ``--log-format json``, so every line a machine reads is one
JSON object, as in dbt's ``--log-format json``.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

LEVELS = ("debug", "info", "warning", "error")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 model``, ``2 models``: every count a command or page prints goes through here."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def json_line(level: str, message: str, command: str, fields: dict[str, Any]) -> str:
    """One log record: when, how bad, which command, what it says, and its data."""
    record = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": level,
        "command": command,
        "message": message,
        "fields": fields,
    }
    return json.dumps(record, default=str) + "\n"


def wants_colour(stream: TextIO, no_color: bool = False) -> bool:
    """Colour on a terminal only; never with ``--no-color`` or ``$NO_COLOR`` (no-color.org)."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class JsonLines(io.TextIOBase):
    """A text stream that writes each complete line it is given as one JSON log record."""

    def __init__(self, target: TextIO, level: str, command: str) -> None:
        self.target, self.level, self.command = target, level, command
        self._pending = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._emit(line)
        return len(text)

    def _emit(self, line: str) -> None:
        if line.strip():
            level = "warning" if ": warning:" in line else self.level
            self.target.write(json_line(level, line.rstrip(), self.command, {}))

    def flush(self) -> None:
        self._emit(self._pending)
        self._pending = ""
        self.target.flush()


@dataclass
class Console:
    """The shared output settings of one command run."""

    command: str = ""
    log_format: str = "text"
    quiet: bool = False
    colour: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    def json(self) -> bool:
        return self.log_format == "json"

    def log(self, level: str, message: str, **fields: Any) -> None:
        """Info to stdout (not with ``-q``), warnings to stdout always (as dbt does), errors to
        stderr."""
        if level not in LEVELS:
            raise ValueError(f"unknown log level {level!r}")
        if level in ("debug", "info") and self.quiet:
            return
        stream = self.err if level == "error" else self.out
        if self.json:
            stream.write(json_line(level, message, self.command, fields))
        else:
            stream.write(message + "\n")
        stream.flush()
