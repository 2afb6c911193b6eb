"""Parse (or compile) one domain with dbt, in this process, against a registry of interfaces."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from datamesh.dbt_env import (
    NO_ATTACH_ENV,
    PUBLISH_PATH_ENV,
    REGISTRY_ENV,
    WAREHOUSE_ENV,
    dbt_common_args,
    environment,
)
from datamesh.discover.declarations import PACKAGE_FILES, declared_packages
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.errors import ParseError
from datamesh.manifest.parse_errors import DomainParseError, ParseFailure, classify_parse_failure
from datamesh.profiles import platform_profiles_dir
from datamesh.warehouse import Warehouse

# dbt keeps its flags, adapters and plugins in process-wide state: one in-process run at a time
# (``mesh build`` may explain several failed domains from its threads at once).
_IN_PROCESS_DBT = threading.Lock()


def _installed_packages(project_dir: Path) -> int:
    folder = project_dir / "dbt_packages"
    return sum(1 for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else 0


def install_packages(domain: Domain, warehouse: Warehouse) -> None:
    """``dbt deps`` for a domain whose declared packages are not installed, as its engineer
    would run it before ``dbt build``: a local package (another domain, say) needs no network.

    Raises ParseError naming the package file when dbt cannot install them (the package hub and
    git are out of reach here).
    """
    declared = declared_packages(domain.path)
    if not declared or _installed_packages(domain.path) >= declared:
        return
    from dbt.cli.main import dbtRunner

    args = [
        "deps", "--project-dir", str(domain.path),
        "--profiles-dir", str(platform_profiles_dir(warehouse, domain.name, domain.profile)),
        "--log-path", str(warehouse.log_dir(domain.name)), "--log-level", "none",
        "--no-use-colors", "--no-send-anonymous-usage-stats",
    ]  # fmt: skip
    with _IN_PROCESS_DBT, environment(**{WAREHOUSE_ENV: str(warehouse.root)}):
        result = dbtRunner().invoke(args)
    if not result.success:
        files = " or ".join(
            str(domain.path / f) for f in PACKAGE_FILES if (domain.path / f).is_file()
        )
        raise ParseError(
            f"{files}: dbt deps could not install the packages of domain '{domain.name}': "
            f"{result.exception}. Packages from the dbt package hub or git need that network: "
            f"run 'dbt deps' in {domain.path} where it is reachable (dbt_packages/ is then "
            "used as installed), or vendor the package as a local: one"
        )


def command_args(command: tuple[str, ...], common: list[str]) -> list[str]:
    """dbt's arguments: the subcommand's words (``docs generate``), the common options, then
    the command's own options in order with their values (``--select a b``)."""
    first_option = next((i for i, w in enumerate(command) if w.startswith("-")), len(command))
    return [*command[:first_option], *common, *command[first_option:], "--no-partial-parse"]


def _parse(
    domain: Domain,
    warehouse: Warehouse,
    registry_dir: Path,
    target_dir: Path,
    log_dir: Path,
    *,
    command: tuple[str, ...] = ("parse",),
    env: dict[str, str] | None = None,
) -> Any:
    from dbt.cli.main import dbtRunner

    install_packages(domain, warehouse)
    profiles_dir = platform_profiles_dir(warehouse, domain.name, domain.profile)
    # No partial parsing: the platform caches parses by content, and dbt's partial parse
    # reused stale injected nodes when one target folder served changed copies of a domain.
    args = command_args(
        command,
        [
            *dbt_common_args(domain.path, profiles_dir, target_dir, log_dir),
            "--log-level",
            "none",
            "--no-use-colors",
        ],
    )
    with (
        _IN_PROCESS_DBT,
        environment(
            **{WAREHOUSE_ENV: str(warehouse.root), REGISTRY_ENV: str(registry_dir)}, **(env or {})
        ),
    ):
        return dbtRunner().invoke(args)


