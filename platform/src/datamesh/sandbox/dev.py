"""The write wall for dbt run by hand (``cd domains/x && dbt build``, the dev target).

Applied by the dbt-core plugin (dbt_datamesh) while dbt loads the project, in its main thread:
Landlock binds the calling thread and every thread and process it starts afterwards, and dbt
starts its model threads, and DuckDB its workers, only later (at the first connection). The
threads alive at that moment are dbt's own and run no SQL.

Never walls a process that embeds dbt (``dbtRunner``: the platform's own parse, an
orchestrator), nor a dbt the platform already walled (``MESH_SANDBOX_APPLIED``).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from datamesh.errors import MeshError
from datamesh.resolve.upstreams import current_project_dir, project_warehouse
from datamesh.sandbox.wall import APPLIED_ENV, sandbox_disabled, warn_disabled, write_wall
from datamesh.warehouse import Warehouse

RUNNER_MARKER = "dbt_runner_command_args"  # dbtRunner.invoke puts it in the click context


def _dbt_cli_context() -> dict[str, Any] | None:
    """dbt's click context object when this process *is* the dbt CLI, else None."""
    try:
        import click
    except ImportError:
        return None
    ctx = click.get_current_context(silent=True)
    if ctx is None or not isinstance(ctx.obj, dict) or RUNNER_MARKER in ctx.obj:
        return None
    return ctx.obj


def _flag(obj: dict[str, Any], name: str) -> Any:
    return getattr(obj.get("flags"), name, None)


def dev_writable(obj: dict[str, Any], project_dir: Path) -> list[Path]:
    """Where a hand-run dbt may write: its project, target, logs, profiles dir, its database."""
    cwd = Path.cwd()
    folders = [project_dir]
    for name in ("TARGET_PATH", "LOG_PATH", "PROFILES_DIR"):
        value = _flag(obj, name)
        if value:
            path = Path(value)
            folders += [path] if path.is_absolute() else [cwd / path, project_dir / path]
    credentials = getattr(obj.get("profile"), "credentials", None)
    database = getattr(credentials, "path", None)
    if database and database != ":memory:" and "://" not in str(database):
        folders.append((cwd / str(database)).parent)
    return list(dict.fromkeys(folder.resolve() for folder in folders))


def refuse_published(folders: list[Path], warehouse: Warehouse) -> None:
    """A writable folder must not hold published data: a profile pointed at the warehouse."""
    for guarded in (warehouse.published_dir, warehouse.registry_dir):
        if not guarded.is_dir():
            continue
        for folder in folders:
            if guarded.resolve().is_relative_to(folder):
                raise MeshError(
                    f"dbt would write in {folder}, which holds the mesh's published data "
                    f"({guarded}); point the dev target's path at {warehouse.dev_dir}"
                )


def wall_dbt_cli() -> bool:
    """Wall this process if it is a hand-run dbt CLI; True when the wall was applied."""
    if os.environ.get(APPLIED_ENV) or threading.current_thread() is not threading.main_thread():
        return False
    obj = _dbt_cli_context()
    if obj is None:
        return False
    if sandbox_disabled():
        warn_disabled("dbt")
        return False
    project_dir = current_project_dir()
    folders = dev_writable(obj, project_dir)
    refuse_published(folders, Warehouse(project_warehouse(project_dir)))
    # one TMPDIR per user, kept: a walled process cannot remove a folder it was given
    private_tmp = Path(tempfile.gettempdir()) / f"mesh-dbt-dev-{os.getuid()}"
    private_tmp.mkdir(mode=0o700, exist_ok=True)
    with write_wall([*folders, private_tmp, Path("/dev")], "dbt") as ruleset:
        os.environ["TMPDIR"] = str(private_tmp)
        tempfile.tempdir = str(private_tmp)
        ruleset.restrict_self()
    os.environ[APPLIED_ENV] = "1"  # a dbt this one starts (none today) inherits the wall
    return True
