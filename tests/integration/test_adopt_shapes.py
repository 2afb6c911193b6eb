"""Meshes in the shapes other teams bring them, each run unedited: real dbt, real DuckDB files.

Per fixture: ``mesh ls``, ``mesh manifest``, ``mesh build``, ``mesh check`` (0 or 1, never 2)
and ``mesh map``, once per module; the tests assert what each found. The shapes: an upstream
declared only in a dbt-loom config whose manifest file is not there (loom), a single-argument
ref into another project (single_ref), a producer installed as a local package
(local_package), and projects two levels down in folders not named after them (nested).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.cli import CliRun, MeshCli
from support.meshes import LOCAL_PACKAGE_MESH, LOOM_MESH, NESTED_MESH, SINGLE_REF_MESH, copy_mesh

from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Shape:
    mesh: Path
    ls: list[str]  # build order
    edges: list[tuple[str, str, str]]  # (kind, producer domain.model, consumer domain.model)
    warnings: list[str]  # check rules expected among the findings


SHAPES = {
    "loom": Shape(
        LOOM_MESH, ["shop", "finance"],
        [("ref", "shop.orders", "finance.customer_revenue")], ["dbt-loom-declaration"],
    ),
    "single_ref": Shape(
        SINGLE_REF_MESH, ["crm", "marketing"],
        [("ref", "crm.customers", "marketing.segment_value")], [],
    ),
    "local_package": Shape(
        LOCAL_PACKAGE_MESH, ["catalog", "sales"],
        [("package", "catalog.products", "sales.category_prices")], ["local-package-domain"],
    ),
    "nested": Shape(
        NESTED_MESH, ["inventory", "logistics"],
        [("ref", "inventory.stock_levels", "logistics.site_units")], [],
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Adopted:
    root: Path
    warehouse: Warehouse
    runs: dict[str, CliRun]


@pytest.fixture(scope="module", params=sorted(SHAPES))
def adopted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Shape, Adopted]:
    """One fixture mesh copied and run through every command once, from its own folder."""
    shape = SHAPES[request.param]
    base = tmp_path_factory.mktemp(request.param)
    root = copy_mesh(shape.mesh, base / "mesh")
    warehouse = Warehouse(base / "warehouse")
    cli = MeshCli(None, warehouse)  # no --root: the mesh is the folder the command runs in
    runs: dict[str, CliRun] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        runs["ls"] = cli.run("ls")
        runs["manifest"] = cli.run("manifest")
        runs["build"] = cli.run("build", "--quiet")
        runs["check"] = cli.run("check", "--format", "json")
        runs["map"] = cli.run("map")
        runs["ls again"] = cli.run("ls")  # dbt_packages/ now holds installed copies
    return shape, Adopted(root, warehouse, runs)


def test_ls_finds_both_projects_by_their_names(adopted: tuple[Shape, Adopted]) -> None:
    shape, mesh = adopted
    for command in ("ls", "ls again"):
        run = mesh.runs[command]
        assert run.code == 0, run.output
        assert run.out.split() == shape.ls
    installed = mesh.root / "sales" / "dbt_packages" / "catalog"
    assert installed.is_dir() == (shape.mesh == LOCAL_PACKAGE_MESH)


def test_manifest_has_the_edge_dbt_resolved(adopted: tuple[Shape, Adopted]) -> None:
    shape, mesh = adopted
    assert mesh.runs["manifest"].code == 0, mesh.runs["manifest"].output
    manifest = json.loads(mesh.warehouse.manifest_path.read_text())
    assert manifest["build_order"] == shape.ls
    edges = [
        (
            e["kind"],
            f"{e['producer']['domain']}.{e['producer']['model']}",
            f"{e['consumer']['domain']}.{e['consumer']['model']}",
        )
        for e in manifest["edges"]
    ]
    assert edges == shape.edges


def test_build_publishes_both_domains(adopted: tuple[Shape, Adopted]) -> None:
    shape, mesh = adopted
    assert mesh.runs["build"].code == 0, mesh.runs["build"].output
    report = json.loads(mesh.warehouse.last_run_file.read_text())
    assert {d["domain"]: d["status"] for d in report["domains"]} == {
        name: "published" for name in shape.ls
    }


def test_check_reports_findings_and_never_fails_to_run(adopted: tuple[Shape, Adopted]) -> None:
    shape, mesh = adopted
    run = mesh.runs["check"]
    assert run.code in (0, 1), run.output
    report = json.loads(run.out)
    rules = sorted(f["rule"] for f in report["findings"])
    for rule in shape.warnings:
        assert rule in rules, run.out
    # an edge counted however it was written: no upstream or product looks unused
    assert "unused-upstream" not in rules and "unused-public-model" not in rules, run.out


def test_map_draws_the_mesh(adopted: tuple[Shape, Adopted]) -> None:
    shape, mesh = adopted
    assert mesh.runs["map"].code == 0, mesh.runs["map"].output