def parse_domain(
    domain: Domain, warehouse: Warehouse, registry_dir: Path, graph: DomainGraph
) -> dict[str, Any]:
    """Run ``dbt parse`` for one domain and return its manifest.json as a dict.

    Raises DomainParseError, whose ``failure`` says why (see manifest/parse_errors.py).
    """
    target_dir = warehouse.target_dir(domain.name)
    result = _parse(domain, warehouse, registry_dir, target_dir, warehouse.log_dir(domain.name))
    if not result.success:
        raise DomainParseError(
            classify_parse_failure(result.exception, domain, graph, registry_dir)
        )
    return json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))


def diagnose_parse(
    domain: Domain, warehouse: Warehouse, registry_dir: Path, graph: DomainGraph
) -> ParseFailure | None:
    """Why dbt cannot parse ``domain`` against ``registry_dir``; None when it parses.

    For a dbt run in a subprocess (``mesh build``), which leaves no exception object behind.
    Parses into a folder of its own so the build's target folder and logs stay as dbt left them.
    """
    scratch = warehouse.diagnose_dir(domain.name)
    result = _parse(domain, warehouse, registry_dir, scratch / "target", scratch / "logs")
    if result.success:
        return None
    return classify_parse_failure(result.exception, domain, graph, registry_dir)


def compile_domain(
    domain: Domain,
    warehouse: Warehouse,
    registry_dir: Path,
    graph: DomainGraph,
    key: str | None = None,
) -> dict[str, Any]:
    """Run ``dbt compile`` for one domain without reading any data; returns its manifest.json.

    The publish target names an empty scratch file, the attach plugin attaches nothing and
    ``--no-introspect`` keeps dbt from querying: the compiled SQL is all ``mesh check`` needs.
    ``key`` (the parse cache's content key) names what is compiled: a compile already made for
    the same key is read back, not run again (``mesh check`` compiles once in the manifest
    stage and once for its own checks). Raises DomainParseError as ``parse_domain`` does.
    """
    folder = warehouse.compile_dir(domain.name)
    manifest_file = folder / "target" / "manifest.json"
    key_file = warehouse.compile_key_file(domain.name)
    made_for = key_file.read_text(encoding="utf-8") if key_file.is_file() else None
    if key is not None and made_for == key and manifest_file.is_file():
        return json.loads(manifest_file.read_text(encoding="utf-8"))
    key_file.unlink(missing_ok=True)  # whatever dbt writes next was not made for that key
    scratch = warehouse.compile_scratch_file(domain.name)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    result = _parse(
        domain, warehouse, registry_dir, folder / "target", folder / "logs",
        command=("compile", "--no-introspect"),
        env={PUBLISH_PATH_ENV: str(scratch), NO_ATTACH_ENV: "1"},
    )  # fmt: skip
    if not result.success:
        raise DomainParseError(
            classify_parse_failure(result.exception, domain, graph, registry_dir)
        )
    if key is not None:
        key_file.write_text(key, encoding="utf-8")
    return json.loads(manifest_file.read_text(encoding="utf-8"))


def generate_docs(domain: Domain, warehouse: Warehouse, graph: DomainGraph, folder: Path) -> Path:
    """Run ``dbt docs generate`` for one domain into ``folder`` against the published registry.

    Like ``compile_domain``, it reads no data: an empty scratch file, nothing attached, an
    empty catalog (``mesh docs`` fills the upstream entries from the registry afterwards).
    Raises DomainParseError as ``parse_domain`` does; returns ``folder``.
    """
    scratch = folder / "scratch" / f"{domain.name}.duckdb"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    result = _parse(
        domain, warehouse, warehouse.registry_dir, folder, folder / "logs",
        command=("docs", "generate", "--empty-catalog"),
        env={PUBLISH_PATH_ENV: str(scratch), NO_ATTACH_ENV: "1"},
    )  # fmt: skip
    if not result.success:
        raise DomainParseError(classify_parse_failure(result.exception, domain, graph))
    return folder
