with

source as (

    select * from {{ source('shop', 'order_items') }}

),

renamed as (

    select
        cast(id as bigint) as order_item_id,
        cast(order_id as bigint) as order_id,
        cast(product_id as bigint) as product_id,
        cast(quantity as integer) as quantity,
        cast(unit_price_cents as double) / 100 as unit_price

    from source

)

select * from renamed
