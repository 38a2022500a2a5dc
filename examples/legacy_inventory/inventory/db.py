"""Raw psycopg2 access; the schema is created by hand from db/schema.sql."""

import psycopg2

from . import settings


def connect():
    return psycopg2.connect(host=settings.DB_HOST, dbname=settings.DB_NAME, user=settings.DB_USER,
                            password=settings.DB_PASSWORD, sslmode="disable")


def stock_for(sku):
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT warehouse, qty FROM stock WHERE sku = %s", (sku,))
        return cur.fetchall()
