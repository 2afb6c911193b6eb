"""Find every dbt project under a folder and read what it declares about itself."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from datamesh.discover.declarations import (
    LOOM_CONFIG,
    entry_name,
    read_local_packages,
    read_loom_upstreams,
)
from datamesh.errors import DiscoveryError
from datamesh.yamlfile import load_yaml

# Build output, installed packages and environments: never a project of the mesh (a package
# installed into dbt_packages/ is the copy of a project discovered in its own folder).
SKIPPED_DIRS = {
    "target", "dbt_packages", "logs", "node_modules", "__pycache__", ".venv", "venv",
}  # fmt: skip


@dataclass(frozen=True)
class Domain:
    """One dbt project of the mesh, as its own files describe it.

    ``upstreams`` are the domains it reads through refs, declared in dependencies.yml or only
    in a dbt-loom config (those are ``loom_upstreams`` too); ``package_upstreams`` are domains
    it installs as local packages, whose models it rebuilds instead of reading them.
    """

    name: str
    path: Path
    profile: str
    upstreams: tuple[str, ...] = ()
    description: str = ""
    team: str | None = None
    vars: dict = field(default_factory=dict, compare=False, hash=False)
    loom_upstreams: tuple[str, ...] = ()
    package_upstreams: tuple[str, ...] = ()

    @property
    def project_file(self) -> Path:
        return self.path / "dbt_project.yml"

    @property
    def dependencies_file(self) -> Path:
        return self.path / "dependencies.yml"

    @property
    def loom_file(self) -> Path:
        return self.path / LOOM_CONFIG

    def declaration_file(self, upstream: str) -> Path:
        """dependencies.yml, or the dbt-loom config when only that declares ``upstream``."""
        return self.loom_file if upstream in self.loom_upstreams else self.dependencies_file


def find_project_dirs(root: Path) -> list[Path]:
    """Folders below ``root`` holding a dbt_project.yml; a project's own subfolders are skipped."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        if "dbt_project.yml" in files:
            found.append(Path(folder))
            dirs[:] = []
            continue
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
    return sorted(found)


def read_upstreams(dependencies_file: Path) -> tuple[str, ...]:
    """The ``projects:`` a domain declares in dbt's own dependencies.yml format."""
    if not dependencies_file.is_file():
        return ()
    data = load_yaml(dependencies_file, error=DiscoveryError) or {}
    if not isinstance(data, dict):
        raise DiscoveryError(f"{dependencies_file}: expected a mapping with a 'projects:' list")
    projects = data.get("projects") or []
    if not isinstance(projects, list):
        raise DiscoveryError(f"{dependencies_file}: 'projects:' must be a list of {{name: ...}}")
    return tuple(
        entry_name(dependencies_file, "projects", index, entry)
        for index, entry in enumerate(projects)
    )


def read_domain(project_dir: Path) -> Domain:
    """Read one project's dbt_project.yml and dependencies.yml."""
    project_file = project_dir / "dbt_project.yml"
    data = load_yaml(project_file, error=DiscoveryError)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise DiscoveryError(f"{project_file}: a dbt project needs a 'name:'")
    project_vars = data.get("vars") or {}
    mesh_vars = project_vars.get("mesh") if isinstance(project_vars, dict) else None
    if not isinstance(mesh_vars, dict):  # no (or a malformed) vars.mesh: nothing declared
        mesh_vars = {}
    description = mesh_vars.get("description") or ""
    team = mesh_vars.get("team")
    declared = read_upstreams(project_dir / "dependencies.yml")
    loom = tuple(
        u for u in read_loom_upstreams(project_dir) if u != data["name"] and u not in declared
    )
    return Domain(
        name=data["name"],
        path=project_dir.resolve(),
        profile=str(data.get("profile") or data["name"]),
        upstreams=declared + loom,
        loom_upstreams=loom,
        package_upstreams=tuple(p for p in read_local_packages(project_dir) if p != data["name"]),
        description=str(description),
        team=team if isinstance(team, str) and team else None,
        vars=project_vars if isinstance(project_vars, dict) else {},
    )


def discover_domains(root: Path) -> list[Domain]:
    """Every dbt project under ``root``; no registration step, no per-consumer config."""
    if not root.is_dir():
        raise DiscoveryError(f"{root}: no such folder of dbt projects")
    domains = [read_domain(folder) for folder in find_project_dirs(root)]
    if not domains:
        raise DiscoveryError(f"{root}: no dbt project (dbt_project.yml) found below this folder")
    seen: dict[str, Domain] = {}
    for domain in domains:
        if domain.name in seen:
            raise DiscoveryError(
                f"two projects are named '{domain.name}': {seen[domain.name].project_file} "
                f"and {domain.project_file}"
            )
        seen[domain.name] = domain
    # a local package outside the mesh (a macros project, say) is dbt's business, not an edge
    return [
        replace(d, package_upstreams=tuple(p for p in d.package_upstreams if p in seen))
        for d in domains
    ]
