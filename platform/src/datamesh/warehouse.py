"""Where builds put things: one layout of the warehouse folder, used by every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from datamesh.dbt_env import REGISTRY_ENV, WAREHOUSE_ENV
from datamesh.errors import MeshError


def default_warehouse(start: Path | None = None) -> Path:
    """The warehouse named by ``MESH_WAREHOUSE``, else ``warehouse/`` at the repo root."""
    env = os.environ.get(WAREHOUSE_ENV)
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "domains").is_dir() and (folder / "pyproject.toml").is_file():
            return folder / "warehouse"
    return here / "warehouse"


@dataclass(frozen=True)
class Warehouse:
    """Paths inside one warehouse folder."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def published_dir(self) -> Path:
        return self.root / "domains"

    @property
    def registry_dir(self) -> Path:
        return self.root / "registry"

    @property
    def staging_dir(self) -> Path:
        return self.root / "staging"

    @property
    def dev_dir(self) -> Path:
        return self.root / "dev"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def manifest_path(self) -> Path:
        return self.root / "mesh_manifest.json"

    def publications_dir(self, domain: str) -> Path:
        """Every publication of a domain, one immutable folder each."""
        return self.published_dir / domain

    def publication_file(self, domain: str, publish_id: str) -> Path:
        """One publication: written once, never changed; its stem is the domain (catalog name)."""
        return self.publications_dir(domain) / publish_id / f"{domain}.duckdb"

    def published_file(self, domain: str) -> Path:
        """The publication consumers read now: the one the domain's registry entry names.

        The registry entry is the single switch of a publish, so this is never a file that
        disagrees with the interface consumers parse against.
        """
        from datamesh.registry import read_interface

        entry = read_interface(self.registry_dir, domain)
        if entry is None:
            raise MeshError(
                f"domain '{domain}' has never been published ({self.registry_file(domain)} "
                "missing); run mesh build first"
            )
        return self.root / entry["storage"]

    @property
    def integrity_cache(self) -> Path:
        """Publications verified against their checksum, by size, mtime and inode."""
        return self.state_dir / "verified-publications.json"

    def staging_file(self, domain: str) -> Path:
        """A stable path, so dbt's partial parse survives (the publish profile names it).

        A killed build cannot collide with the next one: its dbt children die with it, and
        the next build clears the staging folder under the build lock before it starts.
        """
        return self.staging_dir / domain / f"{domain}.duckdb"

    @property
    def handoff_dir(self) -> Path:
        """Second names for producers' checkpointed staging files, for pre-started consumers.

        A hyphen cannot occur in a dbt project name, so no domain's staging folder is this one.
        """
        return self.staging_dir / "handoff-links"

    def start_gate(self, domain: str) -> Path:
        """The file a pre-started consumer's dbt waits for before it runs anything."""
        return self.staging_dir / domain / "start-gate.json"

    def target_dir(self, domain: str) -> Path:
        """dbt's target folder for platform runs, kept out of the domain's source tree."""
        return self.state_dir / "target" / domain

    def log_dir(self, domain: str) -> Path:
        return self.state_dir / "logs" / domain

    def registry_file(self, domain: str) -> Path:
        return self.registry_dir / f"{domain}.json"


def registry_dir_for(warehouse: Warehouse) -> Path:
    """The registry the resolver reads: ``MESH_REGISTRY`` overrides the published one."""
    env = os.environ.get(REGISTRY_ENV)
    return Path(env).resolve() if env else warehouse.registry_dir
