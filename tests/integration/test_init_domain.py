"""``mesh init`` end to end, with real dbt, DuckDB and Great Expectations on a copy of the mesh:
the new domain builds and publishes at once, passes ``mesh check`` and sqlfluff; a domain with
nothing public is not published; a removed domain's files are orphans ``mesh clean`` removes;
a hand-run ``--target publish`` says whose target it is."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from support.cli import MeshCli, hand_dbt
from support.meshes import REPO, TINY_MESH, copy_mesh

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration


def test_init_consuming_fct_orders_builds_publishes_and_passes_check(
    built_mesh, tmp_path, monkeypatch
):
    mesh = built_mesh.copy_to(tmp_path)
    cli = MeshCli(mesh.root, mesh.warehouse)
    monkeypatch.setenv("MESH_WAREHOUSE", str(mesh.warehouse.root))  # as a shell would have it

    made = cli.run("init", "loyalty", "--consumes", "sales.fct_orders",
                   "--owner", "Loyalty Team <loyalty@jaffle.example>")  # fmt: skip
    assert made.code == 0, made.output
    assert "mesh build -s loyalty" in made.out  # the next steps
    again = cli.run("init", "loyalty")
    assert again.code == 2 and "domain 'loyalty'" in again.err and "already exists" in again.err
    unknown = cli.run("init", "other", "--consumes", "sales.fct_nothing")
    assert unknown.code == 2
    assert "domain 'sales' publishes no public model 'fct_nothing'" in unknown.err
    assert not (mesh.root / "other").exists()

    lint = subprocess.run(
        [sys.executable, "-m", "sqlfluff", "lint", "--config", str(REPO / ".sqlfluff"),
         str(mesh.root / "loyalty")],
        cwd=REPO, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout[-3000:] + lint.stderr[-2000:]

    built = cli.run("build", "-s", "loyalty")
    assert built.code == 0, built.output
    entry = json.loads(mesh.warehouse.registry_file("loyalty").read_text())
    (mart,) = entry["models"]
    assert (mart["name"], mart["access"], mart["contract_enforced"]) == (
        "loyalty_orders", "public", True
    )  # fmt: skip
    assert mart["owner"] == {"name": "Loyalty Team", "email": "loyalty@jaffle.example"}
    sales = json.loads(mesh.warehouse.registry_file("sales").read_text())
    orders = next(m for m in sales["models"] if m["name"] == "fct_orders")
    assert [(c["name"], c["data_type"]) for c in mart["columns"]] == [
        (c["name"], c["data_type"]) for c in orders["columns"]
    ]
    assert (mesh.warehouse.root / entry["storage"]).is_file()

    checked = cli.run("check", "-s", "loyalty", "--format", "json")
    report = json.loads(mesh.warehouse.check_report_file.read_text())
    errors = [f for f in report["findings"]
              if f["domain"] == "loyalty" and f["severity"] == "error"]  # fmt: skip
    assert errors == [], errors
    assert checked.code == 0, checked.output


def test_empty_domain_orphans_and_the_platform_target(tmp_path, monkeypatch):
    root = copy_mesh(TINY_MESH, tmp_path / "domains")
    warehouse = Warehouse(tmp_path / "wh")
    cli = MeshCli(root, warehouse)
    monkeypatch.setenv("MESH_WAREHOUSE", str(warehouse.root))
    assert cli.run("init", "gamma", "-q").code == 0

    # nothing public: refused, nothing published
    mart_yml = root / "gamma" / "models" / "marts" / "gamma_items.yml"
    mart_yml.write_text(mart_yml.read_text().replace("access: public", "access: protected"))
    refused = cli.run("build", "-s", "gamma")
    assert refused.code == 1
    assert "domain 'gamma' has no public model, so there is nothing to publish" in refused.output
    assert not warehouse.registry_file("gamma").exists()
    assert not warehouse.publications_dir("gamma").exists()

    # published, then removed from the tree: an orphan build warns about and clean removes
    mart_yml.write_text(mart_yml.read_text().replace("access: protected", "access: public"))
    assert cli.run("build", "-s", "gamma", "-q").code == 0
    assert warehouse.registry_file("gamma").is_file()

    # a hand-run --target publish (the domain's own profiles.yml) is refused with our message
    hand = hand_dbt(root / "gamma", warehouse.root, "parse", "--target", "publish")
    assert hand.returncode != 0
    assert "target 'publish' is the mesh platform's" in hand.stdout
    assert "'mesh build -s gamma'" in hand.stdout
    assert hand_dbt(root / "gamma", warehouse.root, "parse").returncode == 0  # dev still works

    shutil.rmtree(root / "gamma")
    warned = cli.run("build", "-s", "alpha")
    assert warned.code == 0, warned.output
    assert "files of domains that no longer exist: gamma" in warned.out
    dry = cli.run("clean", "--orphans", "--dry-run")
    assert dry.code == 0 and str(warehouse.registry_file("gamma")) in dry.out
    assert warehouse.registry_file("gamma").is_file()
    cleaned = cli.run("clean", "--orphans")
    assert cleaned.code == 0
    assert "removing domain 'gamma'" in cleaned.out
    assert str(warehouse.publications_dir("gamma")) in cleaned.out
    assert not warehouse.registry_file("gamma").exists()
    assert not warehouse.publications_dir("gamma").exists()
    assert warehouse.registry_file("alpha").is_file()
    assert "no orphans" in cli.run("clean", "--orphans").out
