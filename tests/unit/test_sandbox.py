"""The write wall (datamesh/sandbox) on tiny children: a real kernel refusal, no dbt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from datamesh.resolve.attach import lockdown_statements
from datamesh.sandbox import landlock
from datamesh.sandbox.wall import ChildWall, SandboxUnavailable

needs_landlock = pytest.mark.skipif(
    landlock.abi_version() < 1, reason="this kernel has no Landlock (the wall fails closed)"
)


def run_walled(wall: ChildWall, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], preexec_fn=wall.preexec(), env={**wall.env},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    allowed, denied = tmp_path / "allowed", tmp_path / "denied"
    allowed.mkdir()
    denied.mkdir()
    (denied / "published.duckdb").write_bytes(b"producer data")
    return allowed, denied


@needs_landlock
def test_child_writes_only_in_allowed_folders(folders) -> None:
    allowed, denied = folders
    with ChildWall([allowed], "test child") as wall:
        ok = run_walled(wall, f"open({str(allowed / 'x')!r}, 'w').write('1')")
        refused = run_walled(wall, f"open({str(denied / 'x')!r}, 'w').write('1')")
        truncated = run_walled(wall, f"open({str(denied / 'published.duckdb')!r}, 'r+').truncate()")
        readable = run_walled(wall, f"print(open({str(denied / 'published.duckdb')!r}).read())")
        tmp = run_walled(wall, "import tempfile; print(tempfile.mkstemp()[1])")
    assert ok.returncode == 0, ok.stderr
    assert (allowed / "x").read_text() == "1"
    assert refused.returncode != 0
    assert "PermissionError: [Errno 13] Permission denied" in refused.stderr
    assert not (denied / "x").exists()
    assert "PermissionError" in truncated.stderr
    assert readable.stdout.strip() == "producer data"
    assert tmp.returncode == 0, tmp.stderr  # a private TMPDIR, gone with the wall
    assert not Path(tmp.stdout.strip()).exists()
    assert (denied / "published.duckdb").read_bytes() == b"producer data"


@needs_landlock
def test_duckdb_in_a_walled_child_cannot_reopen_or_overwrite_a_file(folders) -> None:
    """What DuckDB's own settings let through (attach again read-write) the kernel refuses."""
    allowed, denied = folders
    producer = denied / "producer.duckdb"
    with duckdb.connect(str(producer)) as conn:
        conn.execute("create table t as select 1 as x")
    before = producer.read_bytes()
    with ChildWall([allowed], "test child") as wall:
        attach = run_walled(
            wall, f"import duckdb; duckdb.connect().execute(\"attach '{producer}' as p\")"
        )
        copy = run_walled(
            wall, f"import duckdb; duckdb.connect().execute(\"copy (select 1) to '{producer}'\")"
        )
        own = run_walled(wall, f"import duckdb; duckdb.connect({str(allowed / 'own.duckdb')!r})")
    assert "Permission denied" in attach.stderr
    assert "Permission denied" in copy.stderr
    assert own.returncode == 0, own.stderr
    assert producer.read_bytes() == before


def test_fails_closed_without_landlock(folders, monkeypatch) -> None:
    monkeypatch.delenv("MESH_SANDBOX", raising=False)
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    with pytest.raises(SandboxUnavailable, match=r"dbt for domain 'sales'.*MESH_SANDBOX=off"):
        ChildWall([folders[0]], "dbt for domain 'sales'")


def test_opt_out_runs_unwalled_with_a_warning(folders, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MESH_SANDBOX", "off")
    monkeypatch.setattr(landlock, "abi_version", lambda: 0)
    with ChildWall([folders[0]], "dbt for domain 'sales'") as wall:
        assert wall.preexec() is None
        assert wall.env == {}
    assert (
        "WARNING: MESH_SANDBOX=off: dbt for domain 'sales' runs WITHOUT" in capsys.readouterr().err
    )


def test_rights_follow_the_abi_version() -> None:
    assert landlock.handled_rights(1) == (1 << 13) - 1
    assert landlock.handled_rights(2) & landlock.REFER
    assert not landlock.handled_rights(2) & landlock.TRUNCATE
    assert landlock.handled_rights(3) & landlock.TRUNCATE
    assert not landlock.handled_rights(4) & landlock.IOCTL_DEV
    assert landlock.handled_rights(7) == (1 << 16) - 1


def test_duckdb_settings_refuse_files_outside_raw_and_cannot_be_undone(tmp_path: Path) -> None:
    raw, registry = tmp_path / "raw", tmp_path / "registry"
    raw.mkdir()
    registry.mkdir()
    (registry / "finance.json").write_text("{}")
    with duckdb.connect() as setup:
        setup.execute(f"copy (select 1 as x) to '{raw / 'orders.parquet'}'")
    conn = duckdb.connect()
    for statement in lockdown_statements([raw]):
        conn.execute(statement)
    assert conn.execute(f"select x from read_parquet('{raw / 'orders.parquet'}')").fetchall() == [
        (1,)
    ]
    with pytest.raises(duckdb.PermissionException):
        conn.execute(f"copy (select 'x') to '{registry / 'finance.json'}'")
    with pytest.raises(duckdb.InvalidInputException, match="configuration has been locked"):
        conn.execute("set enable_external_access = true")
    assert (registry / "finance.json").read_text() == "{}"


def test_dev_wall_never_walls_a_process_that_embeds_dbt(monkeypatch) -> None:
    """The platform parses with dbtRunner in its own process: that process must stay free."""
    import click

    from datamesh.sandbox import dev

    def must_not_wall(*args, **kwargs):
        raise AssertionError("the host process would have been walled")

    monkeypatch.delenv("MESH_SANDBOX_APPLIED", raising=False)
    monkeypatch.setattr(dev, "write_wall", must_not_wall)
    assert dev.wall_dbt_cli() is False  # no click context at all
    with click.Context(click.Command("build"), obj={dev.RUNNER_MARKER: ["build"]}):
        assert dev.wall_dbt_cli() is False


def test_dev_wall_refuses_a_profile_that_writes_over_published_data(tmp_path: Path) -> None:
    from datamesh.errors import MeshError
    from datamesh.sandbox.dev import refuse_published
    from datamesh.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "warehouse")
    warehouse.published_dir.mkdir(parents=True)
    refuse_published([warehouse.dev_dir, tmp_path / "domains" / "sales"], warehouse)
    with pytest.raises(MeshError, match="holds the mesh's published data"):
        refuse_published([warehouse.root], warehouse)
