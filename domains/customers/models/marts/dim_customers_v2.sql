with

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

final as (

    select
        customer_id,
        first_name,
        last_name,
        {{ dbt.split_part('email', "'@'", 2) }} as email_domain,
        cast(signed_up_at as date) as signup_date,
        region,
        is_marketing_opt_in,
        phone is not null as has_phone

    from customers

)

select * from final
