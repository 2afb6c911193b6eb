with

source as (

    select * from {{ source('billing', 'payments') }}

),

renamed as (

    select
        cast(id as bigint) as payment_id,
        cast(order_id as bigint) as order_id,
        lower(method) as payment_method,
        case upper(status)
            when 'SUCCESS' then 'succeeded'
            when 'FAILED' then 'failed'
        end as payment_status,
        cast(amount_cents as double) / 100 as amount,
        cast(created_at as timestamp) as paid_at

    from source

)

select * from renamed
