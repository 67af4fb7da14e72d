"""Disclosure: open-data sync cursor (`public_seq`) and the push to other platforms:
subscribers, the transactional outbox and the delivery log."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_public_seq(apps, schema_editor):
    """Items published before this migration: the seq of their latest public change."""
    Disclosure = apps.get_model("disclosure", "Disclosure")
    PublishedVersion = apps.get_model("disclosure", "PublishedVersion")
    for d in Disclosure.objects.filter(status__in=["published", "withdrawn"]).iterator():
        seqs = list(
            PublishedVersion.objects.filter(disclosure_id=d.pk).values_list("event_seq", flat=True)
        )
        if d.withdrawal_seq:
            seqs.append(d.withdrawal_seq)
        if seqs:
            Disclosure.objects.filter(pk=d.pk).update(public_seq=max(seqs))


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0002_search"),
        ("org", "0002_device"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="disclosure",
            name="public_seq",
            field=models.BigIntegerField(
                blank=True,
                help_text="最近一次发布、更正或撤回的账本事件序号：开放数据同步游标。",
                null=True,
                verbose_name="最近公开变更序号",
            ),
        ),
        migrations.AddIndex(
            model_name="disclosure",
            index=models.Index(fields=["public_seq"], name="disclosure_public_seq"),
        ),
        migrations.RunPython(backfill_public_seq, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Subscriber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="接收平台名称")),
                ("url", models.URLField(max_length=500, verbose_name="接收地址")),
                ("secret", models.CharField(max_length=100, verbose_name="签名密钥")),
                ("active", models.BooleanField(default=True, verbose_name="启用")),
                (
                    "kinds",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="空表示全部类别。",
                        verbose_name="推送类别",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        help_text="留空表示接收所有执法主体的公示（仅系统管理员可配置）。",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.agency",
                        verbose_name="执法主体",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="创建人",
                    ),
                ),
            ],
            options={
                "verbose_name": "推送订阅方",
                "verbose_name_plural": "推送订阅方",
                "ordering": ["agency", "name", "pk"],
            },
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.UUIDField(unique=True, verbose_name="幂等键")),
                (
                    "event",
                    models.CharField(
                        choices=[
                            ("disclosure.published", "发布"),
                            ("disclosure.corrected", "更正"),
                            ("disclosure.withdrawn", "撤回"),
                        ],
                        max_length=30,
                        verbose_name="事件",
                    ),
                ),
                ("seq", models.BigIntegerField(verbose_name="账本事件序号")),
                ("payload", models.JSONField(verbose_name="推送内容")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待推送"),
                            ("delivered", "已送达"),
                            ("failed", "推送失败"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="已尝试次数")),
                ("next_attempt_at", models.DateTimeField(verbose_name="下次尝试时间")),
                (
                    "locked_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="发送占用至"),
                ),
                (
                    "delivered_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="送达时间"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="生成时间")),
                (
                    "disclosure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="disclosure.disclosure",
                        verbose_name="公示",
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="disclosure.subscriber",
                        verbose_name="订阅方",
                    ),
                ),
            ],
            options={
                "verbose_name": "推送消息",
                "verbose_name_plural": "推送消息",
                "ordering": ["-seq", "-pk"],
                "indexes": [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")],
            },
        ),
        migrations.CreateModel(
            name="Delivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("attempt", models.PositiveIntegerField(verbose_name="第几次尝试")),
                ("started_at", models.DateTimeField(verbose_name="开始时间")),
                ("finished_at", models.DateTimeField(verbose_name="结束时间")),
                (
                    "http_status",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="HTTP状态码"
                    ),
                ),
                ("error", models.CharField(blank=True, max_length=500, verbose_name="错误信息")),
                (
                    "next_retry_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="下次重试时间"),
                ),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="disclosure.outboxmessage",
                        verbose_name="推送消息",
                    ),
                ),
                (
                    "subscriber",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deliveries",
                        to="disclosure.subscriber",
                        verbose_name="订阅方",
                    ),
                ),
            ],
            options={
                "verbose_name": "推送记录",
                "verbose_name_plural": "推送记录",
                "ordering": ["-started_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("message", "attempt"), name="delivery_attempt_once"
                    )
                ],
            },
        ),
    ]
