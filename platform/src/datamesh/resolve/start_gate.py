"""The start gate: how ``mesh build`` tells a consumer's dbt, started ahead, to run or to stop.

The orchestrator writes the gate file; the attach plugin, inside the consumer's dbt, waits for
it after the parse and before the first model (see orchestrate/handoff.py for why).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from datamesh.errors import MeshError
from datamesh.jsonio import write_json_atomic

GATE_POLL_SECONDS = 0.02
GATE_WAIT_LOG = "mesh: waited at the start gate for"  # in the dbt log, read by the benchmark


class GateClosed(MeshError):
    """The orchestrator called a pre-started consumer off (a producer failed or changed)."""


def open_gate(gate: Path, attach: dict[str, str]) -> None:
    """Let the waiting consumer run, attaching ``attach`` (producer -> file) over the registry."""
    write_json_atomic(gate, {"go": True, "attach": attach})


def close_gate(gate: Path, reason: str) -> None:
    """Make the waiting consumer stop before it runs anything."""
    write_json_atomic(gate, {"go": False, "reason": reason})


def wait_for_gate(gate: Path) -> dict[str, str]:
    """Block (in the dbt process) until the orchestrator decides; return the attach overrides.

    No timeout: the dbt process dies with the build that started it (PR_SET_PDEATHSIG).
    """
    while not gate.is_file():
        time.sleep(GATE_POLL_SECONDS)
    try:
        decision = json.loads(gate.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise GateClosed(f"{gate}: unreadable start gate: {exc}") from None
    if not decision.get("go"):
        raise GateClosed(f"mesh build called this build off: {decision.get('reason')}")
    return {str(k): str(v) for k, v in (decision.get("attach") or {}).items()}
