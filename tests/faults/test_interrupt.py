"""Ctrl-C and SIGTERM end a build within seconds: dbt children killed, nothing published after
the signal, the lock released, a run report that says what was interrupted."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.dbt_env import WAREHOUSE_ENV
from datamesh.orchestrate.run_report import Status, read_run_report
from datamesh.warehouse import Warehouse

pytestmark = [pytest.mark.integration, pytest.mark.fault]


def start_build(root: Path, warehouse: Path) -> subprocess.Popen[str]:
    command = MeshCli(root, warehouse).argv("build")
    command.insert(1, "-u")  # progress lines unbuffered: the test waits for one
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def quiet_build(root: Path, warehouse: Path) -> subprocess.CompletedProcess[str]:
    command = MeshCli(root, warehouse).argv("build", "-q")
    env = {**os.environ, WAREHOUSE_ENV: str(warehouse)}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


def wait_for_line(build: subprocess.Popen[str], needle: str, seconds: float = 120) -> str:
    deadline, seen = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([build.stdout], [], [], 0.5)
        if ready:
            line = build.stdout.readline()
            seen += line
            if needle in line:
                return seen
            if not line and build.poll() is not None:
                break
    raise AssertionError(f"never saw {needle!r}; output so far:\n{seen}")


def dbt_children_of(warehouse: Path) -> list[int]:
    """dbt processes still running for this warehouse (their environment names it)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"dbt" in cmdline and str(warehouse).encode() in environ:
            found.append(int(proc.name))
    return found


@pytest.fixture
def tiny(tmp_path: Path) -> tuple[Path, Warehouse]:
    root = copy_mesh(TINY_MESH, tmp_path / "mesh")
    warehouse = Warehouse(tmp_path / "wh")
    first = quiet_build(root, warehouse.root)
    assert first.returncode == 0, first.stdout + first.stderr
    sql = root / "alpha" / "models" / "things_v2.sql"  # alpha must build again, beta ahead of it
    sql.write_text(sql.read_text().replace("id * 10 as score", "id * 30 as score"))
    return root, warehouse


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_ends_the_build_and_publishes_nothing(
    tiny: tuple[Path, Warehouse], signum: int, code: int
) -> None:
    root, warehouse = tiny
    registry_before = {p.name: p.read_bytes() for p in warehouse.registry_dir.glob("*.json")}
    build = start_build(root, warehouse.root)
    wait_for_line(build, "building  alpha")
    time.sleep(1.0)  # dbt is importing or parsing now
    signalled = time.monotonic()
    build.send_signal(signum)
    try:
        out, _ = build.communicate(timeout=30)
    finally:
        build.kill()
    took = time.monotonic() - signalled

    assert build.returncode == code, out
    assert took < 15, f"the build took {took:.1f}s to stop"
    assert f"interrupted by {signal.Signals(signum).name}" in out
    assert "Traceback" not in out
    assert not dbt_children_of(warehouse.root), "dbt children outlived the build"
    assert {
        p.name: p.read_bytes() for p in warehouse.registry_dir.glob("*.json")
    } == registry_before
    report = read_run_report(warehouse.last_run_file)
    assert report is not None and report.interrupted_by == signal.Signals(signum).name
    assert report.statuses()["alpha"] == Status.INTERRUPTED

    again = quiet_build(root, warehouse.root)
    assert again.returncode == 0, again.stdout + again.stderr  # the lock was released


def test_a_closed_output_stops_the_build_cleanly(tiny: tuple[Path, Warehouse]) -> None:
    """``mesh build -v | head``: the build's output closes while beta waits on alpha; it exits
    non-zero with no dbt child left, the lock released and no registry entry added. (The hang
    a failing scheduler once caused is reproduced by tests/unit/test_schedule_failure.py.)"""
    root, warehouse = tiny
    registry_before = {p.name: p.read_bytes() for p in warehouse.registry_dir.glob("*.json")}
    build = start_build(root, warehouse.root)
    wait_for_line(build, "started ahead")  # beta waits at its gate for alpha
    build.stdout.close()  # the reader went away: the next progress line cannot be written
    try:
        build.wait(timeout=120)
    except subprocess.TimeoutExpired:
        build.kill()
        raise AssertionError("the build hung after its output was closed") from None

    assert build.returncode != 0
    assert not dbt_children_of(warehouse.root), "dbt children outlived the build"
    registry_after = {p.name: p.read_bytes() for p in warehouse.registry_dir.glob("*.json")}
    assert set(registry_after) == set(registry_before)
    again = quiet_build(root, warehouse.root)
    assert again.returncode == 0, again.stdout + again.stderr  # the lock was released
