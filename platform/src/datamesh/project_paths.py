"""Where a dbt project keeps its files (``model-paths``, ``seed-paths``), read without dbt."""

from __future__ import annotations

from pathlib import Path

from datamesh.errors import MeshError
from datamesh.yamlfile import load_yaml

DEFAULTS = {"model-paths": "models", "seed-paths": "seeds"}


def project_folders(project_dir: Path, key: str) -> list[Path]:
    """The folders ``dbt_project.yml`` lists under ``key`` (dbt's default when it lists none).

    A file that does not load gives the default: dbt itself reports that file.
    """
    try:
        project = load_yaml(project_dir / "dbt_project.yml")
    except MeshError:
        project = None
    value = project.get(key) if isinstance(project, dict) else None
    if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
        value = [DEFAULTS[key]]
    return [project_dir / folder for folder in value]
