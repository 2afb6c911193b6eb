with

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

),

final as (

    select
        order_item_id,
        order_id,
        product_id,
        order_date,
        quantity,
        unit_price,
        line_total,
        product_category,
        is_food,
        is_drink

    from order_items

)

select * from final
