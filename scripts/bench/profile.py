"""Where a slow command's time goes: a dbt build log's phases, a cProfile of a Python command.

Used only when a target is missed, to write the note the issue asks for.
"""

from __future__ import annotations

import pstats
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

FINISHED = re.compile(r"Finished running .* in .*\((?P<seconds>[\d.]+)s\)")
FULL_PARSE = re.compile(r"Unable to do partial parsing because (?P<reason>.+?)\s*$", re.M)
GATE_WAIT = re.compile(r"mesh: waited at the start gate for (?P<seconds>[\d.]+)s")


def dbt_log_phases(log_text: str) -> dict[str, object]:
    """From a ``dbt build`` log: seconds dbt spent running nodes, and why it parsed in full.

    A consumer started ahead of its producers waits at its start gate inside dbt's run: that
    wait is taken out of the running time.
    """
    finished = FINISHED.search(log_text)
    reason = FULL_PARSE.search(log_text)
    gate = GATE_WAIT.search(log_text)
    waited = float(gate["seconds"]) if gate else 0.0
    return {
        "execution_seconds": float(finished["seconds"]) - waited if finished else None,
        "gate_seconds": waited,
        "full_parse_reason": reason["reason"] if reason else None,
    }


def cumulative_seconds(stats: pstats.Stats, where: Mapping[str, tuple[str, str]]) -> dict:
    """Cumulative seconds of functions named by (file path suffix, function name)."""
    found: dict[str, float] = {label: 0.0 for label in where}
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        for label, (suffix, name) in where.items():
            if function == name and filename.replace("\\", "/").endswith(suffix):
                found[label] = max(found[label], row[3])
    return found


def profile_python(
    script: Path, args: list[str], env: Mapping[str, str], output: Path,
    where: Mapping[str, tuple[str, str]],
) -> dict[str, float]:  # fmt: skip
    """Run ``script args`` under cProfile; returns the cumulative seconds of ``where``."""
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(output), str(script), *args],
        env=dict(env), capture_output=True, check=False,
    )  # fmt: skip
    if not output.is_file():
        return {}
    stats = pstats.Stats(str(output))
    return {"total": stats.total_tt, **cumulative_seconds(stats, where)}  # type: ignore[attr-defined]
