"""Issue 11: nothing a consumer's dbt runs can change a producer's published data or registry.

Each test drops one attack model (tests/fixtures/attacks/) into a copy of the built mesh's
``marketing`` domain, runs a real build, and checks the build fails naming the model while
every published file and registry entry stays byte for byte what it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest
from support.cli import MeshCli

from datamesh.registry import read_interface
from datamesh.write.dbt_run import dbt_executable

pytestmark = [pytest.mark.fault, pytest.mark.integration]

ATTACKS = Path(__file__).resolve().parents[1] / "fixtures" / "attacks"
PLACEHOLDER = "__ATTACK_TARGET__"


def digests(mesh) -> dict[str, str]:
    """sha256 of every file consumers rely on: published data and the registry."""
    wh = mesh.warehouse
    files = [*wh.published_dir.rglob("*"), *wh.registry_dir.rglob("*")]
    return {
        str(f.relative_to(wh.root)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(files)
        if f.is_file()
    }


def published_file(mesh, domain: str) -> Path:
    """The file the registry names as the domain's current publication."""
    return mesh.warehouse.root / read_interface(mesh.warehouse.registry_dir, domain)["storage"]


def plant(mesh, attack: str, target: Path) -> None:
    text = (ATTACKS / f"{attack}.sql").read_text(encoding="utf-8")
    (mesh.root / "marketing" / "models" / f"{attack}.sql").write_text(
        text.replace(PLACEHOLDER, str(target)), encoding="utf-8"
    )


def mesh_build(mesh) -> tuple[int, str, dict]:
    run = MeshCli(mesh.root, mesh.warehouse).run("build", "-s", "marketing", "--threads", "1")
    report = json.loads(mesh.warehouse.last_run_file.read_text())
    return run.code, run.output, report


def marketing_failures(report: dict) -> str:
    (entry,) = [d for d in report["domains"] if d["domain"] == "marketing"]
    assert entry["status"] == "failed", entry
    return "\n".join(entry["failures"])


REFUSED = "file system operations are disabled by configuration"  # DuckDB's own refusal
WALL = "Permission denied [mesh sandbox: this dbt process may write only in"


@pytest.mark.parametrize(
    ("attack", "target", "refused_by"),
    [
        # DuckDB lets a detached file be attached again read-write: only the OS wall stops it
        ("attack_detach_attach_delete", lambda mesh: published_file(mesh, "sales"), WALL),
        # DuckDB's own settings refuse these first (the wall would too: tests/unit)
        ("attack_copy_over_published", lambda m: published_file(m, "catalog"), REFUSED),
        ("attack_copy_over_registry", lambda m: m.warehouse.registry_file("finance"), REFUSED),
    ],
    ids=["detach-attach-delete", "copy-over-published", "copy-over-registry"],
)
def test_attack_in_a_publish_build_fails_and_changes_nothing(
    built_mesh, tmp_path, monkeypatch, attack, target, refused_by
) -> None:
    monkeypatch.delenv("MESH_SANDBOX", raising=False)  # the guarantee is the default
    mesh = built_mesh.copy_to(tmp_path)
    victim = target(mesh)
    assert victim.is_file()
    before = digests(mesh)
    plant(mesh, attack, victim)

    code, output, report = mesh_build(mesh)

    assert code != 0
    assert digests(mesh) == before
    (failure,) = [
        f for f in marketing_failures(report).splitlines()
        if f.startswith(f"model.marketing.{attack}:")
    ]  # fmt: skip
    assert refused_by in failure
    assert f"model.marketing.{attack}" in output


def test_attack_under_the_dev_target_fails_and_changes_nothing(built_mesh, tmp_path) -> None:
    """An engineer's own ``dbt build`` in the domain folder gets the same wall."""
    mesh = built_mesh.copy_to(tmp_path)
    before = digests(mesh)
    plant(mesh, "attack_detach_attach_delete", published_file(mesh, "sales"))
    env = {k: v for k, v in os.environ.items() if k not in {"MESH_SANDBOX", "MESH_SANDBOX_APPLIED"}}
    env["MESH_WAREHOUSE"] = str(mesh.warehouse.root)

    done = subprocess.run(
        [dbt_executable(), "build", "--threads", "1", "--no-use-colors"],
        cwd=mesh.root / "marketing", env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert done.returncode != 0
    assert digests(mesh) == before
    assert "Failure in model attack_detach_attach_delete" in done.stdout, done.stdout[-3000:]
    assert "Permission denied" in done.stdout
    assert (mesh.warehouse.dev_dir / "marketing.duckdb").is_file()  # its own writes still work
