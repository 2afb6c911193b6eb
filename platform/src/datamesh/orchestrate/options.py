"""What a caller of ``mesh build`` chooses."""

from __future__ import annotations

from dataclasses import dataclass

from datamesh.engine.kinds import EngineName


@dataclass
class BuildOptions:
    select: list[str] | None = None
    exclude: list[str] | None = None
    workers: int | None = None
    threads: int | None = None
    full_refresh: bool = False
    wait: bool = False
    allow_breaking: bool = False  # publish an interface that breaks readers, then rebuild them
    engine: EngineName = EngineName.DUCKDB  # where domains build and publish (MESH_ENGINE)
    pipeline: bool = True  # start consumers while their producers build (orchestrate/handoff.py)
