# 听证笔录 (处罚法 arts. 64, 65) and requests to extend the penalty decision deadline
# (处罚法 art. 60).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_issued_document"),
        ("org", "0002_device"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HearingRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("notice_served_on", models.DateField(verbose_name="听证通知送达日期")),
                ("held_at", models.DateTimeField(verbose_name="举行时间")),
                ("place", models.CharField(max_length=200, verbose_name="地点")),
                ("participants", models.TextField(verbose_name="当事人及其代理人等参加人员")),
                ("public", models.BooleanField(default=True, verbose_name="公开举行")),
                (
                    "closed_ground",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("state_secret", "涉及国家秘密"),
                            ("commercial_secret", "涉及商业秘密"),
                            ("privacy", "涉及个人隐私"),
                        ],
                        max_length=20,
                        verbose_name="不公开的情形",
                    ),
                ),
                ("closed_reason", models.TextField(blank=True, verbose_name="不公开的理由")),
                ("statements", models.TextField(verbose_name="陈述申辩要点")),
                (
                    "signature",
                    models.CharField(
                        choices=[
                            ("signed", "已交当事人或其代理人核对无误，签字或者盖章"),
                            (
                                "refused",
                                "当事人或其代理人拒绝签字或者盖章，主持人已在笔录中注明",
                            ),
                        ],
                        max_length=10,
                        verbose_name="笔录核对签字",
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True, verbose_name="登记时间")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="hearing_records",
                        to="cases.case",
                        verbose_name="案件",
                    ),
                ),
                (
                    "presider",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.staff",
                        verbose_name="主持人",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                (
                    "recorder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.staff",
                        verbose_name="记录人",
                    ),
                ),
            ],
            options={
                "verbose_name": "听证笔录",
                "verbose_name_plural": "听证笔录",
                "ordering": ["case", "held_at", "id"],
            },
        ),
        migrations.CreateModel(
            name="DecisionExtension",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("days", models.PositiveSmallIntegerField(verbose_name="延长日数")),
                ("reason", models.CharField(max_length=300, verbose_name="申请理由")),
                ("requested_on", models.DateField(verbose_name="申请日期")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待审批"),
                            ("approved", "已批准"),
                            ("rejected", "未批准"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("decided_on", models.DateField(blank=True, null=True, verbose_name="审批日期")),
                ("opinion", models.TextField(blank=True, verbose_name="审批意见")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="extensions",
                        to="cases.case",
                        verbose_name="案件",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="审批人",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="申请人",
                    ),
                ),
            ],
            options={
                "verbose_name": "延长处罚决定期限申请",
                "verbose_name_plural": "延长处罚决定期限申请",
                "ordering": ["case", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("case",),
                        name="extension_one_pending_per_case",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "approved")),
                        fields=("case",),
                        name="extension_one_approved_per_case",
                    ),
                ],
            },
        ),
    ]
