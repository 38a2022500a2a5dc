from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_backfill")]

    operations = [
        migrations.RunSQL("CREATE INDEX order_total ON shop_order (total)"),
    ]
