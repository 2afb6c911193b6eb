"""Write a new domain folder under the mesh's root, refusing a name or producer it cannot use."""

from __future__ import annotations

import re
from pathlib import Path

from datamesh.discover.projects import discover_domains, find_project_dirs
from datamesh.scaffold.consumes import Consumed, ScaffoldError, resolve_consumed
from datamesh.scaffold.files import Owner, domain_files
from datamesh.warehouse import Warehouse

# dbt's rule for a project name, which is also the domain's catalog name in every consumer
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def check_name(root: Path, name: str) -> None:
    if not _NAME.match(name):
        raise ScaffoldError(f"domain name {name!r}: use lower-case letters, digits and "
                            "underscores, starting with a letter (it becomes the dbt project "
                            "name)")  # fmt: skip
    folder = root / name
    if folder.exists():
        raise ScaffoldError(f"domain '{name}': {folder} already exists")
    if root.is_dir() and find_project_dirs(root):
        for domain in discover_domains(root):
            if domain.name == name:
                raise ScaffoldError(f"domain '{name}' already exists: {domain.project_file}")


def init_domain(
    root: Path,
    warehouse: Warehouse,
    name: str,
    *,
    consumes: list[str],
    owner: Owner,
    description: str,
) -> tuple[Path, list[Path]]:
    """Create ``root/name`` and return it with the files written, in writing order."""
    check_name(root, name)
    known = {d.name for d in discover_domains(root)} if consumes else set()
    resolved: list[Consumed] = []
    for spec in dict.fromkeys(consumes):
        resolved.append(resolve_consumed(spec, warehouse, known))
    files = domain_files(name, description, owner, tuple(resolved))
    folder = root / name
    written: list[Path] = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return folder, written
