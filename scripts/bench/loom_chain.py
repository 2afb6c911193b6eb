"""The peer: the same domains built the way teams build a multi-project mesh today, with dbt-loom.

Each domain is a plain dbt project in a copy; a consumer's ``dbt_loom.config.yml`` lists its
producers' ``target/manifest.json`` (dbt-loom injects their public models as nodes), and its
profile ATTACHes their DuckDB files read-only so the injected relations resolve. One ``dbt
build`` per project, run by a generated shell script level by level: every project whose
producers are built starts at once (``&`` then ``wait``), as a team's CI script would. No audit,
no atomic publish: a failed build leaves whatever it wrote. dbt-loom installs into a venv of its
own (``loom-requirements.txt``), never into the product's dependencies.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from bench.context import COPY_IGNORE, REPO
from bench.monolith import domain_projects

REQUIREMENTS = Path(__file__).with_name("loom-requirements.txt")
LOCK = REPO / "requirements.lock"
PRODUCT_PINS = ("dbt-core", "dbt-duckdb", "duckdb")


def loom_venv(folder: Path) -> Path:
    """A venv with dbt, dbt-duckdb and dbt-loom (made once, reused); returns its ``bin``."""
    bin_dir = folder / "bin"
    stamp = folder / ".installed"
    if stamp.is_file() and stamp.read_text() == REQUIREMENTS.read_text():
        return bin_dir
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    pins = [line for line in LOCK.read_text().splitlines()
            if line.split("==")[0].lower() in PRODUCT_PINS]  # fmt: skip
    subprocess.run(
        [str(bin_dir / "pip"), "install", "--quiet", "-c", str(LOCK), *pins,
         "-r", str(REQUIREMENTS)], check=True,
    )  # fmt: skip
    stamp.write_text(REQUIREMENTS.read_text())
    return bin_dir


def _project(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "dbt_project.yml").read_text("utf-8")) or {}


def _producers(folder: Path) -> list[str]:
    file = folder / "dependencies.yml"
    if not file.is_file():
        return []
    data = yaml.safe_load(file.read_text("utf-8")) or {}
    return [p["name"] for p in data.get("projects") or []]


def levels(upstreams: dict[str, list[str]]) -> list[list[str]]:
    """Projects grouped so each level's producers are all in earlier levels."""
    done: set[str] = set()
    result: list[list[str]] = []
    while len(done) < len(upstreams):
        ready = sorted(n for n, ups in upstreams.items()
                       if n not in done and all(u in done for u in ups))  # fmt: skip
        if not ready:
            raise RuntimeError(f"cycle among {sorted(set(upstreams) - done)}")
        result.append(ready)
        done.update(ready)
    return result


def write_loom_chain(domains_root: Path, dest: Path, *, bin_dir: Path, threads: int) -> Path:
    """Copy the projects, give each a profile and a dbt-loom config; returns the run script."""
    shutil.rmtree(dest, ignore_errors=True)
    databases = dest / "databases"
    databases.mkdir(parents=True)
    upstreams: dict[str, list[str]] = {}
    folders: dict[str, Path] = {}
    for source in domain_projects(domains_root):
        config = _project(source)
        name = config["name"]
        folder = dest / name
        shutil.copytree(source, folder, ignore=shutil.ignore_patterns(*COPY_IGNORE))
        folders[name], upstreams[name] = folder, _producers(source)
    for name, folder in folders.items():
        producers = upstreams[name]
        output: dict[str, Any] = {"type": "duckdb", "path": str(databases / f"{name}.duckdb"),
                                  "threads": threads}  # fmt: skip
        if producers:
            output["attach"] = [
                {"path": str(databases / f"{p}.duckdb"), "alias": p, "read_only": True}
                for p in producers
            ]
        profile = {_project(folder)["profile"]: {"target": "loom", "outputs": {"loom": output}}}
        (folder / "profiles.yml").write_text(yaml.safe_dump(profile, sort_keys=False), "utf-8")
        loom = {"manifests": [
            {"name": p, "type": "file", "config": {"path": str(folders[p] / "target" /
                                                              "manifest.json")}}
            for p in producers
        ]}  # fmt: skip
        if producers:
            (folder / "dbt_loom.config.yml").write_text(yaml.safe_dump(loom), "utf-8")
    lines = ["#!/usr/bin/env bash", "# dbt-loom chain: one dbt build per project, level by level",
             "set -euo pipefail", "pids=()"]  # fmt: skip
    dbt = shlex.quote(str(bin_dir / "dbt"))
    for level in levels(upstreams):
        for name in level:
            folder = shlex.quote(str(folders[name]))
            lines.append(f"(cd {folder} && {dbt} build --profiles-dir . --no-use-colors "
                         f"> {folder}/build.log 2>&1) & pids+=($!)")  # fmt: skip
        lines.append('for pid in "${pids[@]}"; do wait "$pid"; done; pids=()')
    script = dest / "run_chain.sh"
    script.write_text("\n".join(lines) + "\n", "utf-8")
    return script


def reset_databases(dest: Path) -> None:
    """Every chain build starts from empty databases, as ``mesh build --full-refresh`` does."""
    for file in (dest / "databases").glob("*.duckdb*"):
        file.unlink()
