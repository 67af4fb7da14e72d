"""The catalogue cases run on: the legal-basis library (laws, articles), enforcement items
(执法事项清单, P3/P4) with their approved versions, flow definitions (P6/C1/C4), document
templates (执法文书样本, P9) and per-agency numbering patterns (C2)."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core import numbering
from zhifa.org.roles import Role


class LawLevel(models.TextChoices):
    LAW = "法律", "法律"
    ADMIN_REGULATION = "行政法规", "行政法规"
    LOCAL_REGULATION = "地方性法规", "地方性法规"
    DEPARTMENT_RULE = "部门规章", "部门规章"
    LOCAL_RULE = "地方政府规章", "地方政府规章"
    NORMATIVE = "规范性文件", "规范性文件"
    OTHER = "其他", "其他"


class Law(models.Model):
    """One law or regulation in one version (its promulgation or latest revision date)."""

    title = models.CharField("名称", max_length=200)
    level = models.CharField("效力级别", max_length=20, choices=LawLevel.choices)
    version_date = models.DateField("公布或最近修订日期", null=True, blank=True)
    history = models.TextField("制定和修订情况", blank=True)
    source_file = models.CharField("来源文件", max_length=300, blank=True)
    source = models.CharField(
        "来源", max_length=300, blank=True, help_text="来源库、版本和路径，便于核对原文。"
    )

    class Meta:
        verbose_name = "法律法规"
        verbose_name_plural = verbose_name
        ordering = ["title", "-version_date"]
        constraints = [
            models.UniqueConstraint(fields=["title", "version_date"], name="law_unique_version"),
        ]

    def __str__(self) -> str:
        return f"《{self.title}》"

    @property
    def label(self) -> str:
        when = f"（{self.version_date:%Y年%m月%d日}）" if self.version_date else ""
        return f"《{self.title}》{when}"


class Article(models.Model):
    law = models.ForeignKey(
        Law, verbose_name="法律法规", on_delete=models.PROTECT, related_name="articles"
    )
    chapter = models.CharField("章", max_length=100, blank=True)
    section = models.CharField("节", max_length=100, blank=True)
    number = models.CharField("条号", max_length=20, help_text="例如：第五十八条")
    index = models.PositiveIntegerField("序号")
    text = models.TextField("条文")

    class Meta:
        verbose_name = "法条"
        verbose_name_plural = verbose_name
        ordering = ["law", "index"]
        constraints = [
            models.UniqueConstraint(fields=["law", "index"], name="article_unique_index"),
        ]

    def __str__(self) -> str:
        return f"《{self.law.title}》{self.number}"


class ItemKind(models.TextChoices):
    LICENCE = "licence", "行政许可"
    PENALTY = "penalty", "行政处罚"
    INSPECTION = "inspection", "行政检查"
    COERCION = "coercion", "行政强制"
    OTHER = "other", "其他"


class FlowDefinition(models.Model):
    """The steps a kind of case runs through. The same rows drive the cases' state machine,
    their checklists (C1) and the published flow chart (P6)."""

    code = models.CharField("编码", max_length=50, unique=True, help_text="例如 penalty.ordinary")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("执法类别", max_length=20, choices=ItemKind.choices)
    description = models.TextField("说明", blank=True)
    basis = models.TextField("程序依据", blank=True)

    class Meta:
        verbose_name = "执法流程"
        verbose_name_plural = verbose_name
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class Carrier(models.TextChoices):
    """Where a record is kept (记录载体)."""

    TEXT = "文字", "文字"
    AUDIO_VIDEO = "音像", "音像"
    PHOTO = "照片", "照片"
    ELECTRONIC = "电子数据", "电子数据"


class ClockUnit(models.TextChoices):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "自然日"


class FlowStep(models.Model):
    flow = models.ForeignKey(
        FlowDefinition, verbose_name="流程", on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    code = models.CharField("编码", max_length=50)
    name = models.CharField("环节名称", max_length=50)
    roles = models.JSONField("可办理角色", default=list, help_text="角色名称列表，例如 执法人员。")
    is_branch = models.BooleanField(
        "分支结果", default=False, help_text="不予立案、撤案、移送等主线之外的结果。"
    )
    optional = models.BooleanField("视情况办理", default=False, help_text="例如听证、集体讨论。")
    is_final = models.BooleanField("终结环节", default=False)
    record_content = models.TextField("记录内容", blank=True)
    record_method = models.CharField("记录方式", max_length=200, blank=True)
    carriers = models.JSONField("记录载体", default=list)
    requires_av = models.BooleanField("必须音像记录", default=False)
    min_certified_officers = models.PositiveSmallIntegerField("最少持证执法人员", default=0)
    clock_days = models.PositiveSmallIntegerField("法定期限（日）", null=True, blank=True)
    clock_unit = models.CharField("期限计算", max_length=10, choices=ClockUnit.choices, blank=True)
    clock_from = models.CharField(
        "期限起算环节", max_length=50, blank=True, help_text="起算环节的编码，空表示本环节开始。"
    )
    clock_basis = models.CharField("期限依据", max_length=200, blank=True)
    clock_note = models.CharField("期限说明", max_length=200, blank=True)
    basis = models.CharField("环节依据", max_length=300, blank=True)

    class Meta:
        verbose_name = "流程环节"
        verbose_name_plural = verbose_name
        ordering = ["flow", "order"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "code"], name="flowstep_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.flow.name}·{self.name}"

    def clean(self) -> None:
        unknown = [r for r in self.roles if r not in {role.value for role in Role}]
        if unknown:
            raise ValidationError({"roles": "未知的角色：" + "、".join(unknown)})
        bad = [c for c in self.carriers if c not in Carrier.values]
        if bad:
            raise ValidationError({"carriers": "未知的记录载体：" + "、".join(bad)})
        if self.requires_av and Carrier.AUDIO_VIDEO not in self.carriers:
            raise ValidationError({"carriers": "必须音像记录的环节，记录载体应包含“音像”。"})
        if self.clock_days and not self.clock_unit:
            raise ValidationError({"clock_unit": "设定了期限时请说明按工作日还是自然日计算。"})

    @property
    def clock_label(self) -> str:
        if not self.clock_days:
            return ""
        unit = "个工作日" if self.clock_unit == ClockUnit.WORKING else "日"
        return f"{self.clock_days}{unit}"


class FlowTransition(models.Model):
    """An allowed move from one step to the next (including branches)."""

    source = models.ForeignKey(
        FlowStep, verbose_name="从", on_delete=models.CASCADE, related_name="outgoing"
    )
    target = models.ForeignKey(
        FlowStep, verbose_name="到", on_delete=models.CASCADE, related_name="incoming"
    )
    label = models.CharField("条件", max_length=50, blank=True)

    class Meta:
        verbose_name = "流程走向"
        verbose_name_plural = verbose_name
        ordering = ["source__order", "target__order"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="flowtransition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source.name} → {self.target.name}"

    def clean(self) -> None:
        if self.source_id and self.target_id and self.source.flow_id != self.target.flow_id:
            raise ValidationError("流程走向只能连接同一流程的环节。")


class EnforcementItem(models.Model):
    """The identity of an enforcement item (执法事项); what it says lives in its versions."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="enforcement_items",
    )
    code = models.CharField("事项编码", max_length=50)
    current_version = models.OneToOneField(
        "EnforcementItemVersion",
        verbose_name="现行版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="最近一次批准的版本；未批准前为空，不对外公布。",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法事项"
        verbose_name_plural = verbose_name
        ordering = ["agency", "code"]
        permissions = [("approve_enforcementitem", "批准执法事项（发布前审批）")]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="item_unique_code_per_agency"),
        ]

    def __str__(self) -> str:
        name = self.current_version.name if self.current_version_id else ""
        return f"{self.code} {name}".strip()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPROVED = "approved", "已批准"


