"""Where one domain's dbt build spent its time, read from dbt's own log of that run.

dbt writes a timestamped debug log (``dbt.log``, appended run after run) and ends each command
with how long it took from its own start. The difference with the wall time the platform
measured around the process is what dbt cannot see: Python's start, dbt's imports and the exit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAMP = re.compile(r"^(?:\x1b\[[0-9;]*m)*(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?) ", re.M)
MAIN = "Running with dbt="
PARSED = re.compile(r"\]: Found \d+ ")
FINISHED = re.compile(r"\]: Finished running .* \((?P<seconds>[\d.]+)s\)\.?\s*$", re.M)
COMMAND = re.compile(r"Command `dbt \w+` \w+ at \S+ after (?P<seconds>[\d.]+) seconds")
GATE_WAIT = re.compile(r"mesh: waited at the start gate for (?P<seconds>[\d.]+)s")

PHASES = ("startup", "parse", "gate", "execution", "dbt_other", "audit", "publish")


@dataclass(frozen=True)
class _Line:
    seconds: float  # of the day
    text: str


def _stamped(text: str) -> list[_Line]:
    lines = []
    for raw in text.splitlines():
        match = STAMP.match(raw)
        if match:
            day = int(match["h"]) * 3600 + int(match["m"]) * 60 + float(match["s"])
            lines.append(_Line(day, raw))
    return lines


def _between(start: float, end: float) -> float:
    """Seconds from one time of day to a later one, across midnight if need be."""
    return end - start if end >= start else end + 86400 - start


def _first(pattern: re.Pattern[str], run: list[_Line]) -> re.Match[str] | None:
    return next((m for m in (pattern.search(line.text) for line in run) if m), None)


def dbt_phases(dbt_log: str, build_log: str, wall_seconds: float) -> dict[str, float]:
    """Seconds of start-up, parse, gate wait, node execution and the rest of dbt, for the
    last run in ``dbt_log``; phases the log does not show (a run that died early) are left out.
    """
    lines = _stamped(dbt_log)
    starts = [i for i, line in enumerate(lines) if MAIN in line.text]
    if not starts:
        return {}
    run = lines[starts[-1] :]
    phases: dict[str, float] = {}
    gate = GATE_WAIT.search(build_log)
    waited = float(gate["seconds"]) if gate else 0.0
    command = _first(COMMAND, run)
    if command:
        phases["startup"] = max(0.0, wall_seconds - float(command["seconds"]))
    parsed = next((line for line in run if PARSED.search(line.text)), None)
    if parsed:
        phases["parse"] = _between(run[0].seconds, parsed.seconds)
    phases["gate"] = waited
    finished = _first(FINISHED, run)
    if finished:
        phases["execution"] = max(0.0, float(finished["seconds"]) - waited)
    if command and parsed and finished:
        rest = float(command["seconds"]) - phases["parse"] - float(finished["seconds"])
        phases["dbt_other"] = max(0.0, rest)
    return {name: round(value, 3) for name, value in phases.items()}


def phase_line(phases: dict[str, float]) -> str:
    """``start-up 10.2s, parse 5.1s, ...``: the one-line summary ``mesh build -v`` ends with."""
    labels = {"startup": "start-up", "dbt_other": "dbt other", "execution": "nodes"}
    return ", ".join(
        f"{labels.get(name, name)} {phases[name]:.1f}s" for name in PHASES if name in phases
    )
