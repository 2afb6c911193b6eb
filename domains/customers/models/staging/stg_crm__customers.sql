with

source as (

    select * from {{ source('crm', 'customers') }}

),

renamed as (

    select
        cast(id as bigint) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        lower(trim(email)) as email,
        phone,
        upper(trim(region_code)) as region_code,
        marketing_opt_in as is_marketing_opt_in,
        cast(signed_up_at as timestamp) as signed_up_at

    from source

)

select * from renamed
