with

source as (

    select * from {{ source('erp', 'stores') }}

),

renamed as (

    select
        cast(id as bigint) as store_id,
        name as store_name,
        city,
        region,
        cast(opened_at as timestamp) as opened_at,
        cast(closed_at as timestamp) as closed_at,
        cast(tax_rate_bps as double) / 10000 as tax_rate

    from source

)

select * from renamed
