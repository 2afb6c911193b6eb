"""The benchmark's one way to spell a mesh command and to copy the domains."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bench.context import BIN, Bench, Settings, copy_domains
from support.meshes import TINY_MESH


def bench(work: Path) -> Bench:
    settings = Settings(True, 100, 1, 2, 2, date(2026, 11, 1), 1)
    return Bench(settings, work, progress=False)


def test_every_mesh_build_runs_quietly_on_the_runs_domains_and_warehouse(tmp_path: Path):
    assert bench(tmp_path).mesh_build("--full-refresh") == [
        str(BIN / "mesh"), "build", "--root", str(tmp_path / "domains"),
        "--warehouse", str(tmp_path / "warehouse"), "--full-refresh", "-q",
    ]  # fmt: skip


def test_a_command_on_another_mesh_names_its_root_and_warehouse(tmp_path: Path):
    root, warehouse = tmp_path / "synthetic" / "domains", tmp_path / "synthetic" / "wh"
    assert bench(tmp_path).mesh_args("manifest", "--no-cache", root=root, warehouse=warehouse) == [
        "manifest", "--root", str(root), "--warehouse", str(warehouse), "--no-cache",
    ]  # fmt: skip


def test_copied_domains_leave_out_build_output_and_the_user_id(tmp_path: Path):
    source = tmp_path / "source"
    copy_domains(TINY_MESH, source)
    for junk in ("target", "dbt_packages", "logs"):
        (source / "alpha" / junk).mkdir()
    (source / "alpha" / ".user.yml").write_text("id: x\n")
    assert copy_domains(source, tmp_path / "copy") == ["alpha", "beta"]
    copied = {p.name for p in (tmp_path / "copy" / "alpha").iterdir()}
    assert copied == {"dbt_project.yml", "models", "profiles.yml", "seeds"}
