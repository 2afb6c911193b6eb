-- Still reads the deprecated version 1 of customers.dim_customers: version 2 no longer
-- carries email and phone. Migrate once the customers domain publishes a contact product.
with

customers as (

    select * from {{ ref('customers', 'dim_customers', v=1) }}

),

final as (

    select
        customer_id,
        full_name,
        email,
        phone,
        email is not null as has_email,
        phone is not null as has_phone,
        (email is not null or phone is not null) as is_contactable

    from customers

)

select * from final
