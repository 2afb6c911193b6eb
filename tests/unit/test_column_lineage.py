"""Column lineage one hop each way, regrouped from edges (no SQL)."""

from __future__ import annotations

from support.fake_manifest import edge

from datamesh.manifest.column_lineage import downstream_columns, upstream_columns


def _with_feeds(record: dict, feeds: dict[str, list[str]]) -> dict:
    for column in record["columns"]:
        column["feeds"] = feeds.get(column["name"], [])
    return record


def test_upstream_and_downstream_columns() -> None:
    activity = _with_feeds(
        edge("marketing.activity", "sales.orders", columns=["order_date", "order_id"]),
        {"order_date": ["first_order", "last_order"]},
    )
    pinned = _with_feeds(
        edge("finance.costs", "sales.orders", 2, columns=["order_date"]),
        {"order_date": ["day"]},
    )
    unresolved = edge("finance.other", "sales.orders")
    edges = [activity, pinned, unresolved]
    assert upstream_columns(edges) == {
        "model.marketing.activity": {
            "first_order": ["sales.orders.order_date"], "last_order": ["sales.orders.order_date"],
        },
        "model.finance.costs": {"day": ["sales.orders v2.order_date"]},
    }  # fmt: skip
    assert downstream_columns(edges) == {
        "model.sales.orders": {
            "order_date": ["marketing.activity.first_order", "marketing.activity.last_order"],
            "order_id": ["marketing.activity (in a predicate)"],
            "*": ["finance.other (columns not resolved)"],
        },
        "model.sales.orders.v2": {"order_date": ["finance.costs.day"]},
    }  # fmt: skip
