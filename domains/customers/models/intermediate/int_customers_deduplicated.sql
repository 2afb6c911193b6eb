with

customers as (

    select distinct * from {{ ref('stg_crm__customers') }}

),

final as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        phone,
        case region_code
            when 'NE' then 'Northeast'
            when 'SE' then 'Southeast'
            when 'MW' then 'Midwest'
            when 'SW' then 'Southwest'
            when 'W' then 'West'
        end as region,
        is_marketing_opt_in,
        signed_up_at

    from customers

)

select * from final
