"""Which of a project's seeds its own sources read: those must load before ``dbt build``.

``dbt build`` orders nodes by refs; a ``source()`` whose table is the project's own seed is no
edge, so the staging view runs before (or without) the seed and fails on a fresh staging file.
Read from the files (no dbt parse), so a project without such a source costs no extra process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datamesh.errors import MeshError
from datamesh.project_paths import project_folders
from datamesh.yamlfile import load_yaml


def _yaml_or_none(path: Path) -> Any:
    """A file's YAML, or None when it does not load: dbt reports that file itself."""
    try:
        return load_yaml(path)
    except MeshError:
        return None


def _source_tables(document: Any) -> set[str]:
    """The relation names (identifier, else name) of the source tables a YAML file declares."""
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        return set()
    names: set[str] = set()
    for source in document["sources"]:
        tables = source.get("tables") if isinstance(source, dict) else None
        for table in tables if isinstance(tables, list) else []:
            if isinstance(table, dict):
                name = table.get("identifier") or table.get("name")
                if isinstance(name, str):
                    names.add(name.lower())
    return names


def seeds_read_as_sources(project_dir: Path) -> list[str]:
    """Seed names (CSV stems) that a source table of the same project names, sorted."""
    seeds = {
        csv.stem.lower(): csv.stem
        for folder in project_folders(project_dir, "seed-paths")
        for csv in folder.rglob("*.csv")
    }
    if not seeds:
        return []
    tables: set[str] = set()
    for folder in project_folders(project_dir, "model-paths"):
        for path in sorted(folder.rglob("*.y*ml")):
            if path.suffix in {".yml", ".yaml"}:
                tables |= _source_tables(_yaml_or_none(path))
    return sorted(seeds[name] for name in seeds.keys() & tables)
