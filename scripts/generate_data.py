"""Generate the raw landing Parquet files that the domain dbt projects read as sources.

Every file is written by one DuckDB ``COPY (SELECT ... FROM range(n)) TO ... (FORMAT parquet)``.
Pseudo-randomness comes from ``hash(row index, seed, salt)``, never ``random()``, so the same
arguments always produce the same data, however many threads DuckDB uses.

The data is deliberately a little messy, the way landing data is: exact duplicate rows in
customers and orders, mixed-case and space-padded emails, money in integer cents, region codes
instead of names, source-system codes for channels and payment methods, and nulls where a source
system would leave them (customer phone and region, store ``closed_at``).

Usage::

    python scripts/generate_data.py --orders 20000 [--warehouse DIR] [--as-of YYYY-MM-DD] [--seed S]
"""

from __future__ import annotations

import argparse
import math
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from datamesh.warehouse import default_warehouse

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ORDERS = 20_000
DEFAULT_SEED = 42
HISTORY_DAYS = 730
MAX_ITEMS_PER_ORDER = 4

# (file key, relative path) in the order they are written; later files read earlier ones.
RAW_FILES: dict[str, str] = {
    "customers": "raw/customers/customers.parquet",
    "products": "raw/catalog/products.parquet",
    "stores": "raw/catalog/stores.parquet",
    "supplies": "raw/catalog/supplies.parquet",
    "orders": "raw/sales/orders.parquet",
    "order_items": "raw/sales/order_items.parquet",
    "payments": "raw/finance/payments.parquet",
}


def _words(text: str, sep: str | None = None) -> list[str]:
    """Split a compact word list (keeps the constant tables short)."""
    return text.split(sep)


FIRST_NAMES = _words(
    "Olivia Liam Emma Noah Amelia Oliver Ava Elijah Sophia Mateo Isabella Lucas Mia Levi "
    "Charlotte Asher Luna James Harper Leo Evelyn Ezra Aria Kai Nora Aiden Zoe Hiro Priya Omar"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Nguyen "
    "Patel Kim"
)
EMAIL_DOMAINS = _words("gmail.com yahoo.com outlook.com icloud.com proton.me example.com")
REGION_CODES = _words("NE SE MW SW W")
# (city, region); stores cycle through these, a 13th store is "Philadelphia 2" and so on.
CITIES = [
    tuple(pair.split(":"))
    for pair in _words(
        "Philadelphia:Northeast,Brooklyn:Northeast,Boston:Northeast,Atlanta:Southeast,"
        "Miami:Southeast,Chicago:Midwest,Minneapolis:Midwest,Austin:Southwest,"
        "Phoenix:Southwest,San Francisco:West,Seattle:West,Denver:West",
        ",",
    )
]
# category -> (product nouns, min price cents, price spread cents)
CATEGORIES = {
    "jaffle": (["Jaffle", "Toastie", "Melt", "Pocket"], 700, 600),
    "side": (["Fries", "Salad", "Soup", "Slaw"], 300, 400),
    "dessert": (["Brownie", "Cookie", "Tart", "Sundae"], 300, 500),
    "beverage": (["Cold Brew", "Latte", "Lemonade", "Iced Tea", "Smoothie"], 250, 450),
    "merch": (["Mug", "Tote", "Tee", "Cap"], 1200, 2000),
}
ADJECTIVES = _words("Classic Spicy Smoky Garden Truffle Maple Tropical Nutty Double Vanilla Berry")
SUPPLIES = _words(
    "bread,cheese,ham,tomato,spinach,coffee beans,milk,oat milk,lemon,sugar,cup,lid,napkin,"
    "paper bag,chocolate,butter,cotton,ceramic blank,ink",
    ",",
)


def _sql_list(values: list[str]) -> str:
    """Render Python strings as a DuckDB list literal."""
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"[{quoted}]"


