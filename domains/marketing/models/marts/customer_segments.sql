with

activity as (

    select * from {{ ref('int_customer_activity') }}

),

contacts as (

    select * from {{ ref('int_customer_contacts') }}

),

customers as (

    select * from {{ ref('customers', 'dim_customers', v=2) }}

),

-- Recency is measured against the last day with orders, not the wall clock, so that a build
-- of the same data always gives the same scores.
reference_date as (

    select max(last_order_date) as as_of_date from activity

),

rfm as (

    select
        activity.customer_id,
        activity.last_order_date,
        -- bigint on every engine (datediff is int on Spark, bigint on DuckDB)
        cast(
            {{ dbt.datediff('activity.last_order_date', 'reference_date.as_of_date', 'day') }}
            as bigint
        ) as recency_days,
        activity.order_count as frequency,
        activity.amount_paid as monetary

    from activity
    cross join reference_date

),

scored as (

    select
        *,
        cast(
            ntile(5) over (order by recency_days desc, customer_id asc) as bigint
        ) as recency_score,
        cast(ntile(5) over (order by frequency asc, customer_id asc) as bigint) as frequency_score,
        cast(ntile(5) over (order by monetary asc, customer_id asc) as bigint) as monetary_score

    from rfm

),

final as (

    select
        scored.customer_id,
        customers.region,
        scored.last_order_date,
        scored.recency_days,
        scored.frequency,
        scored.monetary,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        cast(scored.recency_score as {{ dbt.type_string() }})
        || cast(scored.frequency_score as {{ dbt.type_string() }})
        || cast(scored.monetary_score as {{ dbt.type_string() }}) as rfm_code,
        case
            when scored.recency_score >= 4 and scored.frequency_score >= 4 then 'champions'
            when scored.recency_score >= 4 and scored.frequency = 1 then 'new'
            when scored.recency_score >= 3 and scored.frequency_score >= 4 then 'loyal'
            when scored.recency_score <= 2 and scored.frequency_score >= 3 then 'at_risk'
            when scored.recency_score <= 2 then 'hibernating'
            else 'potential_loyalist'
        end as segment,
        coalesce(contacts.is_contactable, false) as is_contactable

    from scored
    left join customers
        on scored.customer_id = customers.customer_id
    left join contacts
        on scored.customer_id = contacts.customer_id

)

select * from final
