with

order_item_costs as (

    select * from {{ ref('int_order_item_costs') }}

),

aggregated as (

    select
        order_date as revenue_date,
        store_id,
        count(distinct order_id) as order_count,
        cast(sum(quantity) as bigint) as item_count,
        round(sum(line_total), 2) as revenue,
        round(sum(line_cost), 2) as cost

    from order_item_costs
    group by order_date, store_id

),

final as (

    select
        revenue_date,
        store_id,
        order_count,
        item_count,
        revenue,
        cost,
        round(revenue - cost, 2) as margin,
        case when revenue > 0 then round((revenue - cost) / revenue, 4) end as margin_rate

    from aggregated

)

select * from final
