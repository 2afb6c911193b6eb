"""What a new domain reads: ``<domain>.<model>[@<version>]`` checked against the producer.

The producer's interface comes from its registry entry (what it published), else from the mesh
manifest (what ``mesh manifest`` parsed), so the mart's columns and types are the producer's own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from datamesh.errors import MeshError
from datamesh.registry import read_interface
from datamesh.warehouse import Warehouse

_SPEC = re.compile(r"^(?P<domain>[A-Za-z_]\w*)\.(?P<model>[A-Za-z_]\w*)(?:@v?(?P<version>\w+))?$")


class ScaffoldError(MeshError):
    """``mesh init`` was asked for something the mesh does not have (exit 2)."""


@dataclass(frozen=True)
class Consumed:
    """One public model version a new domain reads."""

    domain: str
    model: str
    version: str | None  # None: the producer's model is not versioned
    columns: tuple[dict[str, Any], ...]
    description: str

    @property
    def ref(self) -> str:
        pin = f", v={self.version}" if self.version is not None else ""
        return f"ref('{self.domain}', '{self.model}'{pin})"


def parse_spec(spec: str) -> tuple[str, str, str | None]:
    """``sales.fct_orders@2`` -> (sales, fct_orders, "2")."""
    match = _SPEC.match(spec.strip())
    if not match:
        raise ScaffoldError(
            f"--consumes {spec!r}: expected <domain>.<model> or <domain>.<model>@<version>, "
            "e.g. sales.fct_orders or customers.dim_customers@2"
        )
    return match["domain"], match["model"], match["version"]


def producer_models(warehouse: Warehouse, domain: str) -> list[dict[str, Any]] | None:
    """The producer's public model versions: registry first, then the mesh manifest."""
    entry = read_interface(warehouse.registry_dir, domain)
    if entry is not None:
        return list(entry.get("models") or [])
    if warehouse.manifest_path.is_file():
        manifest = json.loads(warehouse.manifest_path.read_text(encoding="utf-8"))
        for record in manifest.get("domains") or []:
            if record.get("name") == domain:
                return list(record.get("models") or [])
    return None


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def resolve_consumed(spec: str, warehouse: Warehouse, known_domains: set[str]) -> Consumed:
    """The model version ``spec`` names, or an error naming the domain, model or version."""
    domain, model, version = parse_spec(spec)
    if domain not in known_domains:
        known = ", ".join(sorted(known_domains)) or "none"
        raise ScaffoldError(f"--consumes {spec}: unknown producer domain '{domain}' "
                            f"(domains: {known})")  # fmt: skip
    models = producer_models(warehouse, domain)
    if models is None:
        raise ScaffoldError(
            f"--consumes {spec}: domain '{domain}' has no published interface "
            f"({warehouse.registry_file(domain)} missing) and no mesh manifest names it; "
            f"run mesh build -s {domain} first"
        )
    public = [m for m in models if m.get("access") == "public"]
    versions = [m for m in public if m.get("name") == model]
    if not versions:
        names = ", ".join(sorted({str(m.get("name")) for m in public})) or "none"
        raise ScaffoldError(f"--consumes {spec}: domain '{domain}' publishes no public model "
                            f"'{model}' (its public models: {names})")  # fmt: skip
    if version is not None:
        chosen = [m for m in versions if _text(m.get("version")) == version]
        if not chosen:
            have = ", ".join(sorted(str(m.get("version")) for m in versions if m.get("version")))
            have = have or "none, it is unversioned"
            raise ScaffoldError(f"--consumes {spec}: '{domain}.{model}' has no version "
                                f"{version} (versions: {have})")  # fmt: skip
    else:  # the latest version, pinned, so a new latest never changes what the domain reads
        chosen = [m for m in versions if m.get("is_latest", True)] or versions
    record = chosen[0]
    return Consumed(
        domain=domain,
        model=model,
        version=_text(record.get("version")),
        columns=tuple(record.get("columns") or ()),
        description=str(record.get("description") or ""),
    )
