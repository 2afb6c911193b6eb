with

source as (

    select * from {{ source('erp', 'products') }}

),

renamed as (

    select
        cast(id as bigint) as product_id,
        sku,
        name as product_name,
        lower(product_type) as category,
        description as product_description,
        cast(price_cents as double) / 100 as price

    from source

)

select * from renamed
