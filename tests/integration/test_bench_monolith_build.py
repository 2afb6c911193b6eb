"""The monolith the benchmark compares against really builds with one ``dbt build``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from bench.monolith import write_monolith
from support.meshes import TINY_MESH


@pytest.mark.integration
def test_tiny_mesh_monolith_builds_both_domains_and_versions(tmp_path: Path):
    project = tmp_path / "mono"
    write_monolith(TINY_MESH, project)
    database = tmp_path / "mono.duckdb"
    env = {**os.environ, "MONOLITH_PATH": str(database), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(database), read_only=True) as conn:
        rows = conn.execute("select table_name from information_schema.tables").fetchall()
    tables = {row[0] for row in rows}
    assert {"things_v1", "things_v2", "beta_summary", "beta_legacy"} <= tables
