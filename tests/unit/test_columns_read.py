"""Which producer columns a consumer's compiled SQL reads (sqlglot, no dbt)."""

from __future__ import annotations

from datamesh.manifest.columns_read import columns_read, first_line
from datamesh.manifest.edge_columns import UNKNOWN, annotate_edges, reads_column

ORDERS = ("sales", "main", "fct_orders")
CUSTOMERS = ("customers", "main", "dim_customers_v1")
STAGING = ("finance", "main", "stg_payments")
REGISTERED = {
    ORDERS: ["order_id", "customer_id", "store_id", "order_date", "customer_region", "total"],
    CUSTOMERS: ["customer_id", "email", "region"],
}
OWN = {STAGING: ["payment_id", "order_id", "amount"]}
ORD = '"sales"."main"."fct_orders"'
C = '"customers"."main"."dim_customers_v1"'
S = '"finance"."main"."stg_payments"'


def reads(sql: str, key=ORDERS):
    found = columns_read(sql, {k: v for k, v in REGISTERED.items()}, OWN)[key]
    return None if found.columns is None else set(found.columns)


def test_select_star_reads_every_registered_column() -> None:
    assert reads(f"select * from {ORD}") == set(REGISTERED[ORDERS])


def test_cte_chain_reads_only_what_the_final_select_uses() -> None:
    sql = f"""
    with orders as (select * from {ORD}),
    per_customer as (
        select customer_id, min(order_date) as first_order, count(*) as n
        from orders group by customer_id
    )
    select * from per_customer
    """
    assert reads(sql) == {"customer_id", "order_date"}


def test_join_where_group_and_order_by_count() -> None:
    sql = f"""
    select p.payment_id, sum(p.amount) as paid
    from {S} as p join {ORD} as o on p.order_id = o.order_id
    where o.store_id = 3
    group by p.payment_id, o.customer_region
    order by max(o.total)
    """
    assert reads(sql) == {"order_id", "store_id", "customer_region", "total"}


def test_aliases_and_two_producers_are_told_apart() -> None:
    sql = f"select c.email, ord.order_id from {ORD} ord join {C} c using (customer_id)"
    assert reads(sql) == {"order_id", "customer_id"}
    assert reads(sql, CUSTOMERS) == {"email", "customer_id"}


def test_union_reads_both_branches() -> None:
    sql = f"select order_id, store_id from {ORD} union all select payment_id, order_id from {S}"
    assert reads(sql) == {"order_id", "store_id"}


def test_window_function_partition_and_order_columns_count() -> None:
    sql = f"""
    select order_id, row_number() over (partition by customer_id order by order_date) as rn
    from {ORD}
    """
    assert reads(sql) == {"order_id", "customer_id", "order_date"}


def test_subquery_in_from_is_followed() -> None:
    sql = f"select x.cid from (select customer_id as cid, total from {ORD}) as x"
    assert reads(sql) == {"customer_id"}


def test_count_star_reads_no_column() -> None:
    assert reads(f"with o as (select * from {ORD}) select count(*) as n from o") == set()


def test_table_function_beside_a_producer_is_unknown() -> None:
    sql = f"select * from generate_series(1, 3) as g, {ORD} as o"
    assert reads(sql) is None


def test_unparsable_sql_is_unknown_not_none() -> None:
    found = columns_read("select from where", REGISTERED)[ORDERS]
    assert found.columns is None and "cannot parse" in (found.reason or "")


def test_producer_without_registered_columns_is_unknown() -> None:
    found = columns_read(f"select order_id from {ORD}", {ORDERS: None})[ORDERS]
    assert found.columns is None


def test_first_line_finds_the_word_not_a_longer_name() -> None:
    source = "select\n    order_date_key,\n    orders.order_date\nfrom x\n"
    assert first_line(source, ["order_date"]) == 3


def _edge(consumer: str, producer_id: str) -> dict:
    return {
        "consumer": {"domain": "finance", "model": consumer, "version": None,
                     "unique_id": f"model.finance.{consumer}", "file": f"models/{consumer}.sql"},
        "producer": {"domain": "sales", "model": "fct_orders", "version": None,
                     "unique_id": producer_id},
        "pinned": False,
    }  # fmt: skip


def test_edges_carry_columns_with_lines_and_unknown_when_not_compiled() -> None:
    raw = (
        "with o as (\n  select * from {{ ref('sales', 'fct_orders') }}\n)\nselect store_id from o\n"
    )
    dbt_manifest = {
        "nodes": {
            "model.sales.fct_orders": {"relation_name": ORD, "resource_type": "model"},
            "model.finance.a": {
                "unique_id": "model.finance.a", "resource_type": "model",
                "package_name": "finance", "raw_code": raw,
                "compiled_code": f"with o as (select * from {ORD}) select store_id from o",
            },
            "model.finance.b": {
                "unique_id": "model.finance.b", "resource_type": "model",
                "package_name": "finance", "raw_code": raw,
            },
        }
    }  # fmt: skip
    interfaces = [{"models": [{"unique_id": "model.sales.fct_orders",
                               "columns": [{"name": n} for n in REGISTERED[ORDERS]]}]}]  # fmt: skip
    edges = [_edge("a", "model.sales.fct_orders"), _edge("b", "model.sales.fct_orders")]
    a, b = annotate_edges(edges, dbt_manifest, "finance", interfaces)
    assert a["columns"] == [{"name": "store_id", "line": 4}] and a["star"] is True
    assert b["columns"] == UNKNOWN and "not compiled" in b["columns_reason"]
    assert reads_column(b, "order_date") and not reads_column(a, "order_date")


def test_a_column_the_only_source_lacks_is_still_read_of_it():
    assert reads(f"select id, label, nope from {ORD}") >= {"nope"}
