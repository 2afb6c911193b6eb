"""Bad settings and paths get a clear error naming the setting or file, exit 2, no traceback."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import generate_data
import pytest
from support.meshes import DOMAINS, REPO, TINY_MESH, copy_mesh

from datamesh.dbt_env import WAREHOUSE_ENV
from datamesh.orchestrate.run_report import read_run_report
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.fault


def mesh(*args: str, warehouse: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
    return subprocess.run([sys.executable, "-m", "datamesh.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)  # fmt: skip


@pytest.mark.parametrize("command", ["ls", "manifest", "build", "check", "map", "validate"])
def test_a_warehouse_setting_that_names_a_file_is_named(tmp_path: Path, command: str) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    done = mesh(command, warehouse=a_file / "warehouse")
    if command == "ls":  # reads no warehouse: nothing to complain about
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"$MESH_WAREHOUSE is {a_file / 'warehouse'}" in done.stderr
    assert f"{a_file} is a file, not a folder" in done.stderr


def test_a_warehouse_path_with_braces_is_refused(tmp_path: Path) -> None:
    done = mesh("manifest", warehouse=tmp_path / "wh{x}")
    assert done.returncode == 2 and "braces in the warehouse path" in done.stderr, done.stderr


@pytest.mark.integration
def test_an_apostrophe_in_the_warehouse_path_builds(tmp_path: Path) -> None:
    """Sources read raw Parquet with the warehouse path inside a SQL string literal."""
    root = tmp_path / "domains"
    copy_mesh(DOMAINS / "customers", root / "customers")
    warehouse = tmp_path / "o'brien's warehouse"
    generate_data.generate(warehouse, 300, date(2026, 11, 1), 42)
    done = mesh("build", "--root", str(root), warehouse=warehouse)
    assert done.returncode == 0, done.stdout + done.stderr
    report = read_run_report(Warehouse(warehouse).last_run_file)
    assert report is not None and [d.status for d in report.domains] == ["published"]


@pytest.mark.parametrize("value", ["1KB", "512KB", "lots"])
def test_an_audit_memory_limit_that_cannot_work_stops_build_and_validate(
    tmp_path: Path, value: str
) -> None:
    """A setting error, exit 2, before anything is built; never 'critical data failures'."""
    root = copy_mesh(TINY_MESH, tmp_path / "domains")
    env_value = {"MESH_AUDIT_MEMORY_LIMIT": value}
    for command in ("build", "validate"):
        done = subprocess.run(
            [sys.executable, "-m", "datamesh.cli", command, "--root", str(root)],
            env={**os.environ, WAREHOUSE_ENV: str(tmp_path / "wh"), **env_value},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert f"$MESH_AUDIT_MEMORY_LIMIT={value!r}" in done.stderr
    assert not Warehouse(tmp_path / "wh").registry_dir.exists()


@pytest.fixture
def full_disk(tmp_path: Path):
    """A warehouse on a 256 KiB tmpfs, filled to the last byte (root only: skipped elsewhere)."""
    mount = tmp_path / "full"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        (mount / "state").mkdir()
        with (mount / "filler").open("wb", buffering=0) as handle, contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 4096)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_an_error_naming_the_file(tmp_path: Path, full_disk: Path) -> None:
    root = copy_mesh(TINY_MESH, tmp_path / "domains")
    done = mesh("build", "--root", str(root), warehouse=full_disk)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert str(full_disk) in done.stderr and "No space left on device" in done.stderr
