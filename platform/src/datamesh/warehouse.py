"""Where builds put things: one layout of the warehouse folder, used by every stage."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from datamesh.dbt_env import REGISTRY_ENV, WAREHOUSE_ENV
from datamesh.errors import MeshError

WAREHOUSE_DIR = "warehouse"
SINGLE_PROJECT_WAREHOUSE_DIR = ".mesh-warehouse"


def default_warehouse(start: Path | None = None, *, dbt_project: Path | None = None) -> Path:
    """The warehouse named by ``MESH_WAREHOUSE``, else ``warehouse/`` at the repo root.

    The one place the default is computed. For a process dbt starts in a domain
    (``dbt_project``), the default is the domain profiles' own: ``../../warehouse``.
    """
    env = os.environ.get(WAREHOUSE_ENV)
    if env:
        return Path(env).resolve()
    if dbt_project is not None:
        return (dbt_project / ".." / ".." / WAREHOUSE_DIR).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "domains").is_dir() and (folder / "pyproject.toml").is_file():
            return folder / WAREHOUSE_DIR
    if (here / "dbt_project.yml").is_file():
        # a mesh of one project, run in its folder: a hidden folder, which neither discovery
        # nor the project's fingerprint reads (./warehouse would change it on every build)
        return here / SINGLE_PROJECT_WAREHOUSE_DIR
    return here / WAREHOUSE_DIR


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

    def profiles_dir(self, domain: str) -> Path:
        """The profiles.yml the platform generates to parse and build a domain (profiles.py).

        dbt also keeps its per-user ``.user.yml`` beside it, so none lands in the project.
        """
        return self.state_dir / "profiles" / domain

    def spark_profiles_dir(self, domain: str) -> Path:
        """The generated profiles.yml of a domain's builds on Spark (parses stay on DuckDB)."""
        return self.profiles_dir(domain) / "spark"

    def grants_file(self, domain: str) -> Path:
        """The GRANT/REVOKE statements a catalog with grants needs for a domain's publication."""
        return self.reports_dir / "grants" / f"{domain}.sql"

    def target_dir(self, domain: str) -> Path:
        """dbt's target folder for platform runs, kept out of the domain's source tree."""
        return self.state_dir / "target" / domain

    def publish_state_dir(self, domain: str) -> Path:
        """dbt's artifacts of the build a domain last published, for ``--state`` (Slim CI).

        Not ``target_dir``: every parse (``mesh manifest``, ``mesh check``) and every build,
        published or not, writes there.
        """
        return self.state_dir / "published-state" / domain

    def log_dir(self, domain: str) -> Path:
        return self.state_dir / "logs" / domain

    def registry_file(self, domain: str) -> Path:
        return self.registry_dir / f"{domain}.json"

    def diagnose_dir(self, domain: str) -> Path:
        """Where a failed build's domain is parsed again in process, to say why it failed."""
        return self.state_dir / "diagnose" / domain

    # state: what the platform keeps between runs (not for people to read)

    @property
    def build_lock_file(self) -> Path:
        """One build at a time per warehouse (``orchestrate/lock.py``)."""
        return self.state_dir / "build.lock"

    @property
    def parse_cache_dir(self) -> Path:
        """Each domain's parsed interface, keyed by content (``manifest/assemble.py``)."""
        return self.state_dir / "parse_cache"

    @property
    def parse_registry_dir(self) -> Path:
        """Parse-time interfaces the manifest's own parses resolve against."""
        return self.state_dir / "parse_registry"

    def compile_dir(self, domain: str) -> Path:
        """``mesh check``'s in-process ``dbt compile`` of a domain: target, logs, scratch file."""
        return self.state_dir / "compile" / domain

    def compile_scratch_file(self, domain: str) -> Path:
        """The empty DuckDB file the compile's publish target names (no data is read)."""
        return self.compile_dir(domain) / f"{domain}.duckdb"

    def compile_key_file(self, domain: str) -> Path:
        """The content key the compile under ``compile_dir`` was made for (absent: unknown)."""
        return self.compile_dir(domain) / "compiled_for.key"

    @property
    def compile_cache_dir(self) -> Path:
        """Each domain's compiled SQL, keyed like the parse cache (``check/compiled.py``)."""
        return self.state_dir / "compile_cache"

    @property
    def baseline_state(self) -> Warehouse:
        """A warehouse of its own for parsing a baseline git ref, so its caches never mix."""
        return Warehouse(self.state_dir / "baseline")

    # reports: what people, CI and the map read

    @property
    def run_reports_dir(self) -> Path:
        return self.reports_dir / "runs"

    def run_report_file(self, run_id: str) -> Path:
        """Every build's own run report, kept."""
        return self.run_reports_dir / f"{run_id}.json"

    @property
    def last_run_file(self) -> Path:
        """The latest build's run report (the map reads it)."""
        return self.reports_dir / "last_run.json"

    @property
    def validation_dir(self) -> Path:
        return self.reports_dir / "validation"

    def validation_result_file(self, domain: str, stem: str) -> Path:
        """One model version's expectation results (``stem``: model, or model_v<N>)."""
        return self.validation_dir / domain / f"{stem}.json"

    def validation_result_files(self) -> list[Path]:
        """Every model version's result file written so far."""
        return sorted(self.validation_dir.glob("*/*.json"))

    @property
    def validation_summary_file(self) -> Path:
        """One line per model version validated so far (the map reads it)."""
        return self.validation_dir / "summary.json"

    @property
    def data_docs_dir(self) -> Path:
        """Great Expectations Data Docs (``mesh validate``)."""
        return self.reports_dir / "data_docs"

    def docs_dir(self, domain: str) -> Path:
        """``mesh docs``: a domain's dbt docs with its upstreams filled in from the registry."""
        return self.reports_dir / "docs" / domain

    @property
    def check_dir(self) -> Path:
        return self.reports_dir / "check"

    @property
    def check_report_file(self) -> Path:
        """The latest ``mesh check`` report (the map reads it)."""
        return self.check_dir / "latest.json"

    @property
    def check_manifest_file(self) -> Path:
        """The mesh manifest of the tree ``mesh check`` last parsed."""
        return self.check_dir / "current_manifest.json"

    @property
    def map_dir(self) -> Path:
        """``mesh map``'s default output folder."""
        return self.reports_dir / "map"

    def domain_folders(self, domain: str) -> list[Path]:
        """Everything in the warehouse that belongs to one domain alone (``mesh clean --orphans``).

        Its registry entry, publications, staging, dev file, the platform's per-domain state
        (profile, dbt target and logs, published state, diagnosis, compile, parse-time
        interface) and its validation results. Shared reports are cleaned by their owners.
        """
        return [
            self.registry_file(domain), self.publications_dir(domain),
            self.staging_dir / domain, self.dev_dir / f"{domain}.duckdb",
            self.profiles_dir(domain), self.target_dir(domain), self.log_dir(domain),
            self.publish_state_dir(domain), self.diagnose_dir(domain), self.compile_dir(domain),
            self.parse_registry_dir / f"{domain}.json", self.validation_dir / domain,
            self.docs_dir(domain), self.grants_file(domain),
        ]  # fmt: skip

    def domains_with_files(self) -> set[str]:
        """Every domain name the warehouse holds something for, from ``domain_folders``' places."""
        probe = "_probe_"
        names: set[str] = set()
        for path in self.domain_folders(probe):
            if path.name == probe:  # a folder per domain
                names |= {p.name for p in path.parent.glob("*") if p.is_dir()}
            else:  # a file per domain: <domain>.json, <domain>.duckdb
                names |= {p.stem for p in path.parent.glob(f"*{path.suffix}") if p.is_file()}
        return {n for n in names if "-" not in n and not n.startswith(".") and n != probe}

    def in_reports(self, relative: str) -> Path:
        """A report named relative to the reports folder (as the validation summary does)."""
        return self.reports_dir / relative

    def shown(self, path: Path) -> str:
        """A path inside the warehouse as people read it: ``reports/last_run.json``."""
        return path.relative_to(self.root).as_posix()

    @property
    def spark_dir(self) -> Path:
        """The local Spark Thrift server's metastore, table files, record and log."""
        return self.root / "engine" / "spark"

    @property
    def bench_dir(self) -> Path:
        """``scripts/benchmark.py``'s default output folder."""
        return self.root / "bench"


def registry_dir_for(warehouse: Warehouse) -> Path:
    """The registry the resolver reads: ``MESH_REGISTRY`` overrides the published one."""
    env = os.environ.get(REGISTRY_ENV)
    return Path(env).resolve() if env else warehouse.registry_dir
