"""Benchmark the mesh at scale against a monolith and plain SQL (issue 7).

1. full mesh build vs the same models as one monolithic dbt project (same SQL and data);
2. no-op mesh build vs a full build;  3. one changed domain (and its downstreams) vs a full build;
4. Great Expectations validation of every published table vs the same checks in plain SQL;
5. platform scale on a synthetic mesh: manifest cold (vs dbt's own parse) and warm, check, map;
6. building many domains (20, 50, 200) vs one monolithic project and the dbt-loom chain, no-op.

Every figure is the median, min and max of --repeat runs of a command, measured as a process
tree (wall time, peak of summed resident memory). Results: benchmark.json and benchmark.md.

    python scripts/benchmark.py --quick              # ~5 min first look, small scale
    python scripts/benchmark.py                      # 10M orders, 200 x 30 synthetic mesh
    python scripts/benchmark.py --only 1,4 --repeat 5 --output /tmp/bench
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from bench.build_scale import build_scale
from bench.context import REPO, Bench, Settings, copy_domains
from bench.mesh_build import full_mesh_runs, full_vs_monolith, noop_build, one_changed_domain
from bench.platform_scale import platform_scale
from bench.report import machine_info, render_markdown, write_results
from bench.results import Row, Scenario
from bench.spark_engine import spark_vs_duckdb
from bench.validation import gx_vs_plain_sql
from generate_data import generate

from datamesh.warehouse import Warehouse, default_warehouse

FULL = {"orders": 10_000_000, "repeat": 3, "domains": 200, "models": 30}
QUICK = {"orders": 200_000, "repeat": 1, "domains": 20, "models": 10}
AS_OF = date(2026, 11, 1)
SMALLER_ORDERS = 1_000_000  # full mode: item 1 at this scale too, in a work folder of its own


def full_vs_monolith_at_scales(bench: Bench) -> list[Scenario]:
    """Item 1 at 1M orders (full mode) and at the run's scale: the ratios at both."""
    scenarios = []
    if not bench.settings.quick and bench.settings.orders > SMALLER_ORDERS:
        smaller = Bench(replace(bench.settings, orders=SMALLER_ORDERS), bench.work / "orders-1m",
                        progress=bench.progress)  # fmt: skip
        bench.say(f"item 1 at {SMALLER_ORDERS:,} orders first, in {smaller.work}")
        copy_domains(REPO / "domains", smaller.domains_root)
        generate_data(smaller)
        scenarios.append(full_vs_monolith(smaller))
    scenarios.append(full_vs_monolith(bench))
    return scenarios


SCENARIOS: dict[int, Callable[[Bench], Scenario | list[Scenario]]] = {
    1: full_vs_monolith_at_scales, 2: noop_build, 3: one_changed_domain, 4: gx_vs_plain_sql,
    5: platform_scale, 6: build_scale, 7: spark_vs_duckdb,
}  # fmt: skip
TITLES = {1: "Full mesh build vs monolith", 2: "No-op mesh build", 3: "One changed domain",
          4: "GX validation vs plain SQL", 5: "Platform scale",
          6: "Building many domains", 7: "Spark vs DuckDB"}  # fmt: skip


def parse_only(text: str | None) -> list[int]:
    """``--only 1,2,5`` -> [1, 2, 5]; every number must name a scenario."""
    if not text:
        return sorted(SCENARIOS)
    try:
        picked = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--only takes numbers like 1,2,5, got {text!r}") from None
    unknown = [n for n in picked if n not in SCENARIOS]
    if unknown or not picked:
        raise argparse.ArgumentTypeError(
            f"--only: no scenario {unknown or text!r} (choose from {sorted(SCENARIOS)})"
        )
    return picked


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true",
                        help=f"small scale, one run each (defaults {QUICK})")  # fmt: skip
    parser.add_argument("--orders", type=int, help=f"orders generated (full: {FULL['orders']:,})")
    parser.add_argument("--repeat", type=int, help="runs per figure (full: 3, quick: 1)")
    parser.add_argument("--domains", type=int, help="synthetic mesh domains (full: 200)")
    parser.add_argument("--models", type=int, help="models per synthetic domain (full: 30)")
    parser.add_argument("--only", type=parse_only, default=parse_only(None),
                        help="scenarios to run, e.g. 1,2,5 (default: all)")  # fmt: skip
    parser.add_argument("--output", type=Path, default=Warehouse(default_warehouse(REPO)).bench_dir,
                        help="where benchmark.json and benchmark.md go")  # fmt: skip
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        help="scratch folder (default: a new temp folder, removed at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--changed-domain", default="sales", help="domain edited in item 3")
    return parser


def settings_of(args: argparse.Namespace) -> Settings:
    defaults = QUICK if args.quick else FULL
    value = {key: getattr(args, key) or default for key, default in defaults.items()}
    if value["repeat"] < 1 or value["orders"] < 1:
        raise SystemExit("benchmark: --repeat and --orders must be at least 1")
    return Settings(
        quick=args.quick, as_of=AS_OF, seed=args.seed, changed_domain=args.changed_domain,
        **value,
    )  # fmt: skip


def generate_data(bench: Bench) -> float:
    """Raw Parquet for ``orders`` orders into the private warehouse; returns seconds."""
    s = bench.settings
    started = time.perf_counter()
    counts = generate(bench.warehouse, s.orders, s.as_of, s.seed)
    seconds = time.perf_counter() - started
    bench.say(f"generated {sum(counts.values()):,} raw rows in {seconds:.1f} s")
    return seconds


def run(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    work = (args.work or Path(tempfile.mkdtemp(prefix="mesh-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(settings, work)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    machine = machine_info(REPO)
    bench.say(f"work folder {work}; scenarios {args.only}; settings {settings.to_json()}")
    copy_domains(REPO / "domains", bench.domains_root)
    data_seconds = generate_data(bench) if set(args.only) & {1, 2, 3, 4} else None
    scenarios: list[Scenario] = []
    failed = False
    for number in args.only:
        bench.say(f"--- {number}. {TITLES[number]}")
        try:
            if number == 4 and not any(bench.warehouse.glob("domains/*.duckdb")):
                full_mesh_runs(bench)  # validation needs published tables
            result = SCENARIOS[number](bench)
            scenarios += result if isinstance(result, list) else [result]
        except Exception as exc:  # one broken item must not lose the others' numbers
            failed = True
            traceback.print_exc()
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            scenario = Scenario(number, TITLES[number])
            scenario.rows.append(Row(TITLES[number], skipped=f"failed: {first[:200]}"))
            scenario.notes.append(f"Failed: {type(exc).__name__}: {str(exc)[:1500]}")
            scenarios.append(scenario)
    results = {
        "started_at": started_at,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine,
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
        "settings": {**settings.to_json(), "only": args.only, "data_seconds": data_seconds},
        "work": str(work) if args.keep else None,
    }
    paths = write_results(args.output, results, scenarios)
    print()
    print(render_markdown(results, scenarios))
    print("results: " + ", ".join(map(str, paths)))
    if args.keep:
        print(f"scratch folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
