from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="HolidayDay",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="日期")),
                ("kind", models.CharField(choices=[("holiday", "放假"), ("workday", "调休上班")], max_length=10, verbose_name="类型")),
                ("note", models.CharField(blank=True, help_text="例如：春节、国庆节", max_length=60, verbose_name="说明")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={"verbose_name": "节假日安排", "verbose_name_plural": "节假日安排", "ordering": ["-date"]},
        ),
    ]
