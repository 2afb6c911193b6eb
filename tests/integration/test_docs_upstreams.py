"""``mesh docs``: a consumer's dbt docs document its upstream models (real dbt, tiny mesh).

dbt alone leaves the injected upstream nodes bare ("not currently documented"); after
``mesh docs`` the manifest and catalog carry the producer's description, owner, columns with
descriptions and types, contract and version from the registry.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import MeshCli
from support.meshes import TINY_MESH, copy_mesh

from datamesh.discover.graph import DomainGraph
from datamesh.discover.projects import discover_domains
from datamesh.manifest.parse import generate_docs
from datamesh.warehouse import Warehouse

pytestmark = pytest.mark.integration

THINGS = "model.alpha.things.v2"


def test_upstream_nodes_are_documented_from_the_registry(tmp_path: Path, monkeypatch) -> None:
    root = copy_mesh(TINY_MESH, tmp_path / "domains")
    warehouse = Warehouse(tmp_path / "wh")
    monkeypatch.setenv("MESH_WAREHOUSE", str(warehouse.root))
    cli = MeshCli(root, warehouse)
    assert cli.run("docs", "beta").code == 2  # alpha never published: said, not a traceback
    assert cli.run("build", "-q").code == 0

    # What dbt itself writes: the injected node is bare.
    graph = DomainGraph.from_domains(discover_domains(root))
    bare = generate_docs(graph.domains["beta"], warehouse, graph, tmp_path / "bare")
    bare_node = json.loads((bare / "manifest.json").read_text())["nodes"][THINGS]
    assert bare_node["description"] == "" and bare_node["columns"] == {}

    run = cli.run("docs", "beta")
    assert run.code == 0, run.output
    folder = warehouse.docs_dir("beta")
    assert THINGS in run.out and str(folder) in run.out
    node = json.loads((folder / "manifest.json").read_text())["nodes"][THINGS]
    assert node["description"] == "Things alpha publishes."
    assert {n: (c["data_type"], c["description"]) for n, c in node["columns"].items()} == {
        "id": ("integer", "Key."), "label": ("varchar", "Label."),
        # beta_summary's sum(score) as total_score: the column's lineage, one hop down
        "score": ("integer", "Score.\n\n- read by `beta.beta_summary.total_score`"),
    }  # fmt: skip
    assert node["contract"]["enforced"] is True
    assert (node["version"], node["latest_version"], node["access"]) == (2, 2, "public")
    assert node["group"] == "team_alpha" and node["meta"]["owner"]
    v1 = json.loads((folder / "manifest.json").read_text())["nodes"]["model.alpha.things.v1"]
    assert list(v1["columns"]) == ["id", "label"]  # each version its own columns
    catalog = json.loads((folder / "catalog.json").read_text())["nodes"][THINGS]
    assert catalog["columns"]["score"]["type"] == "integer"
    assert catalog["metadata"]["comment"] == "Things alpha publishes."
    page = (folder / "static_index.html").read_text()
    assert "Things alpha publishes." in page and "MANIFEST.JSON INLINE DATA" not in page


def _lineage(manifest_file: Path, unique_id: str, column: str) -> dict:
    node = json.loads(manifest_file.read_text())["nodes"][unique_id]
    entry = node["columns"][column]
    return {**entry["meta"]["mesh_lineage"], "description": entry["description"]}


def test_column_lineage_across_domains_in_the_docs_and_in_impact(built_mesh, tmp_path: Path):
    """marketing.int_customer_activity derives first/last_order_date from sales.fct_orders's
    order_date: one hop each way in both domains' docs, and per column in ``mesh impact``."""
    mesh = built_mesh.copy_to(tmp_path)
    cli = MeshCli(mesh.root, mesh.warehouse)
    activity, orders = "model.marketing.int_customer_activity", "model.sales.fct_orders"
    readers = ["marketing.int_customer_activity.first_order_date",
               "marketing.int_customer_activity.last_order_date"]  # fmt: skip

    assert cli.run("docs", "marketing").code == 0
    marketing = mesh.warehouse.docs_dir("marketing") / "manifest.json"
    first = _lineage(marketing, activity, "first_order_date")
    assert first["from"] == ["sales.fct_orders.order_date"]
    assert "- from `sales.fct_orders.order_date`" in first["description"]
    upstream = _lineage(marketing, orders, "order_date")  # the injected producer node
    assert set(readers) <= set(upstream["read_by"])
    # read only in a join: no output column, said so
    assert (
        "marketing.int_customer_activity (in a predicate)"
        in _lineage(marketing, "model.finance.fct_payments", "is_successful")["read_by"]
    )

    assert cli.run("docs", "sales").code == 0  # downstream from marketing's registry entry
    own = _lineage(mesh.warehouse.docs_dir("sales") / "manifest.json", orders, "order_date")
    assert set(readers) <= set(own["read_by"])
    assert "- read by `marketing.int_customer_activity.first_order_date`" in own["description"]

    run = cli.run("impact", "sales.fct_orders.order_date", "--format", "json")
    assert run.code == 0, run.output
    (reader,) = [r for r in json.loads(run.out)["readers"] if r["model"] == "int_customer_activity"]
    assert reader["lineage"] == [{"column": "order_date", "usage": "output", "feeds": readers}]
