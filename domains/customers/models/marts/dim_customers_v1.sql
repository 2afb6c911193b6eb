with

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

final as (

    select
        customer_id,
        first_name || ' ' || last_name as full_name,
        email,
        phone,
        region,
        signed_up_at

    from customers

)

select * from final
