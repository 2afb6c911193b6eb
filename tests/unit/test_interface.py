"""Extracting a domain's interface and cross-domain edges from a dbt manifest dict."""

from __future__ import annotations

from datamesh.manifest.interface import (
    cross_domain_edges,
    non_public_nodes,
    own_models,
    public_models,
)
from datamesh.manifest.parse_errors import describe_non_public


def dbt_manifest() -> dict:
    def model(name, version=None, access="protected", refs=(), depends=(), **extra):
        uid = f"model.sales.{name}" + (f".v{version}" if version else "")
        return uid, {
            "unique_id": uid, "resource_type": "model", "package_name": "sales", "name": name,
            "version": version, "latest_version": extra.get("latest"), "access": access,
            "group": "orders_team", "config": {"contract": {"enforced": access == "public"},
                                               "materialized": "table"},
            "database": "sales", "schema": "main",
            "alias": f"{name}_v{version}" if version else name,
            "relation_name": f'"sales"."main"."{name}"', "description": "d",
            "deprecation_date": extra.get("deprecation"),
            "columns": {"order_id": {"name": "order_id", "data_type": "integer", "description": "k",
                                     "constraints": [{"type": "not_null"}]}},
            "constraints": [{"type": "primary_key", "columns": ["order_id"]}],
            "refs": list(refs), "depends_on": {"nodes": list(depends)},
            "original_file_path": f"models/{name}.sql", "patch_path": f"sales://models/{name}.yml",
        }  # fmt: skip

    nodes = dict(
        [
            model("fct_orders", 1, "public", latest=2, deprecation="2027-01-01 00:00:00"),
            model("fct_orders", 2, "public", latest=2),
            model(
                "int_orders",
                refs=[
                    {"name": "dim_customers", "package": "customers", "version": 2},
                    {"name": "dim_products", "package": "catalog", "version": None},
                    {"name": "stg_orders", "package": None, "version": None},
                ],
                depends=[
                    "model.customers.dim_customers.v2",
                    "model.catalog.dim_products",
                    "model.sales.stg_orders",
                ],
            ),
        ]
    )
    nodes["model.customers.dim_customers.v2"] = {
        "unique_id": "model.customers.dim_customers.v2", "resource_type": "model",
        "package_name": "customers", "name": "dim_customers", "access": "public",
    }  # fmt: skip
    nodes["test.sales.unique_fct_orders_order_id.abc"] = {
        "resource_type": "test", "attached_node": "model.sales.fct_orders.v2",
        "column_name": "order_id", "config": {"severity": "ERROR"},
        "test_metadata": {"name": "unique", "kwargs": {"column_name": "order_id", "model": "x"}},
    }  # fmt: skip
    groups = {
        "group.sales.orders_team": {
            "name": "orders_team", "package_name": "sales",
            "owner": {"name": "Orders", "email": "orders@example.com"},
        }
    }  # fmt: skip
    return {"nodes": nodes, "groups": groups, "exposures": {}}


def test_injected_upstream_nodes_are_not_own_models() -> None:
    ids = [n["unique_id"] for n in own_models(dbt_manifest(), "sales")]
    assert "model.customers.dim_customers.v2" not in ids
    assert len(ids) == 3


def test_public_models_one_record_per_version() -> None:
    records = {r["unique_id"]: r for r in public_models(dbt_manifest(), "sales")}
    assert set(records) == {"model.sales.fct_orders.v1", "model.sales.fct_orders.v2"}
    v1, v2 = records["model.sales.fct_orders.v1"], records["model.sales.fct_orders.v2"]
    assert v1["is_latest"] is False and v2["is_latest"] is True
    assert v1["deprecation_date"] == "2027-01-01T00:00:00"
    assert v2["owner"] == {"name": "Orders", "email": "orders@example.com"}
    assert v2["columns"][0]["constraints"] == ["not_null", "primary_key"]
    assert v2["contract_enforced"] is True
    assert v2["identifier"] == "fct_orders_v2"
    assert v2["yaml_file"] == "models/fct_orders.yml"
    assert v2["data_tests"] == [
        {"type": "unique", "column": "order_id", "kwargs": {}, "severity": "error"}
    ]


def test_edges_as_dbt_resolved_them() -> None:
    edges = cross_domain_edges(dbt_manifest(), "sales")
    assert [(e["producer"]["unique_id"], e["pinned"]) for e in edges] == [
        ("model.catalog.dim_products", False),
        ("model.customers.dim_customers.v2", True),
    ]
    pinned = edges[1]
    assert pinned["producer"]["version"] == 2
    assert pinned["consumer"] == {
        "domain": "sales",
        "model": "int_orders",
        "version": None,
        "unique_id": "model.sales.int_orders",
        "file": "models/int_orders.sql",
    }


