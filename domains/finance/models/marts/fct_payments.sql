with

payments as (

    select * from {{ ref('stg_billing__payments') }}

),

orders as (

    select * from {{ ref('sales', 'fct_orders') }}

),

final as (

    select
        payments.payment_id,
        payments.order_id,
        orders.customer_id,
        orders.store_id,
        payments.payment_method,
        payments.payment_status,
        payments.payment_status = 'succeeded' as is_successful,
        payments.amount,
        payments.paid_at,
        cast(payments.paid_at as date) as paid_date

    from payments
    inner join orders
        on payments.order_id = orders.order_id

)

select * from final
