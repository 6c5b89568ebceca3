from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("probe", "0001_initial")]
    operations = [migrations.AddField("proberecord", "note", models.CharField(max_length=80, default=""))]
