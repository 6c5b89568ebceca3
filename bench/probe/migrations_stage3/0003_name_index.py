from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("probe", "0002_note")]
    operations = [migrations.AlterField("proberecord", "name", models.CharField(max_length=40, db_index=True))]
