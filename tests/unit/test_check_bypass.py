"""``relation-bypass``'s SQL analysis on small strings: what counts as reading past ``ref``."""

from __future__ import annotations

from pathlib import Path

import pytest

from datamesh.check.bypass import UnparsableSql, foreign_relations, line_of, source_target
from datamesh.check.compiled import DeclaredSource
from datamesh.warehouse import Warehouse

DOMAINS = ["sales", "customers", "marketing"]


def shown(sql: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [r.shown for r in foreign_relations(sql, DOMAINS, "marketing", allowed)]


def test_a_ref_rendered_relation_is_allowed() -> None:
    sql = 'select * from "sales"."main"."fct_orders"'
    assert shown(sql, ('"sales"."main"."fct_orders"',)) == []


def test_the_same_relation_without_the_ref_is_caught() -> None:
    assert shown('select * from "sales"."main"."fct_orders"') == ["sales.main.fct_orders"]


def test_a_literal_three_part_name_is_caught() -> None:
    assert shown("select * from sales.main.fct_orders") == ["sales.main.fct_orders"]


def test_a_literal_beside_an_allowed_ref_is_still_caught() -> None:
    sql = (
        'select * from "sales"."main"."fct_orders" as o '
        "join sales.main.fct_order_items as i on o.id = i.order_id"
    )
    assert shown(sql, ('"sales"."main"."fct_orders"',)) == ["sales.main.fct_order_items"]


def test_a_two_part_name_is_caught() -> None:
    assert shown("select * from sales.fct_orders") == ["sales.fct_orders"]


def test_a_cte_named_like_a_domain_is_not_a_table() -> None:
    sql = (
        "with sales as (select 1 as id), customers as (select 1 as id) "
        "select sales.id, customers.id as c from sales join customers on sales.id = customers.id"
    )
    assert shown(sql) == []


def test_subquery_and_join_are_caught() -> None:
    sql = """
        select o.id
        from (select * from sales.main.fct_orders) as o
        left join customers.main.dim_customers_v2 as c on o.customer_id = c.customer_id
        where o.id in (select order_id from sales.fct_order_items)
    """
    assert sorted(shown(sql)) == [
        "customers.main.dim_customers_v2",
        "sales.fct_order_items",
        "sales.main.fct_orders",
    ]


def test_own_catalog_other_catalogs_and_table_functions_are_not_caught() -> None:
    sql = """
        select * from marketing.main.segments
        union all select * from main.stg_x
        union all select * from system.main.duckdb_tables()
        union all select * from read_parquet('/wh/raw/sales/orders.parquet')
        union all select * from memory.main.t
    """
    assert shown(sql) == []


def test_a_relation_read_twice_is_one_finding() -> None:
    sql = "select * from sales.main.fct_orders union all select * from SALES.main.fct_orders"
    assert shown(sql) == ["sales.main.fct_orders"]


def test_unparsable_sql_raises_with_the_parsers_position() -> None:
    with pytest.raises(UnparsableSql, match="Line 1"):
        foreign_relations("select * from t where", DOMAINS, "marketing")


def test_line_of_finds_the_written_relation_quoted_or_not() -> None:
    raw = '-- reads sales\nselect *\nfrom\n    Sales . main."fct_orders"\n'
    assert line_of(raw, ("sales", "main", "fct_orders")) == 4
    assert line_of("select * from {{ var('t') }}", ("sales", "main", "fct_orders")) == 1
    assert line_of("from mysales.main.fct_orders_x\nfrom sales.main.fct_orders", (
        "sales", "main", "fct_orders")) == 2  # fmt: skip


def source(**where: str | None) -> DeclaredSource:
    fields = {"database": None, "schema": None, "external_location": None, **where}
    return DeclaredSource(name="raw.orders", file="models/_sources.yml", **fields)


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"database": "sales"}, "sales"),
        ({"database": "marketing", "schema": "main"}, None),
        ({"schema": "sales"}, "sales"),
        ({"external_location": "read_parquet('/wh/raw/marketing/{name}.parquet')"}, None),
        ({"external_location": "/wh/domains/sales/20261201/sales.duckdb"}, "sales"),
        ({"external_location": "read_json('/wh/registry/sales.json')"}, "registry"),
        ({"external_location": "read_parquet('../../../wh/domains/customers/x/t.parquet')"},
         "customers"),
    ],
)  # fmt: skip
def test_a_source_pointing_into_another_domain(where: dict, expected: str | None) -> None:
    warehouse = Warehouse(Path("/wh"))
    folder = Path("/repo/domains/marketing")
    assert source_target(source(**where), DOMAINS, "marketing", warehouse, folder) == expected
