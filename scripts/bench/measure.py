"""Wall time and peak memory of a command and every process it starts.

Peak memory is the largest *sum* of resident memory (VmRSS) over the whole process tree,
sampled every ``interval`` seconds while the command runs: a mesh build runs several dbt
processes at once, and what the machine must hold is their sum, not the largest one.
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` would only give the largest single child
(over the benchmark's whole life), so it is not used. Each process's own high-water mark
(VmHWM, exact, not sampled) is kept too: the largest is ``max_process_bytes``.
A process that lives less than one interval may be missed by the tree sum.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def parse_status_kib(status_text: str, key: str) -> int:
    """The value in KiB of one ``/proc/<pid>/status`` line such as ``VmRSS:  1234 kB``."""
    for line in status_text.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def parse_ppid(stat_text: str) -> int:
    """The parent pid from ``/proc/<pid>/stat`` (the command name may hold spaces and parens)."""
    return int(stat_text[stat_text.rindex(")") + 2 :].split()[1])


def descendants(root: int, parents: Mapping[int, int]) -> set[int]:
    """``root`` and every process below it, given each process's parent."""
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in tree:
                tree.add(child)
                todo.append(child)
    return tree


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, ValueError):  # the process ended between listing and reading
        return None


class ProcessTree:
    """Samples one process tree; parents are cached, so a sample reads /proc/<pid>/stat only
    for processes that appeared since the last one (a sample costs ~1 ms, not ~5)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.parents: dict[int, int] = {}

    def _refresh(self) -> None:
        alive = {int(e.name) for e in os.scandir(PROC) if e.name.isdigit()}
        for pid in set(self.parents) - alive:
            del self.parents[pid]
        for pid in alive - set(self.parents):
            text = _read(PROC / str(pid) / "stat")
            if text:
                self.parents[pid] = parse_ppid(text)

    def memory(self) -> tuple[int, int]:
        """(sum of VmRSS, largest VmHWM) in bytes over the tree, right now."""
        self._refresh()
        total = largest = 0
        for pid in descendants(self.root, self.parents):
            text = _read(PROC / str(pid) / "status")
            if text:
                total += parse_status_kib(text, "VmRSS") * 1024
                largest = max(largest, parse_status_kib(text, "VmHWM") * 1024)
        return total, largest


@dataclass
class Measurement:
    """One run of one command."""

    seconds: float
    peak_bytes: int
    max_process_bytes: int
    returncode: int
    log: str | None = None


class CommandFailed(RuntimeError):
    """A measured command exited non-zero: the numbers would mean nothing."""


def run_measured(
    command: list[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    interval: float = 0.05,
    check: bool = True,
    also: Sequence[int] = (),
) -> Measurement:
    """Run ``command`` (output to ``log``), sampling the tree's memory until it exits.

    ``also``: roots of process trees that work for the command without being its children (a
    Spark server): their memory counts in the peak too.
    """
    handle = log.open("w", encoding="utf-8") if log else subprocess.DEVNULL
    peaks = [0, 0]
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            command, env=dict(env) if env is not None else None, cwd=cwd,
            stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        done = threading.Event()
        trees = [ProcessTree(pid) for pid in (process.pid, *also)]

        def sample() -> None:
            while not done.is_set():
                sizes = [tree.memory() for tree in trees]
                total, largest = sum(t for t, _ in sizes), max(m for _, m in sizes)
                peaks[0], peaks[1] = max(peaks[0], total), max(peaks[1], largest)
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        returncode = process.wait()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    finally:
        if log:
            handle.close()  # type: ignore[union-attr]
    result = Measurement(seconds, peaks[0], peaks[1], returncode, str(log) if log else None)
    if check and returncode != 0:
        tail = ""
        if log and log.is_file():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise CommandFailed(f"{' '.join(command)} exited {returncode} (log: {log})\n{tail}")
    return result


@dataclass
class Stats:
    """Median, min and max of several runs (n says how many)."""

    median: float
    min: float
    max: float
    n: int
    values: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.min, "max": self.max, "n": self.n,
                "values": self.values}  # fmt: skip


def summarise(values: Iterable[float]) -> Stats:
    """Median/min/max; an empty input is an error (a figure with no run behind it)."""
    data = [float(v) for v in values]
    if not data:
        raise ValueError("no runs to summarise")
    return Stats(statistics.median(data), min(data), max(data), len(data), data)


def ratio(numerator: Stats, denominator: Stats) -> float | None:
    """Ratio of the medians; None when the denominator is zero."""
    return numerator.median / denominator.median if denominator.median else None
