"""mesh init's pure parts: the --consumes spec against a registry, the owner, the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from datamesh.registry import write_interface
from datamesh.scaffold.consumes import ScaffoldError, parse_spec, resolve_consumed
from datamesh.scaffold.files import Owner, domain_files, parse_owner
from datamesh.scaffold.init_domain import init_domain
from datamesh.warehouse import Warehouse

COLUMNS = [
    {"name": "order_id", "data_type": "bigint", "description": "Order.",
     "constraints": ["not_null", "primary_key"]},
    {"name": "total", "data_type": "double", "description": "", "constraints": []},
]  # fmt: skip


def _model(name: str, version: int | None, latest: int | None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "version": version, "latest_version": latest, "access": "public",
            "is_latest": version == latest, "columns": COLUMNS, "description": "Orders.",
            **extra}  # fmt: skip


@pytest.fixture
def warehouse(tmp_path: Path) -> Warehouse:
    warehouse = Warehouse(tmp_path / "wh")
    models = [_model("orders", 1, 2), _model("orders", 2, 2), _model("flat", None, None),
              {**_model("secret", None, None), "access": "protected"}]  # fmt: skip
    write_interface(warehouse.registry_dir, {"domain": "sales", "models": models})
    return warehouse


def _project(root: Path, name: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "dbt_project.yml").write_text(f"name: {name}\nprofile: {name}\n")


def test_spec_names_domain_model_and_optional_version() -> None:
    assert parse_spec("sales.fct_orders") == ("sales", "fct_orders", None)
    assert parse_spec("customers.dim_customers@2") == ("customers", "dim_customers", "2")
    with pytest.raises(ScaffoldError, match="expected <domain>.<model>"):
        parse_spec("fct_orders")


def test_owner_from_name_and_email() -> None:
    assert parse_owner("Ada Lovelace <ada@x.org>") == Owner("Ada Lovelace", "ada@x.org")
    assert parse_owner("ada@x.org") == Owner("ada@x.org", "ada@x.org")
    assert parse_owner("Data Team") == Owner("Data Team")


def test_latest_version_is_pinned_and_a_given_one_kept(warehouse: Warehouse) -> None:
    assert resolve_consumed("sales.orders", warehouse, {"sales"}).ref == (
        "ref('sales', 'orders', v=2)"
    )
    assert resolve_consumed("sales.orders@1", warehouse, {"sales"}).version == "1"
    assert resolve_consumed("sales.flat", warehouse, {"sales"}).ref == "ref('sales', 'flat')"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("shop.orders", "unknown producer domain 'shop'"),
        ("sales.nothing", "publishes no public model 'nothing' (its public models: flat, orders)"),
        ("sales.secret", "publishes no public model 'secret'"),
        ("sales.orders@3", "'sales.orders' has no version 3 (versions: 1, 2)"),
        ("finance.x", "domain 'finance' has no published interface"),
    ],
)
def test_unknown_producer_model_or_version_is_named(
    warehouse: Warehouse, spec: str, message: str
) -> None:
    with pytest.raises(ScaffoldError, match=f"--consumes {spec}: .*") as caught:
        resolve_consumed(spec, warehouse, {"sales", "finance"})
    assert message in str(caught.value)


def test_files_carry_contract_columns_owner_and_publish_stub(warehouse: Warehouse) -> None:
    consumed = (resolve_consumed("sales.orders", warehouse, {"sales"}),)
    files = domain_files("loyalty", "Loyalty.", Owner("L Team", "l@x.org"), consumed)
    mart = yaml.safe_load(files["models/marts/loyalty_orders.yml"])["models"][0]
    assert mart["access"] == "public" and mart["config"] == {"contract": {"enforced": True}}
    assert [(c["name"], c["data_type"]) for c in mart["columns"]] == [
        ("order_id", "bigint"), ("total", "double")
    ]  # fmt: skip
    assert mart["columns"][0]["constraints"] == [{"type": "not_null"}, {"type": "primary_key"}]
    assert mart["columns"][1]["description"] == "total from sales.orders."  # never empty
    assert "{{ ref('sales', 'orders', v=2) }}" in files["models/marts/loyalty_orders.sql"]
    assert yaml.safe_load(files["dependencies.yml"]) == {"projects": [{"name": "sales"}]}
    group = yaml.safe_load(files["models/_groups.yml"])["groups"][0]
    assert group["owner"] == {"name": "L Team", "email": "l@x.org"}
    project = yaml.safe_load(files["dbt_project.yml"])
    assert project["models"]["loyalty"]["+group"] == group["name"]
    assert project["vars"]["mesh"]["description"] == "Loyalty."
    outputs = yaml.safe_load(files["profiles.yml"])["loyalty"]["outputs"]
    assert set(outputs) == {"dev", "publish"}
    expectations = yaml.safe_load(files["expectations/loyalty_orders.yml"])["expectations"]
    assert expectations[0]["type"] == "expect_table_row_count_to_be_between"


def test_a_second_consumed_model_gets_its_own_reader(warehouse: Warehouse) -> None:
    consumed = tuple(
        resolve_consumed(s, warehouse, {"sales"}) for s in ("sales.orders", "sales.flat")
    )
    files = domain_files("loyalty", "L.", Owner("L"), consumed)
    assert "{{ ref('sales', 'flat') }}" in files["models/intermediate/int_sales__flat.sql"]
    assert "dependencies.yml" in files


def test_no_consumes_reads_the_seed_and_declares_no_upstream() -> None:
    files = domain_files("solo", "Solo.", Owner("S"), ())
    assert "dependencies.yml" not in files
    assert "ref('stg_raw__items')" in files["models/marts/solo_items.sql"]
    assert "ref('raw_items')" in files["models/staging/stg_raw__items.sql"]


def test_init_refuses_an_existing_or_invalid_name(tmp_path: Path, warehouse: Warehouse) -> None:
    root = tmp_path / "domains"
    _project(root, "sales")
    with pytest.raises(ScaffoldError, match="already exists"):
        init_domain(root, warehouse, "sales", consumes=[], owner=Owner("x"), description="d")
    with pytest.raises(ScaffoldError, match="'Bad-Name'"):
        init_domain(root, warehouse, "Bad-Name", consumes=[], owner=Owner("x"), description="d")
    with pytest.raises(ScaffoldError, match="unknown producer domain 'shop'"):
        init_domain(root, warehouse, "new", consumes=["shop.x"], owner=Owner("x"),
                    description="d")  # fmt: skip
    assert not (root / "new").exists()  # nothing written when a producer is refused


def test_init_writes_every_file(tmp_path: Path, warehouse: Warehouse) -> None:
    root = tmp_path / "domains"
    _project(root, "sales")
    folder, written = init_domain(root, warehouse, "loyalty", consumes=["sales.orders"],
                                  owner=Owner("L"), description="d")  # fmt: skip
    assert folder == root / "loyalty"
    assert {p.relative_to(folder).as_posix() for p in written} >= {
        "dbt_project.yml", "dependencies.yml", "models/marts/loyalty_orders.sql",
        "expectations/loyalty_orders.yml", "seeds/raw_items.csv",
    }  # fmt: skip
    assert all(p.is_file() for p in written)


def test_a_producer_only_parsed_is_read_from_the_mesh_manifest(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path / "wh")
    manifest = {"domains": [{"name": "sales", "models": [_model("orders", None, None)]}]}
    warehouse.root.mkdir()
    warehouse.manifest_path.write_text(json.dumps(manifest))
    consumed = resolve_consumed("sales.orders", warehouse, {"sales"})
    assert consumed.ref == "ref('sales', 'orders')" and consumed.columns[0]["name"] == "order_id"
