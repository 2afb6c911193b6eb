with

products as (

    select * from {{ ref('stg_erp__products') }}

),

final as (

    select
        product_id,
        sku,
        product_name,
        category,
        product_description,
        price,
        category in ('jaffle', 'side', 'dessert') as is_food,
        category = 'beverage' as is_drink

    from products

)

select * from final
