"""dbt-duckdb plugin: ATTACH each declared producer's published file READ_ONLY under its name.

Named in a domain's profiles.yml (``plugins: [{module: datamesh.resolve.attach}]``), so the
relation ``customers.main.dim_customers_v2`` resolves and a consumer cannot write to it.

dbt-duckdb initialises plugins when dbt opens its first connection, after the parse. A consumer
that ``mesh build`` started ahead of its producers waits there, at its start gate, and then
attaches the producers' audited-next staging files the gate names (see orchestrate/handoff.py).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from datamesh.dbt_env import GATE_ENV, NO_ATTACH_ENV
from datamesh.errors import MeshError
from datamesh.resolve.start_gate import GATE_WAIT_LOG, wait_for_gate
from datamesh.resolve.upstreams import (
    command_needs_upstreams,
    current_project_dir,
    load_upstreams,
    project_warehouse,
)
from datamesh.warehouse import Warehouse


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach_statement(alias: str, path: str) -> str:
    return f'ATTACH IF NOT EXISTS {_quote(path)} AS "{alias}" (READ_ONLY)'


def lockdown_statements(readable: list[Path]) -> list[str]:
    """DuckDB's own refusals, the second layer behind the OS wall (datamesh/sandbox).

    After these, a statement can read files only beneath ``readable`` and write none (COPY TO
    a registry file or another domain's database is refused), and cannot SET them back. They
    do not stop ``DETACH`` + ``ATTACH`` read-write of a file attached before (DuckDB keeps
    attached files allowed): only the OS wall does. Models cannot SET options either.
    """
    folders = ", ".join(_quote(str(folder).rstrip("/") + "/") for folder in readable)
    return [
        f"SET allowed_directories = [{folders}]",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ]


def local_package_folders(project_dir: Path) -> list[Path]:
    """Where ``dbt deps`` linked the project's local packages: DuckDB reads their seeds through
    the link's target, outside the project."""
    installed = project_dir / "dbt_packages"
    if not installed.is_dir():
        return []
    return [p.resolve() for p in sorted(installed.iterdir()) if p.is_symlink() and p.is_dir()]


class Plugin(BasePlugin):
    """Attaches upstream domains on every new DuckDB connection dbt opens."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        gate = os.environ.get(GATE_ENV)
        self._overrides: dict[str, str] = {}
        if gate:
            started = time.perf_counter()
            self._overrides = wait_for_gate(Path(gate))
            print(f"{GATE_WAIT_LOG} {time.perf_counter() - started:.2f}s", file=sys.stderr)
        project_dir = current_project_dir()
        # a compile for ``mesh check`` reads no producer data, and dbt debug tests the connection
        # alone: nothing to attach (or to miss) then
        no_attach = os.environ.get(NO_ATTACH_ENV) == "1" or not command_needs_upstreams()
        self._upstreams = [] if no_attach else load_upstreams(project_dir)
        # raw Parquet for sources; the project itself for seeds (dbt-duckdb COPYs them FROM csv)
        self._readable = [
            Warehouse(project_warehouse(project_dir)).raw, project_dir,
            *local_package_folders(project_dir),
        ]  # fmt: skip
        path = getattr(self.creds, "path", None)
        if path and path != ":memory:" and not str(path).startswith("md:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def configure_connection(self, conn: Any) -> None:
        for upstream in self._upstreams:
            if upstream.engine != "duckdb" and upstream.name not in self._overrides:
                raise MeshError(
                    f"upstream domain '{upstream.name}' is published on {upstream.engine}, not "
                    f"DuckDB: run this domain on {upstream.engine} too (dbt --target "
                    f"{upstream.engine}_dev, or mesh build --engine {upstream.engine})"
                )
            storage = Path(self._overrides.get(upstream.name, upstream.storage))
            if not storage.is_file():
                raise MeshError(
                    f"upstream domain '{upstream.name}' is registered but its file "
                    f"{storage} is missing; rebuild it (mesh build -s {upstream.name})"
                )
            conn.execute(attach_statement(upstream.name, str(storage)))
        for statement in lockdown_statements(self._readable):
            conn.execute(statement)
