"""Item 4: ``mesh validate`` (Great Expectations) vs the same checks as plain DuckDB SQL."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.context import BIN, Bench, command_available
from bench.measure import Measurement, summarise
from bench.profile import profile_python
from bench.results import Row, Scenario, Target, at_most
from datamesh.warehouse import Warehouse

SCRIPTS = Path(__file__).resolve().parents[1]


def gx_seconds(warehouse: Path) -> float:
    """Seconds GX spent validating, summed over the model versions' result files."""
    return sum(
        json.loads(p.read_text("utf-8")).get("seconds", 0.0)
        for p in Warehouse(warehouse).validation_result_files()
    )


def _plain(bench: Bench) -> tuple[Measurement, dict]:
    command = [sys.executable, "-m", "bench.plain_sql", "--root", str(bench.domains_root),
               "--warehouse", str(bench.warehouse),
               "--as-of", bench.settings.as_of.isoformat()]  # fmt: skip
    env = bench.env(PYTHONPATH=str(SCRIPTS))
    run = bench.measure("plain-sql-checks", command, env=env, cwd=SCRIPTS)
    summary = json.loads(Path(run.log).read_text("utf-8").strip().splitlines()[-1])
    return run, summary


def _validate_args(bench: Bench) -> tuple[str, ...]:
    """What item 4 measures: validation only (plain SQL renders no docs either)."""
    return ("--no-docs", "--as-of", bench.settings.as_of.isoformat())


def _gx(bench: Bench) -> tuple[Measurement, float]:
    command = bench.mesh_on("validate", *_validate_args(bench))
    # exit 1 = some critical expectation failed: the validation still ran in full
    run = bench.measure("mesh-validate", command, ok_codes=(0, 1))
    return run, gx_seconds(bench.warehouse)


def gx_vs_plain_sql(bench: Bench) -> Scenario:
    """Alternate the two sides so background load hits both alike."""
    scenario = Scenario(4, "Great Expectations validation of every published table vs plain SQL")
    if not command_available(bench, "validate"):
        scenario.rows.append(Row("mesh validate", skipped="`mesh validate` not available"))
        scenario.targets.append(Target("GX / plain SQL wall time", None, "<= 2x", None, "x"))
        return scenario
    gx_runs, plain_runs, gx_inner, plain_inner, summary = [], [], [], [], {}
    for index in range(bench.settings.repeat):
        order = (_gx, _plain) if index % 2 == 0 else (_plain, _gx)
        for side in order:
            run, extra = side(bench)
            if side is _gx:
                gx_runs.append(run)
                gx_inner.append(extra)
            else:
                plain_runs.append(run)
                plain_inner.append(extra["query_seconds"])
                summary = extra
    gx = Row.of("mesh validate --no-docs (GX, SQL pushdown)", gx_runs)
    plain = Row.of(
        f"plain DuckDB SQL, one query per table ({summary['tables']} tables, "
        f"{summary['checks']} checks)",
        plain_runs,
    )
    scenario.rows += [gx, plain]
    gx_in, plain_in = summarise(gx_inner), summarise(plain_inner)
    scenario.targets += [
        at_most(
            "GX / plain SQL wall time (whole processes)",
            gx.seconds.median / plain.seconds.median,
            2,
            "x",
        ),  # fmt: skip
        Target(
            "GX / plain SQL, validation only (no start-up)",
            gx_in.median / plain_in.median if plain_in.median else None,
            "(reported)",
            None,
            "x",
        ),  # fmt: skip
        at_most("mesh validate peak memory", gx.peak_bytes.median / 2**20, 1024, " MiB"),
    ]
    scenario.details = {"gx_validation_seconds": gx_in.to_json(),
                        "plain_query_seconds": plain_in.to_json(),
                        "untranslated": summary.get("untranslated", [])}  # fmt: skip
    scenario.notes.append(
        f"Validation only (GX's own per-table timers vs the SQL queries): GX "
        f"{gx_in.median:.2f} s, plain SQL {plain_in.median:.2f} s. The rest of each wall time "
        "is process start-up: importing Great Expectations alone takes ~2 s. Data Docs are "
        "not rendered (--no-docs): plain SQL renders nothing either."
    )
    if scenario.targets[0].met is False:
        scenario.notes.append(profile_note(bench))
    if summary.get("untranslated"):
        scenario.notes.append(
            f"{len(summary['untranslated'])} checks had no plain-SQL form and ran only in GX: "
            + "; ".join(summary["untranslated"][:5])
        )
    return scenario


PROFILED = {
    "importing great_expectations": ("great_expectations/__init__.py", "<module>"),
    "validating (all tables)": ("datamesh/audit/validate.py", "validate_database"),
    "GX computing metrics (the SQL)": (
        "great_expectations/execution_engine/execution_engine.py",
        "resolve_metrics",
    ),
}


def profile_note(bench: Bench) -> str:
    """One extra ``mesh validate`` under cProfile: import, validation, and SQL metric time."""
    args = bench.mesh_args("validate", *_validate_args(bench))
    found = profile_python(BIN / "mesh", args, bench.env(), bench.work / "validate.prof", PROFILED)
    if not found:
        return "Profiling mesh validate failed (no profile written)."
    parts = ", ".join(f"{label} {seconds:.2f} s" for label, seconds in found.items())
    rest = found["validating (all tables)"] - found["GX computing metrics (the SQL)"]
    return (
        f"Profile of one more mesh validate run (cProfile, so slower than measured): {parts}; "
        f"GX's own Python per expectation (building suites, validation graphs, pydantic "
        f"copies, results) takes the other {rest:.2f} s of the validation."
    )
