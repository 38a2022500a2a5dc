CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    name text,
    created_at timestamp NOT NULL DEFAULT now()
);

CREATE INDEX users_email_dup ON users (email);  -- duplicate of users_email_key

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,  -- FK without index
    coupon_id bigint,                                              -- *_id without FK
    total numeric(10, 2) NOT NULL DEFAULT 0,
    amount float8
);
