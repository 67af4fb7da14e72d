# The 裁量基准 circumstance applied to a case's proposed penalty (118号).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_hearing_and_extension"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="discretion_choice",
            field=models.JSONField(blank=True, default=dict, verbose_name="裁量基准适用情况"),
        ),
    ]
