"""Item 5: the platform on a synthetic mesh of many small real dbt projects.

Measured: ``mesh manifest`` cold (fresh warehouse, no cache) against the floor of dbt parsing
each project alone (``dbt_parse_floor``), ``mesh manifest`` warm (nothing changed), then
``mesh check`` and ``mesh map`` on the same mesh.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from bench.context import BIN, Bench, command_available
from bench.measure import Measurement
from bench.results import Row, Scenario, Target, at_most
from bench.synthetic_projects import write_synthetic_mesh
from datamesh.warehouse import Warehouse

SCRIPTS = Path(__file__).resolve().parents[1]
COLD_GOAL = 1.2  # "close to the floor": our reading, at most 20 % over dbt's own parse


def _floor(bench: Bench, projects: list[Path], registry: Path, warehouse: Path) -> Measurement:
    targets = bench.work / "synthetic" / "floor-target"
    shutil.rmtree(targets, ignore_errors=True)
    command = [sys.executable, "-m", "bench.dbt_parse_floor", "--registry", str(registry),
               "--warehouse", str(warehouse), "--targets", str(targets),
               *map(str, projects)]  # fmt: skip
    env = bench.env(warehouse, PYTHONPATH=str(SCRIPTS))
    return bench.measure("dbt-parse-floor", command, env=env, cwd=SCRIPTS)


def platform_scale(bench: Bench) -> Scenario:
    s = bench.settings
    scenario = Scenario(5, f"Platform scale: synthetic mesh of {s.domains} domains x "
                           f"{s.models} models")  # fmt: skip
    base = bench.work / "synthetic"
    root = base / "domains"
    shutil.rmtree(base, ignore_errors=True)
    started = time.perf_counter()
    projects = write_synthetic_mesh(root, s.domains, s.models, seed=s.seed)
    bench.say(f"wrote {len(projects)} synthetic projects in {time.perf_counter() - started:.1f} s")
    warehouse = base / "warehouse"
    registry = base / "registry"
    cold_runs, floor_runs = [], []
    for index in range(s.repeat):
        shutil.rmtree(warehouse, ignore_errors=True)
        command = bench.mesh_on("manifest", "--no-cache", root=root, warehouse=warehouse)
        cold_runs.append(bench.measure("manifest-cold", command, env=bench.env(warehouse)))
        if index == 0:
            shutil.copytree(Warehouse(warehouse).parse_registry_dir, registry)
        floor_runs.append(_floor(bench, projects, registry, warehouse))
    cold = Row.of("mesh manifest --no-cache (cold: fresh warehouse)", cold_runs)
    floor = Row.of("floor: dbt parse of each project, one process", floor_runs)
    manifest = json.loads(Warehouse(warehouse).manifest_path.read_text("utf-8"))
    one = projects[-1]  # the last domain: it has upstreams to resolve
    one_command = [str(BIN / "dbt"), "parse", "--project-dir", str(one), "--profiles-dir",
                   str(one), "--target-path", str(base / "one-target"), "--no-partial-parse",
                   "--log-path", str(base / "one-logs")]  # fmt: skip
    one_env = bench.env(warehouse, MESH_REGISTRY=str(registry))
    single = Row.of(
        f"dbt parse CLI of one project ({one.name}) in its own process",
        [bench.measure("dbt-parse-one", one_command, env=one_env) for _ in range(s.repeat)],
    )
    warm_command = bench.mesh_on("manifest", root=root, warehouse=warehouse)
    warm = Row.of(
        "mesh manifest (warm: nothing changed)",
        [bench.measure("manifest-warm", warm_command, env=bench.env(warehouse))
         for _ in range(s.repeat)],
    )  # fmt: skip
    scenario.rows += [cold, floor, single, warm]
    scenario.targets += [
        at_most(
            "cold manifest / dbt parse floor",
            cold.seconds.median / floor.seconds.median,
            COLD_GOAL,
            "x",
        ),  # fmt: skip
        at_most("warm manifest wall time", warm.seconds.median, 5, " s"),
    ]
    for name, args in (
        ("check", ("--format", "json")),
        ("map", ("--output", str(base / "map"))),
    ):
        label = f"mesh {name}"
        if not command_available(bench, name):
            scenario.rows.append(Row(label, skipped=f"`mesh {name}` not available"))
            scenario.targets.append(Target(f"{label} wall time", None, "<= 5 s", None, " s"))
            continue
        command = bench.mesh_on(name, *args, root=root, warehouse=warehouse)
        # check: exit 1 = findings (the synthetic mesh may break rules); 2 = could not run
        runs = [bench.measure(f"mesh-{name}", command, env=bench.env(warehouse), ok_codes=(0, 1))
                for _ in range(s.repeat)]  # fmt: skip
        row = Row.of(label, runs)
        scenario.rows.append(row)
        scenario.targets.append(at_most(f"{label} wall time", row.seconds.median, 5, " s"))
    scenario.details = {
        "domains": len(manifest["domains"]),
        "public_model_versions": sum(len(d["models"]) for d in manifest["domains"]),
        "edges": len(manifest["edges"]),
    }
    scenario.notes.append(
        f"The synthetic mesh: {scenario.details['domains']} dbt projects, "
        f"{scenario.details['public_model_versions']} public model versions, "
        f"{scenario.details['edges']} cross-domain edges. The floor imports dbt once and "
        "parses every project (no partial parse), as mesh manifest does. Running the dbt CLI "
        f"once per project instead would cost about {len(projects)} x "
        f"{single.seconds.median:.1f} s = {len(projects) * single.seconds.median:.0f} s "
        "(a Python start-up and dbt import each time)."
    )
    return scenario
