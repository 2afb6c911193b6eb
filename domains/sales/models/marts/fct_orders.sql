with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

order_totals as (

    select * from {{ ref('int_order_totals') }}

),

customers as (

    select * from {{ ref('customers', 'dim_customers', v=2) }}

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.store_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as order_date,
        orders.channel,
        order_totals.item_count,
        order_totals.order_total,
        order_totals.food_total,
        order_totals.drink_total,
        customers.region as customer_region,
        -- bigint on every engine (row_number() is int on Spark, bigint on DuckDB)
        cast(row_number() over (
            partition by orders.customer_id
            order by orders.ordered_at, orders.order_id
        ) as bigint) as customer_order_number

    from orders
    inner join order_totals
        on orders.order_id = order_totals.order_id
    left join customers
        on orders.customer_id = customers.customer_id

)

select
    *,
    customer_order_number = 1 as is_first_order
from final
