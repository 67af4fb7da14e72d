"""Disclosure (公示) of 行政处罚 / 行政许可 decisions: rules as data (P1), drafts with their
statutory deadline, the confidentiality review, published versions (corrections) and
withdrawals (P12). The published content is masked; the original stays staff-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DisclosureKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENCE = "licence", "行政许可"
    OTHER = "other", "其他执法决定"


class PeriodProfile(models.TextChoices):
    # Hebei county practice: 5 years for organisations, 2 years for natural persons.
    HEBEI = "hebei", "按当事人类别（单位5年、自然人2年）"
    # 市场监管总局令第45号 art. 13: 3 months for 警告/通报批评/small fines, 3 years otherwise.
    MARKET = "market", "按处罚轻重（轻微3个月、其他3年）"


class DisclosureRule(models.Model):
    """Which decisions an agency publishes, how fast and for how long (P1). One per agency and
    kind; missing rules are created with the defaults below (`selectors.rule_for`)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("公示类别", max_length=10, choices=DisclosureKind.choices)
    published = models.BooleanField("公示", default=True)
    include_simple = models.BooleanField(
        "公示简易程序处罚", default=False, help_text="市场监管规定第二条：默认不公示。"
    )
    include_warning_only = models.BooleanField(
        "公示仅警告的处罚", default=False, help_text="市场监管规定第二条：默认不公示。"
    )
    deadline_days = models.PositiveSmallIntegerField(
        "公示期限（工作日，自决定之日起）", default=7, help_text="国办发〔2018〕118号：7个工作日。"
    )
    period_profile = models.CharField(
        "公示期方案", max_length=10, choices=PeriodProfile.choices, default=PeriodProfile.HEBEI
    )
    organisation_years = models.PositiveSmallIntegerField("单位公示期（年）", default=5)
    person_years = models.PositiveSmallIntegerField("自然人公示期（年）", default=2)
    light_months = models.PositiveSmallIntegerField("轻微处罚公示期（月）", default=3)
    other_years = models.PositiveSmallIntegerField("其他处罚公示期（年）", default=3)
    small_fine_limit = models.BigIntegerField(
        "较低数额罚款上限（分）", default=1_000_000, help_text="按本省规定配置，默认1万元。"
    )
    mask_party_name = models.BooleanField(
        "自然人当事人姓名脱敏（张某某）", default=True, help_text="浙江规定第七条；默认更严格。"
    )

    class Meta:
        verbose_name = "公示规则"
        verbose_name_plural = verbose_name
        ordering = ["agency", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="disclosure_rule_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.get_kind_display()}"


class Status(models.TextChoices):
    DRAFT = "draft", "待保密审查"
    REVIEWED = "reviewed", "待批准发布"
    PUBLISHED = "published", "已公示"
    WITHDRAWN = "withdrawn", "已撤回"
    WITHHELD = "withheld", "不予公示"


class Disclosure(models.Model):
    """One case decision's disclosure, from draft to publication (and withdrawal)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="disclosures"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="disclosure"
    )
    kind = models.CharField("公示类别", max_length=10, choices=DisclosureKind.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    decided_on = models.DateField("决定日期")
    due_on = models.DateField("公示截止期")
    deadline_provisional = models.BooleanField("截止期暂定（缺节假日安排）", default=False)
    fields = models.JSONField("双公示字段（原文）", default=dict)
    text = models.TextField("决定书全文（原文）", blank=True)
    source = models.CharField("全文来源", max_length=100, blank=True)
    withheld_reason = models.CharField("不予公示理由", max_length=300, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="拟稿人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    secret = models.BooleanField("涉及国家秘密、商业秘密或个人隐私", default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="保密审查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("保密审查时间", null=True, blank=True)
    review_note = models.CharField("保密审查意见", max_length=300, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    expires_on = models.DateField("公示期至", null=True, blank=True)
    changed_on = models.DateField("决定被变更、撤销或确认违法日期", null=True, blank=True)
    withdraw_due = models.DateField("撤回期限", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_reason = models.CharField("撤回理由", max_length=300, blank=True)
    withdrawal_seq = models.BigIntegerField("撤回事件序号", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = verbose_name
        ordering = ["-decided_on", "-id"]
        permissions = [
            ("review_disclosure", "公示保密审查"),
            ("publish_disclosure", "批准发布、更正、撤回公示"),
        ]
        indexes = [models.Index(fields=["status", "expires_on"], name="disclosure_public")]

    def __str__(self) -> str:
        return (
            f"{self.fields.get('document_number') or self.case_id}（{self.get_status_display()}）"
        )


class PublishedVersion(models.Model):
    """What the portal shows: masked fields and text, the canonical hash of that content and
    the ledger event that holds it. A correction adds a version with its public reason."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本")
    fields = models.JSONField("双公示字段（脱敏）")
    text = models.TextField("全文（脱敏）")
    content_sha256 = models.CharField("内容SHA-256", max_length=64)
    reason = models.CharField("更正理由", max_length=300, blank=True)
    event_seq = models.BigIntegerField("账本事件序号")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间")

    class Meta:
        verbose_name = "公示版本"
        verbose_name_plural = verbose_name
        ordering = ["disclosure", "number"]
        constraints = [
            models.UniqueConstraint(fields=["disclosure", "number"], name="disclosure_version"),
        ]

    def __str__(self) -> str:
        return f"{self.disclosure_id} v{self.number}"
