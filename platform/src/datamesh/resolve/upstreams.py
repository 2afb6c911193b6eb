"""What the running dbt project may read: its declared upstreams and their interfaces."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamesh.dbt_env import ENGINE_OF_BUILD_ENV
from datamesh.discover.projects import read_domain
from datamesh.engine.kinds import entry_engine
from datamesh.errors import MeshError
from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse, default_warehouse, registry_dir_for


@dataclass(frozen=True)
class Upstream:
    """A producer as a consumer sees it: its interface and the file to attach."""

    name: str
    interface: dict[str, Any]
    storage: Path
    engine: str = "duckdb"  # where it is published: the registry entry's engine


def current_project_dir() -> Path:
    """The project dbt is running: ``--project-dir`` if given, else the nearest above cwd."""
    try:
        from dbt.flags import get_flags

        project_dir = getattr(get_flags(), "PROJECT_DIR", None)
    except Exception:  # flags not set outside a dbt invocation
        project_dir = None
    if project_dir:
        return Path(project_dir).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return here


# dbt commands that read no model and resolve no ref: the mesh has nothing to inject or attach,
# so a consumer whose upstreams were never published can still run them.
NO_REF_COMMANDS = frozenset({"deps", "clean", "debug", "init"})


def command_needs_upstreams() -> bool:
    """False when the running dbt command is one of NO_REF_COMMANDS (read from dbt's flags)."""
    try:
        from dbt.flags import get_flags

        command = getattr(get_flags(), "WHICH", None)
    except Exception:  # flags not set outside a dbt invocation
        command = None
    return command not in NO_REF_COMMANDS


def project_warehouse(project_dir: Path) -> Path:
    """``MESH_WAREHOUSE``, else ``../../warehouse`` from the project: the profiles' own default."""
    return default_warehouse(dbt_project=project_dir)


def load_upstreams(project_dir: Path) -> list[Upstream]:
    """Interfaces of every domain the project declares in dependencies.yml, in declared order."""
    domain = read_domain(project_dir)
    warehouse = Warehouse(project_warehouse(project_dir))
    registry_dir = registry_dir_for(warehouse)
    upstreams: list[Upstream] = []
    for name in domain.upstreams:
        interface = read_interface(registry_dir, name)
        if interface is None:
            raise MeshError(
                f"{domain.declaration_file(name)}: upstream domain '{name}' has no published "
                f"interface in {registry_dir}; build it first (mesh build -s +{domain.name})"
            )
        storage = warehouse.root / interface["storage"]
        engine = entry_engine(interface)
        building_on = os.environ.get(ENGINE_OF_BUILD_ENV)
        if building_on and engine != building_on:
            raise MeshError(
                f"{domain.declaration_file(name)}: upstream domain '{name}' is published on "
                f"{engine}, and this build runs on {building_on}; build it on {building_on} "
                f"too (mesh build --engine {building_on} -s +{domain.name})"
            )
        upstreams.append(Upstream(name=name, interface=interface, storage=storage, engine=engine))
    return upstreams