class EnforcementItemVersion(models.Model):
    """One version of an item. Approved versions are never edited: a change is a new version,
    and a case keeps the version it started under (P4)."""

    item = models.ForeignKey(
        EnforcementItem, verbose_name="执法事项", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("执法类别", max_length=20, choices=ItemKind.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="承办科室", on_delete=models.PROTECT, related_name="+"
    )
    duties = models.TextField("职责")
    powers = models.TextField("权限")
    articles = models.ManyToManyField(
        Article, verbose_name="依据", through="ItemBasis", related_name="item_versions"
    )
    discretion = models.JSONField("裁量基准", default=list, blank=True)
    area = models.ForeignKey(
        "org.EnforcementArea",
        verbose_name="执法领域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="办理本事项须持有该领域的有效执法证（持证上岗）。",
    )
    flow = models.ForeignKey(
        FlowDefinition,
        verbose_name="办理流程",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    change_note = models.CharField("变更说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="起草人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    # 服务指南 (P7): what cannot be derived from the version itself. 事项名称, 依据, 办理流程
    # and 办理时限 come from the version's name, basis and flow (`guide.py`), so the guide is
    # approved with the version and keeps its history (许可法 art. 30: conditions, procedure,
    # time limits and the list of materials are published).
    guide_accepting_body = models.CharField("受理机构", max_length=200, blank=True)
    guide_approving_body = models.CharField("审批机构", max_length=200, blank=True)
    guide_conditions = models.TextField("许可条件", blank=True)
    guide_preferential = models.TextField("优惠政策", blank=True)
    guide_materials = models.TextField("申请材料", blank=True)
    guide_supervision = models.TextField("监督方式", blank=True)
    guide_accountability = models.TextField("责任追究", blank=True)
    guide_remedy = models.TextField("救济渠道", blank=True)
    guide_office_hours = models.CharField("办公时间", max_length=200, blank=True)
    guide_office_address = models.CharField("办公地址", max_length=200, blank=True)
    guide_office_phone = models.CharField("办公电话", max_length=100, blank=True)

    class Meta:
        verbose_name = "执法事项版本"
        verbose_name_plural = verbose_name
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="itemversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版）"

    def clean(self) -> None:
        if self.pk:
            stored = EnforcementItemVersion.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] == VersionStatus.APPROVED:
                raise ValidationError("已批准的版本不能修改，请提出修订（生成新版本）。")
        if self.unit_id and self.item_id and self.unit.agency_id != self.item.agency_id:
            raise ValidationError({"unit": "承办科室不属于本执法主体，请重新选择。"})
        runs_case = self.kind in (ItemKind.PENALTY, ItemKind.LICENCE)
        if self.flow_id and runs_case and self.flow.kind != self.kind:
            label = self.get_kind_display()
            raise ValidationError({"flow": f"{label}事项应选择{label}流程。"})


class ItemBasis(models.Model):
    """An article an item version rests on, with an optional 款/项 note."""

    version = models.ForeignKey(
        EnforcementItemVersion, on_delete=models.CASCADE, related_name="basis"
    )
    article = models.ForeignKey(
        Article, verbose_name="法条", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("款、项", max_length=50, blank=True, help_text="例如：第一款")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事项依据"
        verbose_name_plural = verbose_name
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "article"], name="itembasis_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article}{self.note}"


class DocumentKind(models.TextChoices):
    FILING_APPROVAL = "filing_approval", "立案审批表"
    NO_FILING = "no_filing", "不予立案告知书"
    INSPECTION_RECORD = "inspection_record", "现场检查笔录"
    INQUIRY_RECORD = "inquiry_record", "询问笔录"
    INVESTIGATION_REPORT = "investigation_report", "案件调查终结报告"
    REVIEW_OPINION = "review_opinion", "法制审核意见书"
    PRIOR_NOTICE = "prior_notice", "行政处罚事先告知书"
    HEARING_NOTICE = "hearing_notice", "听证通知书"
    PENALTY_DECISION = "penalty_decision", "行政处罚决定书"
    NO_PENALTY_DECISION = "no_penalty_decision", "不予行政处罚决定书"
    ON_SPOT_DECISION = "on_spot_decision", "当场行政处罚决定书"
    SERVICE_RECEIPT = "service_receipt", "送达回证"
    CLOSING_REPORT = "closing_report", "结案报告"
    ACCEPTANCE = "acceptance", "受理通知书"
    NON_ACCEPTANCE = "non_acceptance", "不予受理决定书"
    CORRECTION_NOTICE = "correction_notice", "补正材料通知书"
    LICENCE_GRANT = "licence_grant", "准予行政许可决定书"
    LICENCE_REFUSAL = "licence_refusal", "不予行政许可决定书"


# Documents addressed to a party must state the cause (事由), the legal basis (依据) and the
# party's rights and duties (P9; 处罚法 arts. 44, 59; 许可法 arts. 32, 38).
PARTY_DOCUMENTS = {
    DocumentKind.NO_FILING,
    DocumentKind.PRIOR_NOTICE,
    DocumentKind.HEARING_NOTICE,
    DocumentKind.PENALTY_DECISION,
    DocumentKind.NO_PENALTY_DECISION,
    DocumentKind.ON_SPOT_DECISION,
    DocumentKind.ACCEPTANCE,
    DocumentKind.NON_ACCEPTANCE,
    DocumentKind.CORRECTION_NOTICE,
    DocumentKind.LICENCE_GRANT,
    DocumentKind.LICENCE_REFUSAL,
}
# Decisions that can be challenged must name 行政复议 (60 days, 行政复议法 art. 20) and
# 行政诉讼 (6 months, 行政诉讼法 art. 46) with their limits (处罚法 art. 59; 许可法 art. 38).
REMEDY_DOCUMENTS = {
    DocumentKind.PENALTY_DECISION,
    DocumentKind.ON_SPOT_DECISION,
    DocumentKind.NON_ACCEPTANCE,
    DocumentKind.LICENCE_REFUSAL,
}
PLACEHOLDER_RE = re.compile(r"\{([^{}\s]+)\}")


class DocumentTemplate(models.Model):
    """A standard document sample (执法文书样本). Without an agency it is the county-wide
    standard; an agency may keep its own version of a kind."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("文书种类", max_length=30, choices=DocumentKind.choices)
    title = models.CharField("文书标题", max_length=100)
    body = models.TextField(
        "正文模板",
        help_text="用 {占位符} 标出填写内容，如 {当事人}、{依据}。",
    )
    rights_statement = models.TextField("权利义务告知", blank=True)

    class Meta:
        verbose_name = "文书模板"
        verbose_name_plural = verbose_name
        ordering = ["kind", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind"], name="template_unique_kind_per_agency"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(agency=None),
                name="template_unique_standard_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def placeholders(self) -> list[str]:
        return list(dict.fromkeys(PLACEHOLDER_RE.findall(self.body)))

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind in PARTY_DOCUMENTS:
            missing = [p for p in ("事由", "依据", "权利义务") if p not in self.placeholders()]
            if missing:
                errors.setdefault("body", []).append(
                    "送达当事人的文书必须写明事由、依据和当事人的权利义务，请在正文中加入占位符："
                    + "、".join("{" + p + "}" for p in missing)
                )
            if not self.rights_statement.strip():
                errors.setdefault("rights_statement", []).append("请填写告知当事人的权利和义务。")
        if self.kind in REMEDY_DOCUMENTS:
            needed = ["行政复议", "六十日", "行政诉讼", "六个月"]
            absent = [word for word in needed if word not in self.rights_statement]
            if absent:
                errors.setdefault("rights_statement", []).append(
                    "决定类文书须告知申请行政复议（六十日内）和提起行政诉讼（六个月内）的途径和期限"
                    "（《行政处罚法》第五十九条），缺少：" + "、".join(absent)
                )
        if errors:
            raise ValidationError(errors)

    def render(self, values: dict[str, str]) -> str:
        """Fill the placeholders; {权利义务} becomes the rights statement (itself filled)."""
        body = self.body.replace("{权利义务}", self.rights_statement)
        return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), body)


NUMBERING_FIELDS = {"year", "seq"}


def validate_numbering_pattern(pattern: str) -> None:
    """A pattern such as 宁发改罚〔{year}〕{seq}号 (C2): must contain {year} and {seq}, nothing else
    in braces. The messages here say precisely what is wrong; core.numbering has the last word."""
    fields = PLACEHOLDER_RE.findall(pattern)
    unknown = sorted(set(fields) - NUMBERING_FIELDS)
    if unknown:
        raise ValidationError(
            "编号格式只能使用 {year}（年份）和 {seq}（序号），不认识："
            + "、".join("{" + f + "}" for f in unknown)
        )
    missing = [f"{{{f}}}" for f in ("year", "seq") if f not in fields]
    if missing:
        raise ValidationError(
            "编号格式必须包含 " + "和".join(missing) + "，例如：宁发改罚〔{year}〕{seq}号"
        )
    if any(fields.count(f) > 1 for f in NUMBERING_FIELDS):
        raise ValidationError("{year} 和 {seq} 在编号格式中各只能出现一次。")
    if pattern.count("{") != len(fields) or pattern.count("}") != len(fields):
        raise ValidationError("编号格式中的花括号不成对，请检查。")
    numbering.validate_pattern(pattern)  # core's rule, the one used when numbers are issued


class NumberingPattern(models.Model):
    """How an agency numbers one kind of document (e.g. 宁发改罚〔2026〕12号).

    Kinds that share a pattern (行政处罚决定书 and 不予行政处罚决定书 are both 宁发改罚〔…〕)
    share one gap-free series: the series is keyed by the pattern text, not the kind."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="执法主体",
        on_delete=models.PROTECT,
        related_name="numbering_patterns",
    )
    kind = models.CharField("文书种类", max_length=30, choices=DocumentKind.choices)
    pattern = models.CharField(
        "编号格式",
        max_length=60,
        validators=[validate_numbering_pattern],
        help_text="{year} 为年份、{seq} 为序号，例如：宁发改罚〔{year}〕{seq}号",
    )

    class Meta:
        verbose_name = "文书编号格式"
        verbose_name_plural = verbose_name
        ordering = ["agency", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="numbering_unique_kind"),
        ]

    def __str__(self) -> str:
        return self.pattern

    def format(self, *, year: int, seq: int) -> str:
        return numbering.format_number(self.pattern, year=year, seq=seq)

    def issue(self, *, on: dt.date) -> str:
        """The next number of this series for the year of `on`, inside the caller's
        transaction (a rollback returns it)."""
        seq = numbering.allocate(agency_id=self.agency_id, kind=self.pattern, year=on.year)
        return self.format(year=on.year, seq=seq)


