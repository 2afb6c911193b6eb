with

products as (

    select * from {{ ref('stg_erp__products') }}

),

supplies as (

    select * from {{ ref('int_supplies_per_product') }}

),

final as (

    select
        products.product_id,
        coalesce(supplies.supply_count, 0) as supply_count,
        round(coalesce(supplies.unit_cost, 0), 2) as unit_cost,
        products.price,
        round(products.price - coalesce(supplies.unit_cost, 0), 2) as unit_margin,
        coalesce(supplies.has_perishable_supplies, false) as has_perishable_supplies

    from products
    left join supplies
        on products.product_id = supplies.product_id

)

select * from final
