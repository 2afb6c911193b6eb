"""One benchmark run's settings, folders and environment, and how a command is measured."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.measure import Measurement, run_measured
from datamesh.discover.projects import SKIPPED_DIRS

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# A copy of a domain leaves out what discovery skips (build output) and dbt's per-user id.
COPY_IGNORE = (*sorted(SKIPPED_DIRS), ".user.yml")


@dataclass
class Settings:
    quick: bool
    orders: int
    repeat: int
    domains: int
    models: int
    as_of: date
    seed: int
    changed_domain: str = "sales"

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "as_of": self.as_of.isoformat()}


@dataclass
class Bench:
    """Paths under one private work folder (never the repo's warehouse/)."""

    settings: Settings
    work: Path
    progress: bool = True
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def domains_root(self) -> Path:
        return self.work / "domains"

    @property
    def warehouse(self) -> Path:
        return self.work / "warehouse"

    @property
    def logs(self) -> Path:
        return self.work / "logs"

    def say(self, message: str) -> None:
        if self.progress:
            print(f"[bench] {message}", flush=True)

    def env(self, warehouse: Path | None = None, **extra: str) -> dict[str, str]:
        """The environment of every measured command: its own warehouse, no telemetry."""
        return {
            **os.environ,
            "MESH_WAREHOUSE": str(warehouse or self.warehouse),
            "MESH_AS_OF": self.settings.as_of.isoformat(),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DO_NOT_TRACK": "1",
            **extra,
        }

    @staticmethod
    def mesh(*args: str | Path) -> list[str]:
        return [str(BIN / "mesh"), *map(str, args)]

    def mesh_args(
        self,
        command: str,
        *args: str | Path,
        root: Path | None = None,
        warehouse: Path | None = None,
    ) -> list[str]:
        """``<command> --root --warehouse ...``: this run's domains and warehouse unless given."""
        root, warehouse = root or self.domains_root, warehouse or self.warehouse
        return [command, "--root", str(root), "--warehouse", str(warehouse), *map(str, args)]

    def mesh_on(self, command: str, *args: str | Path, **where: Path) -> list[str]:
        """The ``mesh`` command line of ``mesh_args``."""
        return self.mesh(*self.mesh_args(command, *args, **where))

    def mesh_build(self, *args: str) -> list[str]:
        """The mesh build every item runs: quiet, on this run's domains and warehouse."""
        return self.mesh_on("build", *args, "-q")

    def measure(
        self,
        label: str,
        command: list[str],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        ok_codes: tuple[int, ...] = (0,),
        also: tuple[int, ...] = (),
    ) -> Measurement:
        """Run and measure one command; its output goes to ``logs/<label>-<n>.log``."""
        self.logs.mkdir(parents=True, exist_ok=True)
        index = len(list(self.logs.glob(f"{label}-*.log")))
        log = self.logs / f"{label}-{index}.log"
        result = run_measured(
            command, env=env or self.env(), cwd=cwd, log=log, check=False, also=also
        )
        if result.returncode not in ok_codes:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            raise RuntimeError(f"{label}: {' '.join(command)} exited {result.returncode}\n{tail}")
        self.say(f"{label}: {result.seconds:.2f} s, peak {result.peak_bytes / 2**20:.0f} MiB")
        return result


def command_available(bench: Bench, name: str) -> bool:
    """Whether ``mesh <name>`` exists in this checkout (other stages land over time)."""
    done = subprocess.run(bench.mesh(name, "--help"), capture_output=True, env=bench.env())
    return done.returncode == 0


def copy_domains(source: Path, dest: Path) -> list[str]:
    """A private copy of the dbt projects (no build output), so a scenario may edit files."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    names = []
    for project in sorted(p.parent for p in source.glob("*/dbt_project.yml")):
        shutil.copytree(project, dest / project.name, ignore=shutil.ignore_patterns(*COPY_IGNORE))
        names.append(project.name)
    return names
