from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="order", name="currency", field=models.CharField(max_length=3, default="EUR")),
        migrations.RunPython(lambda apps, schema_editor: None),
    ]
