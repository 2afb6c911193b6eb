"""Existing dbt projects build as they are: real dbt, DuckDB and Great Expectations.

``seed_sources``: jaffle's staging reads its own seeds through ``source()`` (a project built with
``dbt seed && dbt build``). ``loose_docs``: catalogue's public model has no contract and its
YAML documents two of four columns in another order. Each is built once for the module; the
error paths (refs to a seed or a protected model, three undeclared upstreams, a seed that does
not load) edit private copies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from support.cli import CliRun, MeshCli
from support.meshes import LOOSE_DOCS_MESH, SEED_SOURCES_MESH, copy_mesh

from datamesh.warehouse import Warehouse
from datamesh.write.dbt_run import dbt_executable

pytestmark = pytest.mark.integration

COMMANDS = ("manifest", "build", "check", "map")


@dataclass(frozen=True)
class Built:
    """One fixture mesh, copied, with what each command did to it (in COMMANDS order)."""

    root: Path
    warehouse: Warehouse
    runs: dict[str, CliRun]


def _build_unedited(source: Path, folder: Path) -> Built:
    root = copy_mesh(source, folder / "mesh")
    warehouse = Warehouse(folder / "warehouse")
    cli = MeshCli(root, warehouse)
    return Built(root, warehouse, {command: cli.run(command) for command in COMMANDS})


@pytest.fixture(scope="module")
def seed_sources(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build_unedited(SEED_SOURCES_MESH, tmp_path_factory.mktemp("seed_sources"))


@pytest.fixture(scope="module")
def loose_docs(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return _build_unedited(LOOSE_DOCS_MESH, tmp_path_factory.mktemp("loose_docs"))


def _statuses(warehouse: Warehouse) -> dict[str, str]:
    report = json.loads(warehouse.last_run_file.read_text())
    return {d["domain"]: d["status"] for d in report["domains"]}


def _no_traceback(run: CliRun) -> None:
    assert "Traceback" not in run.output, run.output


def test_seeds_read_as_sources_build_unedited(seed_sources: Built) -> None:
    runs, warehouse = seed_sources.runs, seed_sources.warehouse
    assert runs["manifest"].code == 0, runs["manifest"].output
    assert runs["build"].code == 0, runs["build"].output
    assert runs["check"].code in (0, 1), runs["check"].output
    assert runs["map"].code == 0, runs["map"].output
    assert _statuses(warehouse) == {"jaffle": "published", "finance": "published"}
    with duckdb.connect(str(warehouse.published_file("jaffle")), read_only=True) as con:
        rows = con.execute("select * from orders order by order_id").fetchall()
    assert rows == [(10, "ann", 10.5), (11, "bob", 20.0), (12, "ann", 4.5), (13, "cat", 7.0)]
    # the seed step ran for jaffle (its sources read its seeds) and for no one else
    seed_log = (warehouse.log_dir("jaffle") / "seed.log").read_text()
    assert "raw_customers" in seed_log and "raw_orders" in seed_log
    assert not (warehouse.log_dir("finance") / "seed.log").exists()


def test_uncontracted_public_model_publishes_with_its_column_warnings(loose_docs: Built) -> None:
    runs, warehouse = loose_docs.runs, loose_docs.warehouse
    assert runs["manifest"].code == 0, runs["manifest"].output
    assert runs["build"].code == 0, runs["build"].output
    assert runs["check"].code in (0, 1), runs["check"].output
    assert "public-contract" in runs["check"].output  # governance says what to do
    assert runs["map"].code == 0, runs["map"].output
    report = json.loads(warehouse.last_run_file.read_text())
    (catalogue,) = report["domains"]
    assert catalogue["status"] == "published"
    assert catalogue["warnings"] == [
        "model.catalogue.products: expect_table_columns_to_match_ordered_list(['price', 'sku']): "
        "observed ['sku', 'product_name', 'price', 'is_food']"
    ]
    assert f"catalogue: audit warning: {catalogue['warnings'][0]}" in runs["build"].out
    with duckdb.connect(str(warehouse.published_file("catalogue")), read_only=True) as con:
        assert con.execute("select count(*) from products").fetchone() == (3,)
    assert not (warehouse.log_dir("catalogue") / "seed.log").exists()  # no source reads a seed


def test_a_seed_that_does_not_load_fails_its_domain_naming_the_seed(tmp_path: Path) -> None:
    root = copy_mesh(SEED_SOURCES_MESH, tmp_path / "mesh")
    seed = root / "jaffle" / "seeds" / "raw_orders.csv"
    seed.write_text(seed.read_text() + "14,1,1.0,one value too many\n")
    warehouse = Warehouse(tmp_path / "warehouse")

    run = MeshCli(root, warehouse).run("build")

    assert run.code == 1, run.output
    _no_traceback(run)
    report = json.loads(warehouse.last_run_file.read_text())
    jaffle = next(d for d in report["domains"] if d["domain"] == "jaffle")
    assert jaffle["status"] == "failed"
    assert jaffle["reason"].startswith(
        "dbt build failed: seed 'raw_orders' (seeds/raw_orders.csv), which a source() of the "
        "project reads, failed to load:"
    ), jaffle["reason"]
    assert _statuses(warehouse)["finance"] == "blocked"


def _consumer_refs(root: Path, producer: str, target: str) -> None:
    (root / "finance" / "models" / "peek.sql").write_text(
        f"select count(*) as n from {{{{ ref('{producer}', '{target}') }}}}\n"
    )


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("raw_orders", "which is not a public model of domain 'jaffle' but a seed: a seed "
         "cannot be referenced across domains; select it in a model of 'jaffle' made public"),
        ("stg_jaffle__orders", "which is not a public model of domain 'jaffle' but a protected "
         "model: only public models can be referenced across domains; make it public there "
         "(access: public, contract: {enforced: true}) or ref a public model of 'jaffle'"),
    ],
)  # fmt: skip
def test_a_ref_to_a_seed_or_protected_model_says_what_it_is(
    target: str, what: str, tmp_path: Path
) -> None:
    root = copy_mesh(SEED_SOURCES_MESH, tmp_path / "mesh")
    _consumer_refs(root, "jaffle", target)
    cli = MeshCli(root, Warehouse(tmp_path / "warehouse"))

    run = cli.run("manifest")

    assert run.code == 2, run.output
    _no_traceback(run)
    assert f"finance.peek (models/peek.sql) refs jaffle.{target}, {what}" in run.err
    assert "was not found" in run.err  # dbt's own words follow
    check = cli.run("check")
    assert check.code == 1, check.output
    assert "ref-not-public" in check.output and what in " ".join(check.output.split())


def test_dbt_in_the_domain_and_mesh_build_say_the_ref_names_a_seed(
    seed_sources: Built, tmp_path: Path
) -> None:
    root = copy_mesh(SEED_SOURCES_MESH, tmp_path / "mesh")
    _consumer_refs(root, "jaffle", "raw_orders")
    env = {
        **os.environ,
        "MESH_WAREHOUSE": str(seed_sources.warehouse.root),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    profiles = seed_sources.warehouse.profiles_dir("finance")
    done = subprocess.run(
        [dbt_executable(), "parse", "--profiles-dir", str(profiles)],
        cwd=root / "finance", env=env, capture_output=True, text=True,
    )  # fmt: skip
    output = " ".join((done.stdout + done.stderr).split())
    sentence = (
        "finance.peek (models/peek.sql) refs jaffle.raw_orders, which is not a public model of "
        "domain 'jaffle' but a seed"
    )
    assert done.returncode != 0
    assert sentence in output, output

    # mesh build says the same, on a copy of the built warehouse (jaffle is not rebuilt)
    warehouse = Warehouse(tmp_path / "warehouse")
    shutil.copytree(seed_sources.warehouse.root, warehouse.root)
    run = MeshCli(root, warehouse).run("build", "-s", "finance")
    assert run.code == 1, run.output
    _no_traceback(run)
    finance = json.loads(warehouse.last_run_file.read_text())["domains"][0]
    assert (finance["domain"], finance["status"]) == ("finance", "failed")
    assert finance["reason"].startswith(f"dbt build failed: {sentence}"), finance["reason"]


def test_manifest_reports_every_domain_that_fails_in_one_run(tmp_path: Path) -> None:
    root = copy_mesh(SEED_SOURCES_MESH, tmp_path / "mesh")
    (root / "finance" / "dependencies.yml").unlink()
    for name in ("ledger", "payroll"):
        shutil.copytree(root / "finance", root / name)
        project = root / name / "dbt_project.yml"
        project.write_text(project.read_text().replace("finance", name))
    cli = MeshCli(root, Warehouse(tmp_path / "warehouse"))

    run = cli.run("manifest")

    assert run.code == 2, run.output
    _no_traceback(run)
    lines = run.err.strip().splitlines()
    assert lines[0] == "mesh manifest: error: 3 domains failed to parse:"
    for line, name in zip(lines[1:], ("finance", "ledger", "payroll"), strict=True):
        assert line.startswith(f"  domain '{name}' ({root / name / 'dbt_project.yml'}): "), line
        assert (
            f"{name}.revenue_by_customer (models/revenue_by_customer.sql) refs jaffle.orders: "
            f"domain '{name}' refs domain 'jaffle', which is not declared in" in line
        )
    check = cli.run("check")
    assert check.code == 1, check.output
    assert check.output.count("ref-undeclared-domain") >= 3
