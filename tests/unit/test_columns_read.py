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
    assert a["star"] and a["columns"] == [
        {"name": "store_id", "line": 4, "usage": "output", "feeds": ["store_id"]}
    ]
    assert b["columns"] == UNKNOWN and "not compiled" in b["columns_reason"]
    assert reads_column(b, "order_date") and not reads_column(a, "order_date")


def test_a_column_the_only_source_lacks_is_still_read_of_it():
    assert reads(f"select id, label, nope from {ORD}") >= {"nope"}


def usage(sql: str, key=ORDERS) -> dict[str, str]:
    return dict(columns_read(sql, REGISTERED, OWN)[key].usage)


def test_a_column_projected_through_ctes_reaches_the_output_one_in_a_join_does_not() -> None:
    sql = f"""
    with orders as (select * from {ORD}),
    paid as (select order_id, sum(amount) as paid from {S} group by order_id),
    final as (
        select orders.customer_id, paid.paid
        from orders join paid on orders.order_id = paid.order_id
        where orders.store_id in (1, 2) and orders.customer_region is not null
    )
    select * from final
    """
    assert usage(sql) == {
        "customer_id": "output", "order_id": "predicate-equality",
        "store_id": "predicate-equality", "customer_region": "predicate-equality",
    }  # fmt: skip


def test_ordering_arithmetic_order_by_and_fractional_literals_are_other_predicates() -> None:
    sql = f"""
    select o.order_id from {ORD} o
    where o.total > 5 and o.store_id + 1 = 3 and o.customer_id = 1.5
    order by o.order_date
    """
    assert usage(sql) == {
        "order_id": "output", "total": "predicate", "store_id": "predicate",
        "customer_id": "predicate", "order_date": "predicate",
    }  # fmt: skip


def test_a_group_key_a_bare_condition_and_an_in_subquery_are_equality() -> None:
    sql = f"""
    select count(*) as n from {ORD} o
    where o.customer_region and o.customer_id in (select c.customer_id from {C} c)
    group by o.store_id
    """
    assert usage(sql) == {
        "customer_region": "predicate-equality", "customer_id": "predicate-equality",
        "store_id": "predicate-equality",
    }  # fmt: skip
    assert usage(sql, CUSTOMERS) == {"customer_id": "predicate-equality"}


def test_a_computed_cte_column_compared_later_is_not_a_plain_equality() -> None:
    sql = f"""
    with o as (select order_id + 0 as k, store_id as s from {ORD})
    select count(*) as n from o where o.k = 1 and o.s = 2
    """
    assert usage(sql) == {"order_id": "predicate", "store_id": "predicate-equality"}


def test_a_column_both_projected_and_filtered_reaches_the_output() -> None:
    sql = f"select store_id, max(total) as t from {ORD} where store_id = 1 group by store_id"
    assert usage(sql) == {"store_id": "output", "total": "output"}


def test_union_branches_and_window_specs_reach_the_output() -> None:
    union = f"(select order_id as k from {ORD} union all select payment_id from {S}) as u"
    assert usage(f"select count(*) as n from {union} where k = 1") == {
        "order_id": "predicate-equality"
    }
    assert usage(f"select k from {union} where k = 1") == {"order_id": "output"}
    sql = f"select row_number() over (partition by store_id order by total) as rn from {ORD}"
    assert usage(sql) == {"store_id": "output", "total": "output"}


def feeds(sql: str, key=ORDERS) -> dict[str, set[str]]:
    return {c: set(f) for c, f in columns_read(sql, REGISTERED, OWN)[key].feeds.items()}


def test_each_producer_column_names_the_output_columns_it_feeds() -> None:
    sql = f"""
    with o as (select customer_id, order_date, total from {ORD}),
    per_customer as (
        select customer_id as cid, min(order_date) as first_order, max(order_date) as last_order,
            sum(total) filter (where total > 0) as spent
        from o group by customer_id
    )
    select cid, first_order, last_order, spent * 2 as spent_twice from per_customer
    """
    assert feeds(sql) == {
        "customer_id": {"cid"}, "order_date": {"first_order", "last_order"},
        "total": {"spent_twice"},
    }  # fmt: skip


def test_a_read_the_walk_cannot_follow_makes_every_column_reach_the_output() -> None:
    sql = f"""
    select o.order_id from {ORD} o, lateral (select o.store_id as s) as l
    where l.s = 1 and o.customer_id = 3
    """
    assert usage(sql) == {"order_id": "output", "store_id": "output", "customer_id": "output"}
