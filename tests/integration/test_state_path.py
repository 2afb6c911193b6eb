"""Slim CI: ``mesh state-path`` names the dbt state of a domain's last publish, and dbt's own
``state:modified`` selection and ``--defer`` work against it in a domain (real dbt, tiny mesh)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import MeshCli, hand_dbt
from support.meshes import TINY_MESH, copy_mesh

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration


def test_state_path_of_the_last_publish_drives_slim_ci(tmp_path: Path) -> None:
    root = copy_mesh(TINY_MESH, tmp_path / "domains")
    warehouse = Warehouse(tmp_path / "wh")
    cli = MeshCli(root, warehouse)

    never = cli.run("state-path", "beta")
    assert never.code == 2 and "domain 'beta' was never built and published" in never.err
    assert cli.run("state-path", "gamma").code == 2

    assert cli.run("build", "-q").code == 0
    shown = cli.run("state-path", "beta")
    assert shown.code == 0
    state = Path(shown.out.strip())
    assert state == warehouse.publish_state_dir("beta")
    published = (state / "manifest.json").read_bytes()
    assert b'"model.beta.beta_summary"' in published

    # A parse writes dbt's target folder, never the state of what is published.
    assert cli.run("manifest", "--no-cache", "-q").code == 0
    assert (state / "manifest.json").read_bytes() == published

    summary = root / "beta" / "models" / "beta_summary.sql"
    summary.write_text(summary.read_text().replace("count(*) as n_things", "count(*) as n_things,"
                                                   "\n    max(score) as top_score"))  # fmt: skip
    listed = hand_dbt(root / "beta", warehouse.root, "ls", "-s", "state:modified", "--state",
                      str(state), "--resource-type", "model", "--output", "name")  # fmt: skip
    assert listed.returncode == 0, listed.stdout[-3000:]
    names = {line.strip() for line in listed.stdout.splitlines()}
    assert "beta_summary" in names and "beta_legacy" not in names

    built = hand_dbt(root / "beta", warehouse.root, "build", "-s", "state:modified+", "--state",
                     str(state), "--defer")  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:]
    assert "model main.beta_summary" in built.stdout and "TOTAL=1\n" in built.stdout