def test_parse_failure_explains_undeclared_domain(tmp_path) -> None:
    from dbt_errors import dbt_ref_error

    from datamesh.discover.graph import DomainGraph
    from datamesh.discover.projects import Domain
    from datamesh.manifest.parse_errors import classify_parse_failure

    sales = Domain("sales", tmp_path / "sales", "sales", ("customers",))
    finance = Domain("finance", tmp_path / "finance", "finance", ())
    customers = Domain("customers", tmp_path / "customers", "customers", ())
    graph = DomainGraph({d.name: d for d in (sales, finance, customers)})

    def explain_parse_failure(package: str) -> str:
        error = dbt_ref_error(package, "fct_payments")  # from models/marts/peek.sql
        return classify_parse_failure(error, sales, graph).message()

    explained = explain_parse_failure("finance")
    assert "not declared in" in explained and "dependencies.yml" in explained
    assert "domain 'sales' refs domain 'finance', which is not declared in " in explained
    assert f"not declared in {sales.dependencies_file} (add '- name: finance'" in explained
    assert "models/marts/peek.sql" in explained
    assert "not a public model of domain 'customers'" not in explained
    (customers.path / "models").mkdir(parents=True)
    (customers.path / "models" / "fct_payments.sql").write_text("select 1 as id\n")
    assert "not a public model of domain 'customers'" in explain_parse_failure("customers")
    assert "'nowhere' is not a domain" in explain_parse_failure("nowhere")


def _consumer(refs: list[dict], depends: list[str]) -> dict:
    return {
        "unique_id": "model.revenue.totals", "resource_type": "model",
        "package_name": "revenue", "name": "totals", "refs": refs,
        "depends_on": {"nodes": depends}, "original_file_path": "models/totals.sql",
    }  # fmt: skip


def test_a_single_argument_ref_dbt_resolved_upstream_is_an_edge() -> None:
    injected = {
        "unique_id": "model.shop.orders", "resource_type": "model", "package_name": "shop",
        "name": "orders", "original_file_path": "", "path": "",
    }  # fmt: skip
    manifest = {
        "nodes": {
            "model.revenue.totals": _consumer(
                [{"name": "orders", "package": None, "version": None}], ["model.shop.orders"]
            ),
            "model.shop.orders": injected,
        }
    }
    [edge] = cross_domain_edges(manifest, "revenue")
    assert (edge["producer"]["domain"], edge["producer"]["model"]) == ("shop", "orders")
    assert (edge["kind"], edge["pinned"]) == ("ref", False)


def test_models_of_a_local_package_are_package_edges_only_when_it_is_a_domain() -> None:
    def installed(package: str) -> dict:
        return {"unique_id": f"model.{package}.orders", "resource_type": "model",
                "package_name": package, "name": "orders",
                "original_file_path": "models/orders.sql", "path": "orders.sql"}  # fmt: skip

    manifest = {
        "nodes": {
            "model.revenue.totals": _consumer(
                [{"name": "orders", "package": None, "version": None}],
                ["model.shop.orders", "model.audit_helpers.orders"],
            ),
            "model.shop.orders": installed("shop"),
            "model.audit_helpers.orders": installed("audit_helpers"),
        }
    }
    edges = cross_domain_edges(manifest, "revenue", package_domains=("shop",))
    assert [(e["producer"]["unique_id"], e["kind"]) for e in edges] == [
        ("model.shop.orders", "package")
    ]
    assert cross_domain_edges(manifest, "revenue") == []


def test_non_public_nodes_say_what_each_is_and_describe_a_wrong_ref() -> None:
    manifest = dbt_manifest()
    manifest["nodes"]["model.sales.int_orders"]["access"] = "private"
    manifest["nodes"]["seed.sales.raw_orders"] = {
        "unique_id": "seed.sales.raw_orders", "resource_type": "seed", "package_name": "sales",
        "name": "raw_orders", "config": {},
    }  # fmt: skip
    listed = non_public_nodes(manifest, "sales")
    assert listed == [
        {"name": "int_orders", "version": None, "resource_type": "model", "access": "private",
         "group": "orders_team"},
        {"name": "raw_orders", "version": None, "resource_type": "seed", "access": None,
         "group": None},
    ]  # fmt: skip
    interface = {"models": public_models(manifest, "sales"), "non_public": listed}
    assert describe_non_public(interface, "raw_orders") == "seed"
    assert describe_non_public(interface, "int_orders") == "private model of group 'orders_team'"
    listed[0].update(access="protected")
    assert describe_non_public(interface, "int_orders") == "protected model"
    assert describe_non_public(interface, "fct_orders") is None  # public
    assert describe_non_public(None, "raw_orders") is None  # an interface from before the list
