from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_status")]

    operations = [
        migrations.AddField(model_name="order", name="note", field=models.TextField(default="")),
    ]
