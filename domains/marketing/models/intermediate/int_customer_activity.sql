with

orders as (

    select * from {{ ref('sales', 'fct_orders') }}

),

payments as (

    select * from {{ ref('finance', 'fct_payments') }}

),

customer_orders as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as order_count

    from orders
    group by customer_id

),

customer_payments as (

    select
        customer_id,
        sum(amount) as amount_paid

    from payments
    where is_successful
    group by customer_id

),

final as (

    select
        customer_orders.customer_id,
        customer_orders.first_order_date,
        customer_orders.last_order_date,
        customer_orders.order_count,
        round(coalesce(customer_payments.amount_paid, 0), 2) as amount_paid

    from customer_orders
    left join customer_payments
        on customer_orders.customer_id = customer_payments.customer_id

)

select * from final
