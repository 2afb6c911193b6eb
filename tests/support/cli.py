"""Run ``mesh`` against one root and warehouse, in this process or in a real one.

The root and warehouse are given once; every command gets ``--root/--warehouse`` from here.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from datamesh.cli import main
from datamesh.warehouse import Warehouse
from datamesh.write.dbt_run import dbt_executable


@dataclass(frozen=True)
class CliRun:
    """One ``mesh`` run: its exit code and what it printed."""

    code: int
    out: str
    err: str

    @property
    def output(self) -> str:
        return self.out + self.err


@dataclass(frozen=True)
class MeshCli:
    """``mesh <command>`` on ``root`` (omitted when None) and ``warehouse``.

    ``run`` calls ``datamesh.cli.main`` in this process and captures what it prints;
    ``argv`` is the command line for a test that needs a real process (kill it, lock against it).
    """

    root: Path | None
    warehouse: Path | Warehouse

    def args(self, command: str, *args: str) -> list[str]:
        root = ["--root", str(self.root)] if self.root is not None else []
        warehouse = self.warehouse.root if isinstance(self.warehouse, Warehouse) else self.warehouse
        return [command, *root, "--warehouse", str(warehouse), *args]

    def run(self, command: str, *args: str) -> CliRun:
        """In this process, as ``mesh`` would run: its stdout and stderr are this run's alone."""
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(self.args(command, *args))
        return CliRun(code, out.getvalue(), err.getvalue())

    def argv(self, command: str, *args: str) -> list[str]:
        """The command line of a real ``mesh`` process (this interpreter, this checkout)."""
        return [sys.executable, "-m", "datamesh.cli", *self.args(command, *args)]


def hand_dbt(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dbt as an analytics engineer runs it in a domain: the dev target, no platform flags."""
    return subprocess.run(
        [dbt_executable(), *args, "--no-use-colors"], cwd=project,
        env={**os.environ, "MESH_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
