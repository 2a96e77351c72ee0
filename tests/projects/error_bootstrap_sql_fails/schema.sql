-- Schema of the orders service before Alembic (hand-maintained).

CREATE TABLE public.orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    placed_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

CREATE TABLE public.customers (
    id bigint PRIMARY KEY,
    name text NOT NULL
);
