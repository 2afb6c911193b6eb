with

stores as (

    select * from {{ ref('stg_erp__stores') }}

),

final as (

    select
        store_id,
        store_name,
        city,
        region,
        opened_at,
        closed_at,
        closed_at is null as is_open,
        tax_rate

    from stores

)

select * from final
