"""Upstreams a project declares outside dependencies.yml: dbt-loom configs and local packages.

Teams arrive with these already written; reading them means a project joins the mesh unedited.
A dbt-loom manifest entry is a declaration only: the registry, not the file it points at, feeds
the refs, so a missing ``path`` does not matter. A local package that is another project is an
edge of its own kind (the consumer rebuilds the producer's models); ``mesh check`` says so.
"""

from __future__ import annotations

import os
from pathlib import Path

from datamesh.errors import DiscoveryError
from datamesh.yamlfile import load_yaml

LOOM_CONFIG = "dbt_loom.config.yml"
PACKAGE_FILES = ("packages.yml", "dependencies.yml")
# Levels above a dbt-loom manifest path searched for the project it belongs to
# (``../shop/target/manifest.json`` -> ``../shop``).
_PROJECT_SEARCH_DEPTH = 3


def _expand(text: str) -> str:
    """dbt-loom's own interpolation: ``$VAR`` and ``${VAR}``; an unset variable stays as written."""
    return os.path.expandvars(text)


def _project_name(folder: Path) -> str | None:
    project_file = folder / "dbt_project.yml"
    if not project_file.is_file():
        return None
    data = load_yaml(project_file, error=DiscoveryError)
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None


def _project_of_path(project_dir: Path, path: str) -> str | None:
    """The dbt project a manifest path lies in (the file itself need not exist)."""
    if "://" in path:
        return None
    candidate = (project_dir / path).resolve()
    for folder in list(candidate.parents)[:_PROJECT_SEARCH_DEPTH]:
        if folder == project_dir.resolve():
            return None
        name = _project_name(folder)
        if name is not None:
            return name
    return None


def entry_name(file: Path, key: str, index: int, entry: object) -> str:
    """The ``name:`` of entry ``index`` of the list ``key:`` in ``file``; else an error."""
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name:
        raise DiscoveryError(f"{file}: {key}[{index}] must be a mapping with a 'name:'")
    return name


def read_loom_upstreams(project_dir: Path) -> tuple[str, ...]:
    """Producer projects named by the ``manifests:`` of the project's dbt_loom.config.yml.

    An entry's producer is the project its ``config.path`` lies in when that is a dbt project,
    else the entry's ``name`` (dbt-loom's label for the upstream project).
    """
    config_file = project_dir / LOOM_CONFIG
    if not config_file.is_file():
        return ()
    data = load_yaml(config_file, error=DiscoveryError, transform=_expand) or {}
    manifests = data.get("manifests") if isinstance(data, dict) else None
    if not isinstance(manifests, list):
        raise DiscoveryError(f"{config_file}: expected 'manifests:', a list of {{name, type, ...}}")
    names: list[str] = []
    for index, entry in enumerate(manifests):
        name = entry_name(config_file, "manifests", index, entry)
        config = entry.get("config") if isinstance(entry.get("config"), dict) else {}
        path = config.get("path")
        producer = _project_of_path(project_dir, path) if isinstance(path, str) else None
        if (producer or name) not in names:
            names.append(producer or name)
    return tuple(names)


def _package_entries(project_dir: Path) -> list[object]:
    """The ``packages:`` entries of packages.yml and dependencies.yml, as dbt reads both."""
    entries: list[object] = []
    for file_name in PACKAGE_FILES:
        package_file = project_dir / file_name
        if package_file.is_file():
            data = load_yaml(package_file, error=DiscoveryError) or {}
            packages = data.get("packages") if isinstance(data, dict) else None
            entries += packages if isinstance(packages, list) else []
    return entries


def local_package_dirs(project_dir: Path) -> list[Path]:
    """Folders of the ``local:`` packages that are dbt projects; hub and git packages are
    dbt's business."""
    folders: list[Path] = []
    for entry in _package_entries(project_dir):
        local = entry.get("local") if isinstance(entry, dict) else None
        if not isinstance(local, str):
            continue
        folder = (project_dir / _expand(local)).resolve()
        if (folder / "dbt_project.yml").is_file() and folder not in folders:
            folders.append(folder)
    return folders


def read_local_packages(project_dir: Path) -> tuple[str, ...]:
    """Project names of the project's local packages (see ``local_package_dirs``)."""
    names = (_project_name(folder) for folder in local_package_dirs(project_dir))
    return tuple(dict.fromkeys(name for name in names if name is not None))


def declared_packages(project_dir: Path) -> int:
    """How many packages the project declares: dbt's own count for "run dbt deps"."""
    return len(_package_entries(project_dir))
