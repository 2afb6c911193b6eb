"""The floor for building the mesh manifest: dbt's own ``parse`` of each project, nothing else.

One Python process imports dbt once and parses every project in build order, as ``mesh
manifest`` does, so the two differ only by what the platform adds (discovery, registry,
interfaces, schema validation, writing). Upstream interfaces come from the registry a
``mesh manifest`` run wrote (``MESH_REGISTRY``). Partial parsing is off and every project gets
a fresh target folder: a cold parse. Run as ``python -m bench.dbt_parse_floor``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def parse_all(projects: list[Path], registry: Path, warehouse: Path, targets: Path) -> float:
    """Parse each project with ``dbtRunner``; returns seconds; raises on the first failure."""
    from dbt.cli.main import dbtRunner

    os.environ["MESH_REGISTRY"] = str(registry)
    os.environ["MESH_WAREHOUSE"] = str(warehouse)
    started = time.perf_counter()
    for project in projects:
        result = dbtRunner().invoke([
            "parse", "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(targets / project.name),
            "--log-path", str(targets / project.name / "logs"),
            "--no-partial-parse", "--log-level", "none", "--no-use-colors",
        ])  # fmt: skip
        if not result.success:
            raise SystemExit(f"dbt parse failed for {project}: {result.exception}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--targets", type=Path, required=True)
    parser.add_argument("projects", type=Path, nargs="+", help="in build order")
    args = parser.parse_args(argv)
    seconds = parse_all(args.projects, args.registry, args.warehouse, args.targets)
    print(json.dumps({"projects": len(args.projects), "parse_seconds": round(seconds, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
