with

source as (

    select distinct * from {{ source('shop', 'orders') }}

),

renamed as (

    select
        cast(id as bigint) as order_id,
        cast(customer_id as bigint) as customer_id,
        cast(store_id as bigint) as store_id,
        case upper(channel_code)
            when 'WEB' then 'online'
            when 'POS' then 'store'
        end as channel,
        cast(ordered_at as timestamp) as ordered_at

    from source

)

select * from renamed
