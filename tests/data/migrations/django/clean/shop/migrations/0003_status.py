from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0002_currency")]

    operations = [
        migrations.RunSQL("CREATE INDEX CONCURRENTLY order_total ON shop_order (total)", reverse_sql="DROP INDEX CONCURRENTLY order_total"),
    ]
