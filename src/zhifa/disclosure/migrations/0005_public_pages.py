import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0004_portal_indexes")]

    operations = [
        migrations.CreateModel(
            name="PublicPage",
            fields=[
                (
                    "disclosure",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="public_page",
                        serialize=False,
                        to="disclosure.disclosure",
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="页面标题")),
                ("html", models.TextField(verbose_name="页面正文（脱敏）")),
                ("expires_on", models.DateField(blank=True, null=True, verbose_name="公示期至")),
                ("fingerprint", models.CharField(max_length=16, verbose_name="模板指纹")),
                ("rendered_at", models.DateTimeField(auto_now=True, verbose_name="生成时间")),
            ],
            options={"verbose_name": "公示页面", "verbose_name_plural": "公示页面"},
        ),
    ]
