from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_backfill")]

    operations = [
        migrations.AddField(model_name="order", name="note", field=models.TextField(default="")),
    ]