class RandomInspectionItem(models.Model):
    """One entry of an agency's 随机抽查事项清单 (P5; 国办发〔2015〕58号): who inspects, on what
    basis, whom, what, how many, how and how often. Published on the portal."""

    agency = models.ForeignKey(
        "org.Agency",
        verbose_name="抽查主体",
        on_delete=models.PROTECT,
        related_name="random_inspection_items",
    )
    code = models.CharField("编码", max_length=50, help_text="本机关内唯一，例如 CC-001。")
    name = models.CharField("抽查事项", max_length=200)
    articles = models.ManyToManyField(
        Article, verbose_name="抽查依据", through="InspectionBasis", related_name="+"
    )
    target = models.TextField("抽查对象")
    content = models.TextField("抽查内容")
    ratio = models.CharField("抽查比例", max_length=100, help_text="例如：不低于5%。")
    method = models.CharField(
        "抽查方式", max_length=200, help_text="例如：双随机抽查，实地核查与书面检查相结合。"
    )
    frequency = models.CharField("抽查频次", max_length=100, help_text="例如：每年不少于1次。")
    item = models.ForeignKey(
        EnforcementItem,
        verbose_name="对应行政检查事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="random_inspections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "随机抽查事项"
        verbose_name_plural = verbose_name
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="randominspection_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.item_id and self.agency_id and self.item.agency_id != self.agency_id:
            raise ValidationError({"item": "对应的检查事项不属于本执法主体，请重新选择。"})


class InspectionBasis(models.Model):
    """An article a random-inspection entry rests on, with an optional 款/项 note."""

    entry = models.ForeignKey(RandomInspectionItem, on_delete=models.CASCADE, related_name="basis")
    article = models.ForeignKey(
        Article, verbose_name="法条", on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField("款、项", max_length=50, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "抽查依据"
        verbose_name_plural = verbose_name
        ordering = ["entry", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "article"], name="inspectionbasis_once"),
        ]

    def __str__(self) -> str:
        return f"{self.article}{self.note}"
