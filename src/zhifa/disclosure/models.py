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
    public_seq = models.BigIntegerField(
        "最近公开变更序号",
        null=True,
        blank=True,
        help_text="最近一次发布、更正或撤回的账本事件序号：开放数据同步游标。",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = verbose_name
        ordering = ["-decided_on", "-id"]
        permissions = [
            ("review_disclosure", "公示保密审查"),
            ("publish_disclosure", "批准发布、更正、撤回公示"),
        ]
        indexes = [
            # With the agency: counts per agency from the index alone (migration 0004).
            models.Index(fields=["status", "expires_on", "agency"], name="disclosure_public"),
            models.Index(fields=["public_seq"], name="disclosure_public_seq"),
            # The portal list's order, all agencies and per agency (migration 0004): the
            # newest page is read from the index instead of sorting every public row.
            models.Index(fields=["-decided_on", "-id"], name="disclosure_portal_order"),
            models.Index(fields=["agency", "-decided_on", "-id"], name="disclosure_portal_agency"),
        ]

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


# --- push to other platforms (P16) ---------------------------------------------------------------


class Subscriber(models.Model):
    """Another platform (e.g. the municipal credit platform) that receives each publication,
    correction and withdrawal as signed JSON. `agency` empty: every agency's decisions."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示接收所有执法主体的公示（仅系统管理员可配置）。",
    )
    name = models.CharField("接收平台名称", max_length=100)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=100)
    active = models.BooleanField("启用", default=True)
    kinds = models.JSONField("推送类别", default=list, blank=True, help_text="空表示全部类别。")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "推送订阅方"
        verbose_name_plural = verbose_name
        ordering = ["agency", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        return f"{self.secret[:4]}{'*' * 8}" if self.secret else ""


class PushEvent(models.TextChoices):
    PUBLISHED = "disclosure.published", "发布"
    CORRECTED = "disclosure.corrected", "更正"
    WITHDRAWN = "disclosure.withdrawn", "撤回"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待推送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "推送失败"


class OutboxMessage(models.Model):
    """One change to push to one subscriber, written in the same transaction as the change
    (transactional outbox): it is sent at least once, and the receiver deduplicates by `key`."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name="订阅方", on_delete=models.PROTECT, related_name="messages"
    )
    disclosure = models.ForeignKey(
        Disclosure, verbose_name="公示", on_delete=models.PROTECT, related_name="+"
    )
    key = models.UUIDField("幂等键", unique=True)
    event = models.CharField("事件", max_length=30, choices=PushEvent.choices)
    seq = models.BigIntegerField("账本事件序号")
    payload = models.JSONField("推送内容")
    status = models.CharField(
        "状态", max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    locked_until = models.DateTimeField("发送占用至", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    # Written by a staff back-fill (`push.subscriber_backfill`), not by a change: while any
    # such message is pending, another back-fill of the subscriber is refused.
    backfill = models.BooleanField("补发", default=False)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "推送消息"
        verbose_name_plural = verbose_name
        ordering = ["-seq", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} #{self.seq} → {self.subscriber}"


class Delivery(models.Model):
    """One attempt to deliver one message: the delivery log shown to staff."""

    subscriber = models.ForeignKey(
        Subscriber, verbose_name="订阅方", on_delete=models.PROTECT, related_name="deliveries"
    )
    message = models.ForeignKey(
        OutboxMessage, verbose_name="推送消息", on_delete=models.PROTECT, related_name="deliveries"
    )
    attempt = models.PositiveIntegerField("第几次尝试")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间")
    http_status = models.PositiveSmallIntegerField("HTTP状态码", null=True, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    next_retry_at = models.DateTimeField("下次重试时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = verbose_name
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "attempt"], name="delivery_attempt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt}"

    @property
    def ok(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


# --- search index (portal search) --------------------------------------------------------------


class SearchType(models.TextChoices):
    DECISION = "decision", "执法决定"
    ITEM = "item", "执法事项"
    GUIDE = "guide", "服务指南"
    INSPECTION = "inspection", "随机抽查事项"
    OFFICER = "officer", "执法人员"


class SearchEntry(models.Model):
    """One public thing in the portal search (`disclosure.search`): only public, masked content.
    `tokens` are the jieba tokens (space-joined); the full-text index over them is an FTS5
    table on SQLite and a `tsv tsvector` column with a GIN index on PostgreSQL (migration
    0002_search). Rows are written by `search.py` only (raw SQL, kept in step with the index)."""

    type = models.CharField("类型", max_length=12, choices=SearchType.choices)
    object_id = models.BigIntegerField("对象编号")
    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField("类别", max_length=10, blank=True)
    date = models.DateField("日期", null=True, blank=True)
    expires_on = models.DateField("公示期至", null=True, blank=True)
    url = models.CharField("链接", max_length=300)
    # The long columns last: SQLite reads the filter columns above without following the
    # row's overflow pages.
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文（脱敏）", blank=True)
    tokens = models.TextField("分词", blank=True)

    class Meta:
        verbose_name = "搜索条目"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["type", "object_id"], name="search_entry_once"),
        ]
        indexes = [models.Index(fields=["date", "id"], name="search_entry_date")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}：{self.title}"


class SearchDay(models.Model):
    """For each date, the lowest and highest id of the search entries of that date (or a wider
    range: ids of entries since moved to another date or removed stay in). A date filter reads
    these few rows instead of every entry of the range (`search._id_span`)."""

    date = models.DateField("日期", primary_key=True)
    low = models.BigIntegerField("最小条目编号")
    high = models.BigIntegerField("最大条目编号")

    class Meta:
        verbose_name = "搜索条目日期范围"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.date}：{self.low}–{self.high}"


class PublicPage(models.Model):
    """A decision's public page body, rendered (masked) when it is published, corrected or
    withdrawn, so a visitor's request reads one row instead of rendering (bench/portal.py:
    rendering per request held random detail pages to about a tenth of a trivial view). A
    page exists only for a public (published or withdrawn) decision.
    `fingerprint` names the templates and labels it was rendered with: a page rendered by an
    older release is not served (the page is rendered live) until `zhifa pages render`."""

    disclosure = models.OneToOneField(
        Disclosure, primary_key=True, on_delete=models.CASCADE, related_name="public_page"
    )
    title = models.CharField("页面标题", max_length=200)
    html = models.TextField("页面正文（脱敏）")
    # The decision's, copied at each public change (as the search entries do), so a visit
    # reads this row alone: the join with the decision cost 40 % of a visit on PostgreSQL.
    expires_on = models.DateField("公示期至", null=True, blank=True)
    fingerprint = models.CharField("模板指纹", max_length=16)
    rendered_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "公示页面"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.title
