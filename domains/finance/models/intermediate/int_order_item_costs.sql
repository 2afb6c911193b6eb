with

order_items as (

    select * from {{ ref('sales', 'fct_order_items') }}

),

orders as (

    select * from {{ ref('sales', 'fct_orders') }}

),

product_costs as (

    select * from {{ ref('catalog', 'product_costs') }}

),

final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.order_date,
        orders.store_id,
        order_items.quantity,
        order_items.line_total,
        order_items.quantity * coalesce(product_costs.unit_cost, 0) as line_cost

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join product_costs
        on order_items.product_id = product_costs.product_id

)

select * from final
