from django.db import migrations, models


def fill_currency(apps, schema_editor):
    Order = apps.get_model("shop", "Order")
    Order.objects.filter(currency="").update(currency="EUR")


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_note")]

    operations = [
        migrations.AddField(model_name="order", name="region", field=models.TextField(default="")),
        migrations.RunPython(fill_currency, migrations.RunPython.noop),
    ]
