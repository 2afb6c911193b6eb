with

customers as (

    select * from {{ ref('customers', 'dim_customers', v=2) }}

),

activity as (

    select * from {{ ref('int_customer_activity') }}

),

reference_date as (

    select max(last_order_date) as as_of_date from activity

),

final as (

    select
        customers.customer_id,
        customers.region,
        customers.signup_date,
        activity.first_order_date,
        activity.last_order_date,
        coalesce(activity.order_count, 0) as order_count,
        coalesce(activity.amount_paid, 0) as lifetime_value,
        case
            when activity.order_count > 0
                then round(activity.amount_paid / activity.order_count, 2)
        end as average_order_value,
        -- bigint on every engine (datediff is int on Spark, bigint on DuckDB)
        cast(
            {{ dbt.datediff('activity.first_order_date', 'activity.last_order_date', 'day') }}
            as bigint
        ) as active_days,
        -- bigint on every engine (datediff is int on Spark, bigint on DuckDB)
        cast(
            {{ dbt.datediff('customers.signup_date', 'reference_date.as_of_date', 'day') }}
            as bigint
        ) as tenure_days,
        coalesce(activity.order_count, 0) > 1 as is_repeat_customer

    from customers
    cross join reference_date
    left join activity
        on customers.customer_id = activity.customer_id

)

select * from final
