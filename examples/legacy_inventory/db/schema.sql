-- Applied by hand on each server. Changes are made directly in production and copied here.
CREATE TABLE items (
    sku         varchar(32),
    description varchar(255),
    price       float
);

CREATE TABLE stock (
    sku       varchar(32),
    warehouse varchar(16),
    qty       integer
);

CREATE TABLE warehouses (
    code varchar(16) PRIMARY KEY,
    city varchar(64)
);
