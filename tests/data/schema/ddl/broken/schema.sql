CREATE TABLE customers (
    id serial PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE invoices (
    id serial PRIMARY KEY,
    customer_id int REFERENCES customers(id),
    total numeric(10,2) NOT NUL
);

CREATE INDEX customers_name_idx ON customers (name);
