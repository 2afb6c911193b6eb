with

source as (

    select * from {{ source('erp', 'supplies') }}

),

renamed as (

    select
        cast(id as bigint) as supply_id,
        cast(product_id as bigint) as product_id,
        name as supply_name,
        cast(cost_cents as double) / 100 as supply_cost,
        perishable as is_perishable

    from source

)

select * from renamed
