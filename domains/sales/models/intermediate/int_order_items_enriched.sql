with

order_items as (

    select * from {{ ref('stg_shop__order_items') }}

),

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

products as (

    select * from {{ ref('catalog', 'dim_products') }}

),

final as (

    select
        order_items.order_item_id,
        order_items.order_id,
        order_items.product_id,
        cast(orders.ordered_at as date) as order_date,
        order_items.quantity,
        order_items.unit_price,
        round(order_items.quantity * order_items.unit_price, 2) as line_total,
        products.category as product_category,
        products.is_food,
        products.is_drink

    from order_items
    inner join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id

)

select * from final
