"""服务指南 fields on item versions (P7) and the 随机抽查事项清单 (P5)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("org", "0002_device"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_accepting_body",
            field=models.CharField(blank=True, max_length=200, verbose_name="受理机构"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_accountability",
            field=models.TextField(blank=True, verbose_name="责任追究"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_approving_body",
            field=models.CharField(blank=True, max_length=200, verbose_name="审批机构"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_conditions",
            field=models.TextField(blank=True, verbose_name="许可条件"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_materials",
            field=models.TextField(blank=True, verbose_name="申请材料"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_office_address",
            field=models.CharField(blank=True, max_length=200, verbose_name="办公地址"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_office_hours",
            field=models.CharField(blank=True, max_length=200, verbose_name="办公时间"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_office_phone",
            field=models.CharField(blank=True, max_length=100, verbose_name="办公电话"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_preferential",
            field=models.TextField(blank=True, verbose_name="优惠政策"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_remedy",
            field=models.TextField(blank=True, verbose_name="救济渠道"),
        ),
        migrations.AddField(
            model_name="enforcementitemversion",
            name="guide_supervision",
            field=models.TextField(blank=True, verbose_name="监督方式"),
        ),
        migrations.CreateModel(
            name="InspectionBasis",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=50, verbose_name="款、项")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="排序")),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.article",
                        verbose_name="法条",
                    ),
                ),
            ],
            options={
                "verbose_name": "抽查依据",
                "verbose_name_plural": "抽查依据",
                "ordering": ["entry", "order", "id"],
            },
        ),
        migrations.CreateModel(
            name="RandomInspectionItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        help_text="本机关内唯一，例如 CC-001。", max_length=50, verbose_name="编码"
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="抽查事项")),
                ("target", models.TextField(verbose_name="抽查对象")),
                ("content", models.TextField(verbose_name="抽查内容")),
                (
                    "ratio",
                    models.CharField(
                        help_text="例如：不低于5%。", max_length=100, verbose_name="抽查比例"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        help_text="例如：双随机抽查，实地核查与书面检查相结合。",
                        max_length=200,
                        verbose_name="抽查方式",
                    ),
                ),
                (
                    "frequency",
                    models.CharField(
                        help_text="例如：每年不少于1次。", max_length=100, verbose_name="抽查频次"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="录入时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="random_inspection_items",
                        to="org.agency",
                        verbose_name="抽查主体",
                    ),
                ),
                (
                    "articles",
                    models.ManyToManyField(
                        related_name="+",
                        through="catalog.InspectionBasis",
                        to="catalog.article",
                        verbose_name="抽查依据",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="录入人",
                    ),
                ),
                (
                    "item",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="random_inspections",
                        to="catalog.enforcementitem",
                        verbose_name="对应行政检查事项",
                    ),
                ),
            ],
            options={
                "verbose_name": "随机抽查事项",
                "verbose_name_plural": "随机抽查事项",
                "ordering": ["agency", "code"],
            },
        ),
        migrations.AddField(
            model_name="inspectionbasis",
            name="entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="basis",
                to="catalog.randominspectionitem",
            ),
        ),
        migrations.AddConstraint(
            model_name="randominspectionitem",
            constraint=models.UniqueConstraint(
                fields=("agency", "code"), name="randominspection_unique_code"
            ),
        ),
        migrations.AddConstraint(
            model_name="inspectionbasis",
            constraint=models.UniqueConstraint(
                fields=("entry", "article"), name="inspectionbasis_once"
            ),
        ),
    ]
