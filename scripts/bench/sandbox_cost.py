"""What the write wall (datamesh/sandbox) costs per domain build (issue 11).

Runs the same domain's ``dbt build --target publish`` (the step the wall wraps: the dbt child
of ``mesh build``) with the wall and with ``MESH_SANDBOX=off``, alternating, ``--repeat``
times each, and times building the Landlock ruleset alone. Needs a built warehouse (the
domain's producers registered). Prints the medians and writes them as JSON.

    python scripts/bench/sandbox_cost.py --domain sales --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from datamesh.discover.projects import read_domain
from datamesh.orchestrate.lock import build_lock
from datamesh.sandbox.wall import SANDBOX_ENV, ChildWall
from datamesh.warehouse import Warehouse, default_warehouse
from datamesh.write.dbt_run import run_dbt_build

REPO = Path(__file__).resolve().parents[2]
MODES = {"wall": None, "no wall": "off"}


def time_dbt_build(domain_dir: Path, warehouse: Warehouse, sandbox: str | None) -> float:
    """Seconds of one dbt build of the domain into its staging file, under ``sandbox``."""
    domain = read_domain(domain_dir)
    staging = warehouse.staging_file(domain.name)
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.unlink(missing_ok=True)
    old = os.environ.pop(SANDBOX_ENV, None)
    if sandbox is not None:
        os.environ[SANDBOX_ENV] = sandbox
    try:
        outcome = run_dbt_build(domain, warehouse, staging)
    finally:
        os.environ.pop(SANDBOX_ENV, None)
        if old is not None:
            os.environ[SANDBOX_ENV] = old
        staging.unlink(missing_ok=True)
    if not outcome.success:
        raise SystemExit(f"dbt build of {domain.name} failed: {outcome.failures[:3]}")
    return outcome.seconds


def time_ruleset(domain_dir: Path, runs: int = 200) -> float:
    """Median microseconds to build (and drop) the wall in the parent: four folders."""
    seconds = []
    with tempfile.TemporaryDirectory() as scratch:
        folders = [Path(scratch) / name for name in ("staging", "target", "logs")] + [domain_dir]
        for _ in range(runs):
            started = time.perf_counter()
            with ChildWall(folders, "benchmark"):
                pass
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="sales")
    parser.add_argument("--root", type=Path, default=REPO / "domains")
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    warehouse = Warehouse((args.warehouse or default_warehouse()).resolve())
    domain_dir = (args.root / args.domain).resolve()
    output = args.output or warehouse.root / "bench" / "sandbox_cost.json"
    runs: dict[str, list[float]] = {mode: [] for mode in MODES}
    with build_lock(warehouse.build_lock_file):
        time_dbt_build(domain_dir, warehouse, "off")  # warm-up: caches, partial parse
        for _ in range(args.repeat):
            for mode, sandbox in MODES.items():
                runs[mode].append(time_dbt_build(domain_dir, warehouse, sandbox))
    medians = {mode: statistics.median(values) for mode, values in runs.items()}
    result = {
        "domain": args.domain,
        "repeat": args.repeat,
        "load_average": list(os.getloadavg()),
        "dbt_build_seconds": runs,
        "median_seconds": medians,
        "cost_seconds": medians["wall"] - medians["no wall"],
        "cost_ratio": medians["wall"] / medians["no wall"],
        "ruleset_setup_microseconds": time_ruleset(domain_dir),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    for mode, values in runs.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{args.domain} dbt build, {mode:8}: median {medians[mode]:.2f} s  ({shown})")
    print(
        f"cost of the wall: {result['cost_seconds']:+.2f} s per build "
        f"({result['cost_ratio']:.3f}x); building the ruleset: "
        f"{result['ruleset_setup_microseconds']:.0f} us; written to {output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
