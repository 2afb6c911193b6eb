"""Who owns a domain, read from its group YAML without running dbt (for ``mesh ls``)."""

from __future__ import annotations

from typing import Any

from datamesh.discover.projects import SKIPPED_DIRS, Domain
from datamesh.errors import DiscoveryError
from datamesh.yamlfile import load_yaml


def declared_groups(domain: Domain) -> list[dict[str, Any]]:
    """The ``groups:`` of every YAML file under the domain's ``models/``, in file order."""
    groups: list[dict[str, Any]] = []
    models = domain.path / "models"
    for path in sorted([*models.rglob("*.yml"), *models.rglob("*.yaml")]):
        if SKIPPED_DIRS & set(path.relative_to(domain.path).parts):
            continue
        data = load_yaml(path, error=DiscoveryError)
        for group in (data.get("groups") if isinstance(data, dict) else None) or []:
            if isinstance(group, dict) and isinstance(group.get("name"), str):
                groups.append(group)
    return groups


def domain_owner(domain: Domain) -> dict[str, Any] | None:
    """The owner of the group ``vars.mesh.team`` names, else of the first group, as the
    mesh manifest says (``manifest/assemble.py``)."""
    groups = declared_groups(domain)
    chosen = next((g for g in groups if g["name"] == domain.team), groups[0] if groups else None)
    owner = (chosen or {}).get("owner")
    if not isinstance(owner, dict):
        return None
    return {"name": owner.get("name"), "email": owner.get("email")}
