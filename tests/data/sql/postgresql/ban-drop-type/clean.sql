SET lock_timeout = '2s';
SET statement_timeout = '60s';
CREATE TYPE shipping_method AS ENUM ('standard', 'express');