def _pick(values: list[str], key: str) -> str:
    """SQL expression choosing one of ``values`` from a non-negative integer expression."""
    return f"{_sql_list(values)}[1 + (({key}) % {len(values)})::integer]"


def _rand(index: str, seed: int, salt: int) -> str:
    """SQL expression for a deterministic pseudo-random UBIGINT from a row index."""
    return f"hash({index}, {seed}, {salt})"


def catalog_sizes(orders: int) -> tuple[int, int]:
    """Number of products and stores; both grow slowly (logarithmically) with order volume."""
    steps = max(0, math.floor(math.log2(max(orders, 1) / DEFAULT_ORDERS)))
    return 60 + 4 * steps, 12 + steps


def _queries(paths: dict[str, str], orders: int, as_of: date, seed: int) -> dict[str, str]:
    """Build one SELECT per raw file, keyed like ``RAW_FILES``."""
    s = seed
    customers = max(10, orders // 8)
    customer_dupes = max(1, customers // 100)
    order_dupes = max(1, orders // 200)
    n_products, n_stores = catalog_sizes(orders)
    start = f"(date '{as_of.isoformat()}' - interval {HISTORY_DAYS - 1} day)"
    # Customers sign up from one year before the order history until its end; customer ids
    # follow signup time, so an order only picks customers who had signed up by then.
    signup_span_days = 365 + HISTORY_DAYS

    categories = list(CATEGORIES)
    q: dict[str, str] = {}

    q["customers"] = f"""
        with ids as (
            select cast(case when i < {customers} then i
                             else {_rand("i", s, 1)} % {customers} end as bigint) as c
            from range({customers + customer_dupes}) as t(i)
        ), base as (
            select
                c + 1 as id,
                {_pick(FIRST_NAMES, _rand("c", s, 2))} as first_name,
                {_pick(LAST_NAMES, _rand("c", s, 3))} as last_name,
                {_rand("c", s, 4)} as h
            from ids
        )
        select
            id,
            first_name,
            last_name,
            case
                when h % 13 = 0 then '  ' || upper(first_name || '.' || last_name) || id
                    || '@' || {_pick(EMAIL_DOMAINS, "h // 7")} || ' '
                when h % 7 = 0 then first_name || '.' || last_name || id
                    || '@' || upper({_pick(EMAIL_DOMAINS, "h // 7")})
                else lower(first_name) || '.' || lower(last_name) || id
                    || '@' || {_pick(EMAIL_DOMAINS, "h // 7")}
            end as email,
            case when h % 5 = 0 then null
                 else '+1-555-' || lpad(cast(h % 10000000 as varchar), 7, '0') end as phone,
            case when h % 17 = 0 then null
                 else {_pick(REGION_CODES, "h // 17")} end as region_code,
            h % 3 = 0 as marketing_opt_in,
            {start} - interval 365 day
                + to_seconds(cast(floor(
                    (id - 1) * {signup_span_days} * 86400.0 / {customers}
                    + (h % 86400)) as bigint)) as signed_up_at
        from base
    """

    cat_names = _sql_list(categories)
    nouns = "[" + ", ".join(_sql_list(CATEGORIES[c][0]) for c in categories) + "]"
    min_price = "[" + ", ".join(str(CATEGORIES[c][1]) for c in categories) + "]"
    spread = "[" + ", ".join(str(CATEGORIES[c][2]) for c in categories) + "]"
    q["products"] = f"""
        with base as (
            select
                i + 1 as id,
                -- jaffles, sides, desserts, beverages, merch in roughly 4:2:2:3:1 proportion
                [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5][1 + (i % 12)::integer] as k,
                {_rand("i", s, 10)} as h
            from range({n_products}) as t(i)
        )
        select
            id,
            'JS-' || upper({cat_names}[k][1:3]) || '-' || lpad(cast(id as varchar), 4, '0') as sku,
            {_pick(ADJECTIVES, "h")} || ' ' || {nouns}[k][1 + ((h // 13) % 4)::integer]
                || ' No. ' || id as name,
            upper({cat_names}[k]) as product_type,
            'House-made ' || lower({nouns}[k][1 + ((h // 13) % 4)::integer]) as description,
            cast({min_price}[k] + (h // 97) % {spread}[k] as integer) // 5 * 5 + 5 as price_cents
        from base
    """

    cities = _sql_list([c for c, _ in CITIES])
    regions = _sql_list([r for _, r in CITIES])
    q["stores"] = f"""
        select
            i + 1 as id,
            'Jaffle Shop ' || {cities}[1 + (i % {len(CITIES)})::integer]
                || case when i >= {len(CITIES)}
                        then ' ' || cast(i // {len(CITIES)} + 1 as varchar) else '' end as name,
            {cities}[1 + (i % {len(CITIES)})::integer] as city,
            {regions}[1 + (i % {len(CITIES)})::integer] as region,
            {start} - to_days(cast(30 + {_rand("i", s, 20)} % 1500 as integer)) as opened_at,
            case when (i + 1) % 11 = 0 then date '{as_of.isoformat()}' - interval 60 day
                 else null end as closed_at,
            cast(400 + {_rand("i", s, 21)} % 500 as integer) as tax_rate_bps
        from range({n_stores}) as t(i)
    """

    q["supplies"] = f"""
        with slots as (
            select p.id as product_id, p.price_cents, p.product_type, t.j,
                   {_rand("p.id * 8 + t.j", s, 30)} as h
            from read_parquet('{paths["products"]}') as p
            cross join range(5) as t(j)
        )
        select
            row_number() over (order by product_id, j) as id,
            product_id,
            {_pick(SUPPLIES, "h")} as name,
            cast(greatest(5, price_cents * (4 + h % 9) // 100) as integer) as cost_cents,
            h % 4 = 0 as perishable
        from slots
        where j < 2 + (h // 7) % 4
    """

    q["orders"] = f"""
        with ids as (
            select cast(case when i < {orders} then i
                             else {_rand("i", s, 40)} % {orders} end as bigint) as o
            from range({orders + order_dupes}) as t(i)
        ), base as (
            select
                o + 1 as id,
                {start} + to_days(cast(o * {HISTORY_DAYS} // {orders} as integer)) as day_ts,
                o * 1.0 / {orders} as progress,
                {_rand("o", s, 41)} as h
            from ids
        ), placed as (
            select
                id,
                h,
                day_ts + to_seconds(cast(7 * 3600 + h % (14 * 3600) as bigint)) as ordered_at,
                cast(1 + (h // 50000) % {n_stores} as bigint) as picked_store,
                floor({customers} * (365 + {HISTORY_DAYS} * progress) / {signup_span_days})
                    as eligible_customers
            from base
        )
        select
            id,
            cast(1 + (h // 7) % greatest(1, cast(eligible_customers as bigint)) as bigint)
                as customer_id,
            case when picked_store % 11 = 0
                      and ordered_at >= date '{as_of.isoformat()}' - interval 60 day then 1
                 else picked_store end as store_id,
            case when h % 10 < 3 then 'WEB' when h % 10 = 3 then 'web' else 'POS' end
                as channel_code,
            ordered_at
        from placed
    """

    q["order_items"] = f"""
        with slots as (
            select i // {MAX_ITEMS_PER_ORDER} + 1 as order_id,
                   i % {MAX_ITEMS_PER_ORDER} as line,
                   {_rand("i", s, 50)} as h
            from range({orders * MAX_ITEMS_PER_ORDER}) as t(i)
        ), kept as (
            select *,
                   -- popular products sell more: skew the pick towards low product ids
                   1 + cast(floor({n_products} * power(((h // 11) % 100000) / 100000.0, 1.6))
                       as integer) as product_id
            from slots
            where line < 1 + {_rand("order_id", s, 51)} % {MAX_ITEMS_PER_ORDER}
        )
        select
            cast(order_id * {MAX_ITEMS_PER_ORDER} + line as bigint) as id,
            order_id,
            k.product_id,
            cast(case when h % 10 < 7 then 1 when h % 10 < 9 then 2 else 3 end as integer)
                as quantity,
            p.price_cents as unit_price_cents
        from kept as k
        join read_parquet('{paths["products"]}') as p on p.id = k.product_id
    """

    q["payments"] = f"""
        with totals as (
            select order_id, sum(quantity * unit_price_cents) as total_cents
            from read_parquet('{paths["order_items"]}')
            group by order_id
        ), orders as (
            select distinct
                cast(o.id as bigint) as order_id, o.ordered_at, t.total_cents,
                {_rand("o.id", s, 60)} as h
            from read_parquet('{paths["orders"]}') as o
            join totals as t on t.order_id = o.id
        ), attempts as (
            select o.*, a.n
            from orders as o
            cross join range(2) as a(n)
            -- 8% of orders are split over two payments, 2% have a failed first attempt
            where a.n = 0 or o.h % 100 < 10
        )
        select
            cast(order_id * 2 + n as bigint) as id,
            order_id,
            case
                when h % 100 < 8 and n = 0 then 'GIFT_CARD'
                when h % 100 between 8 and 9 and n = 0 then 'CREDIT_CARD'
                else ['CREDIT_CARD', 'CREDIT_CARD', 'DEBIT_CARD', 'APPLE_PAY', 'BANK_TRANSFER',
                      'COUPON'][1 + ((h // 100) % 6)::integer]
            end as method,
            case when h % 100 between 8 and 9 and n = 0 then 'FAILED' else 'SUCCESS' end
                as status,
            cast(case
                when h % 100 < 8 and n = 0 then total_cents * 3 // 10
                when h % 100 < 8 then total_cents - total_cents * 3 // 10
                else total_cents
            end as bigint) as amount_cents,
            ordered_at + to_seconds(cast(30 + n * 45 + (h // 1000) % 240 as bigint)) as created_at
        from attempts
        order by id
    """
    return q


def generate(warehouse: Path, orders: int, as_of: date, seed: int) -> dict[str, int]:
    """Write every raw landing file under ``warehouse/raw`` and return row counts per file."""
    if orders < 1:
        raise ValueError(f"--orders must be at least 1, got {orders}")
    warehouse = Path(warehouse).resolve()
    paths = {key: (warehouse / rel).as_posix() for key, rel in RAW_FILES.items()}
    for path in paths.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # dbt-duckdb does not create directories: make the dev target's home too.
    (warehouse / "dev").mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    quoted = {key: path.replace("'", "''") for key, path in paths.items()}  # SQL literals
    con = duckdb.connect()
    try:
        for key, sql in _queries(quoted, orders, as_of, seed).items():
            # COPY ... TO returns the number of rows written.
            counts[key] = con.execute(
                f"copy ({sql}) to '{quoted[key]}' (format parquet, compression zstd)"
            ).fetchone()[0]
    finally:
        con.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help="number of orders")
    parser.add_argument(
        "--warehouse", type=Path, default=None, help="default: $MESH_WAREHOUSE or <repo>/warehouse"
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="last day of order history, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="pseudo-random seed")
    parser.add_argument(
        "--if-missing", action="store_true", help="do nothing when every landing file exists"
    )
    args = parser.parse_args(argv)
    warehouse = args.warehouse or default_warehouse(REPO_ROOT)
    if args.if_missing and all((warehouse / f).is_file() for f in RAW_FILES.values()):
        print(f"raw data already in {warehouse / 'raw'}; drop --if-missing to regenerate")
        return 0
    as_of = args.as_of or datetime.now(UTC).date()
    counts = generate(warehouse, args.orders, as_of, args.seed)
    for key, n in counts.items():
        print(f"{RAW_FILES[key]:<34} {n:>12,} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
