"""Parse one domain with dbt, in this process, against a given registry of upstream interfaces."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from datamesh.dbt_env import REGISTRY_ENV, WAREHOUSE_ENV, dbt_common_args, environment
from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import Domain
from datamesh.manifest.parse_errors import DomainParseError, ParseFailure, classify_parse_failure
from datamesh.profiles import platform_profiles_dir
from datamesh.warehouse import Warehouse

# dbt keeps its flags, adapters and plugins in process-wide state: one in-process run at a time
# (``mesh build`` may explain several failed domains from its threads at once).
_IN_PROCESS_DBT = threading.Lock()


def _parse(
    domain: Domain, warehouse: Warehouse, registry_dir: Path, target_dir: Path, log_dir: Path
) -> Any:
    from dbt.cli.main import dbtRunner

    profiles_dir = platform_profiles_dir(warehouse, domain.name, domain.profile)
    # No partial parsing: the platform caches parses by content, and dbt's partial parse
    # reused stale injected nodes when one target folder served changed copies of a domain.
    args = [
        "parse",
        *dbt_common_args(domain.path, profiles_dir, target_dir, log_dir),
        "--log-level",
        "none",
        "--no-use-colors",
    ]
    args.append("--no-partial-parse")
    with (
        _IN_PROCESS_DBT,
        environment(**{WAREHOUSE_ENV: str(warehouse.root), REGISTRY_ENV: str(registry_dir)}),
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
        raise DomainParseError(classify_parse_failure(result.exception, domain, graph))
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
    return classify_parse_failure(result.exception, domain, graph)
