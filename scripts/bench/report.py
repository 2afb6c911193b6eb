"""The machine a run happened on, and the results as JSON and as a Markdown table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.measure import Stats
from bench.results import Row, Scenario

MIB = 1024 * 1024
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "great-expectations", "sqlalchemy")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git_commit(repo: Path) -> str | None:
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")


def machine_info(repo: Path) -> dict[str, Any]:
    """What the numbers depend on: CPU, cores, memory, OS, versions, load when the run began."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "commit": _git_commit(repo),
    }


def fmt_stats(stats: Stats | None, scale: float = 1.0, digits: int = 1) -> str:
    """``median (min-max)``; a single run is shown as such (n=1 has no spread)."""
    if stats is None:
        return "-"
    med, low, high = stats.median / scale, stats.min / scale, stats.max / scale
    if stats.n == 1:
        return f"{med:.{digits}f} (n=1)"
    return f"{med:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def _row_line(number: int, row: Row) -> str:
    if row.skipped:
        return f"| {number} | {row.label} | not run: {row.skipped} | - | - |"
    n = row.seconds.n if row.seconds else 0
    return (
        f"| {number} | {row.label} | {fmt_stats(row.seconds, digits=2)} | "
        f"{fmt_stats(row.peak_bytes, MIB, 0)} | {n} |"
    )


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return "not measured"
    return f"{value:.2f}{unit}" if unit != " MiB" else f"{value:.0f}{unit}"


def render_markdown(run: dict[str, Any], scenarios: list[Scenario]) -> str:
    """The README table: every measured command, then every target, then the notes."""
    m, s = run["machine"], run["settings"]
    lines = [
        f"Benchmark run {run['started_at']} ({'quick' if s['quick'] else 'full'} mode, "
        f"{run['seconds']:.0f} s in all), commit {m['commit']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}, "
        f"Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + f". Load average at start {m['load_average']}, at end {run['load_average_end']}.",
        "",
        f"Scale: {s['orders']:,} orders; synthetic mesh {s['domains']} domains x "
        f"{s['models']} models; {s['repeat']} run(s) per figure. "
        "Figures are median (min-max) over the runs; peak memory is the largest sum of "
        "resident memory over the command's whole process tree, sampled every 50 ms.",
        "",
        "| # | measurement | wall time, s | peak memory, MiB | runs |",
        "|---|---|---|---|---|",
    ]
    lines += [_row_line(sc.number, row) for sc in scenarios for row in sc.rows]
    if any(sc.targets for sc in scenarios):
        lines += ["", "| # | target | measured | goal | met |", "|---|---|---|---|---|"]
    for sc in scenarios:
        for t in sc.targets:
            met = "n/a" if t.met is None else ("yes" if t.met else "**no**")
            lines.append(
                f"| {sc.number} | {t.what} | {_value(t.value, t.unit)} | {t.goal} | {met} |"
            )
    notes = [(sc.number, note) for sc in scenarios for note in sc.notes]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- ({number}) {note}" for number, note in notes]
    return "\n".join(lines) + "\n"


def write_results(output: Path, run: dict[str, Any], scenarios: list[Scenario]) -> list[Path]:
    """``benchmark.json`` (everything, every run's value) and ``benchmark.md`` (the table)."""
    output.mkdir(parents=True, exist_ok=True)
    payload = {**run, "scenarios": [sc.to_json() for sc in scenarios]}
    json_path, md_path = output / "benchmark.json", output / "benchmark.md"
    json_path.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(run, scenarios), encoding="utf-8")
    return [json_path, md_path]
