"""Database engine: credentials come from the environment, TLS is verified, the pool is bounded."""

from __future__ import annotations

import os

from sqlalchemy import create_engine

DATABASE_URL = os.environ["DATABASE_URL"]  # e.g. postgresql://shop_app@pgbouncer:6432/shop?sslmode=verify-full

engine = create_engine(
    DATABASE_URL,
    pool_size=10,
    max_overflow=5,
    pool_pre_ping=True,
    pool_recycle=1800,
    connect_args={
        "sslmode": "verify-full",
        "sslrootcert": os.environ.get("PGSSLROOTCERT", "/etc/ssl/certs/rds-ca.pem"),
        "options": "-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=60000",
    },
)
