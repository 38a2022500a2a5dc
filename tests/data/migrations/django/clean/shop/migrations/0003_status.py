from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0002_currency")]

    operations = [
        migrations.RunSQL(
            ["SET lock_timeout = '5s'", "SET statement_timeout = '15min'",
             "CREATE INDEX CONCURRENTLY IF NOT EXISTS order_total ON shop_order (total)"],
            reverse_sql="DROP INDEX CONCURRENTLY IF EXISTS order_total",
        ),
    ]
