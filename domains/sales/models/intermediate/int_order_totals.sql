with

order_items as (

    select * from {{ ref('int_order_items_enriched') }}

),

aggregated as (

    select
        order_id,
        cast(sum(quantity) as bigint) as item_count,
        round(sum(line_total), 2) as order_total,
        round(sum(case when is_food then line_total else 0 end), 2) as food_total,
        round(sum(case when is_drink then line_total else 0 end), 2) as drink_total

    from order_items
    group by order_id

)

select * from aggregated
