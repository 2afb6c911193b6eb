with

supplies as (

    select * from {{ ref('stg_erp__supplies') }}

),

aggregated as (

    select
        product_id,
        count(*) as supply_count,
        sum(supply_cost) as unit_cost,
        sum(case when is_perishable then 1 else 0 end) > 0 as has_perishable_supplies

    from supplies
    group by product_id

)

select * from aggregated
