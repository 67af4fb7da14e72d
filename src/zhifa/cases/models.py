"""Cases (案件) of 行政处罚 and 行政许可, their parties and step history.

The models stay lean: which moves are allowed comes from the catalogue's FlowDefinition, the
checks live in `services`, and the full record of every change is the ledger.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core.codes import validate_resident_id, validate_uscc


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Party(models.Model):
    """A party (当事人 / 申请人) known to one agency."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=20, choices=PartyKind.choices)
    name = models.CharField("姓名或名称", max_length=200)
    id_number = models.CharField(
        "公民身份号码", max_length=18, blank=True, validators=[validate_resident_id]
    )
    is_minor = models.BooleanField("未成年人", default=False)
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, blank=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField("法定代表人或负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("住所或地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = verbose_name
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.id_number = self.id_number.strip().upper()
        self.credit_code = self.credit_code.strip().upper()
        if self.kind == PartyKind.PERSON:
            if not self.id_number:
                raise ValidationError({"id_number": "自然人当事人请填写18位公民身份号码。"})
            if self.credit_code:
                raise ValidationError({"credit_code": "自然人不填统一社会信用代码。"})
        elif self.kind == PartyKind.ORGANISATION:
            if not self.credit_code:
                raise ValidationError({"credit_code": "单位当事人请填写18位统一社会信用代码。"})
            if self.id_number or self.is_minor:
                raise ValidationError({"id_number": "单位当事人不填公民身份号码和未成年人标记。"})


class CaseKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENCE = "licence", "行政许可"


class Procedure(models.TextChoices):
    ORDINARY = "ordinary", "普通程序"
    SIMPLE = "simple", "简易程序"


class CaseStatus(models.TextChoices):
    OPEN = "open", "办理中"
    CLOSED = "closed", "已办结"  # 结案 / final decision taken, awaiting 归档
    ARCHIVED = "archived", "已归档"


class Outcome(models.TextChoices):
    NONE = "", "—"
    PENALTY = "penalty", "作出处罚"
    NO_PENALTY = "no_penalty", "不予处罚"
    TRANSFER = "transfer", "移送"
    NOT_FILED = "not_filed", "不予立案"
    WITHDRAWN = "withdrawn", "撤案"
    GRANTED = "granted", "准予许可"
    REFUSED = "refused", "不予许可"
    NOT_ACCEPTED = "not_accepted", "不予受理"


class PenaltyType(models.TextChoices):
    """处罚法 art. 9."""

    WARNING = "警告", "警告"
    CRITICISM = "通报批评", "通报批评"
    FINE = "罚款", "罚款"
    CONFISCATE_GAINS = "没收违法所得", "没收违法所得"
    CONFISCATE_PROPERTY = "没收非法财物", "没收非法财物"
    SUSPEND_LICENCE = "暂扣许可证件", "暂扣许可证件"
    DOWNGRADE = "降低资质等级", "降低资质等级"
    REVOKE_LICENCE = "吊销许可证件", "吊销许可证件"
    RESTRICT_BUSINESS = "限制开展生产经营活动", "限制开展生产经营活动"
    SUSPEND_BUSINESS = "责令停产停业", "责令停产停业"
    CLOSE = "责令关闭", "责令关闭"
    RESTRICT_PRACTICE = "限制从业", "限制从业"
    DETENTION = "行政拘留", "行政拘留"
    OTHER = "其他", "其他"


class ServiceMethod(models.TextChoices):
    """处罚法 art. 61 (by reference to 民事诉讼法); 许可法 art. 44."""

    DIRECT = "direct", "直接送达"
    LEFT = "left", "留置送达"
    POST = "post", "邮寄送达"
    ELECTRONIC = "electronic", "电子送达"
    PUBLIC = "public", "公告送达"


class PaymentMethod(models.TextChoices):
    """How a fine was paid: at the designated bank or electronically (处罚法 art. 67), or
    collected on the spot by the officers (arts. 68, 69)."""

    BANK = "bank", "银行/电子缴纳"
    CASH = "cash", "当场收缴"


class Case(models.Model):
    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField("案件编号", max_length=60, blank=True)
    kind = models.CharField("案件类别", max_length=10, choices=CaseKind.choices)
    procedure = models.CharField(
        "程序", max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY
    )
    item_version = models.ForeignKey(
        "catalog.EnforcementItemVersion",
        verbose_name="执法事项（版本）",
        on_delete=models.PROTECT,
        related_name="cases",
    )
    flow = models.ForeignKey(
        "catalog.FlowDefinition",
        verbose_name="办理流程",
        on_delete=models.PROTECT,
        related_name="+",
    )
    party = models.ForeignKey(
        Party, verbose_name="当事人", on_delete=models.PROTECT, related_name="cases"
    )
    title = models.CharField("案由或申请事项", max_length=200)
    source = models.CharField("案件来源", max_length=50, blank=True)
    step = models.CharField("当前环节", max_length=50)
    status = models.CharField(
        "状态", max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    outcome = models.CharField(
        "办理结果", max_length=20, choices=Outcome.choices, blank=True, default=""
    )
    handlers = models.ManyToManyField(
        "org.Staff", verbose_name="承办人", blank=True, related_name="cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    # Dates (a date each; the ledger holds the exact times).
    registered_on = models.DateField("线索登记或收到申请日期")
    filed_on = models.DateField("立案或受理日期", null=True, blank=True)
    correction_notified_on = models.DateField("补正告知日期", null=True, blank=True)
    correction_items = models.TextField("补正内容", blank=True)
    notified_on = models.DateField("事先告知送达日期", null=True, blank=True)
    hearing_right = models.BooleanField("告知听证权利", default=False)
    hearing_requested = models.BooleanField("当事人申请听证", default=False)
    hearing_held = models.BooleanField("已举行听证", default=False)
    rights_waived_on = models.DateField("当事人书面放弃陈述申辩听证日期", null=True, blank=True)
    extended = models.BooleanField("决定期限已延长", default=False)
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decision_number = models.CharField("决定书文号", max_length=60, blank=True)
    decision_reason = models.TextField(
        "理由（不予立案、撤案、不予处罚、移送、不予许可等）", blank=True
    )
    e_service_address = models.CharField("电子送达地址", max_length=200, blank=True)
    e_service_consent_on = models.DateField("同意电子送达确认日期", null=True, blank=True)
    served_on = models.DateField("送达日期", null=True, blank=True)
    service_method = models.CharField(
        "送达方式", max_length=20, choices=ServiceMethod.choices, blank=True
    )
    paid_on = models.DateField("缴款日期", null=True, blank=True)
    paid_amount = models.BigIntegerField("缴款金额（分）", null=True, blank=True)
    payment_method = models.CharField(
        "缴款方式", max_length=10, choices=PaymentMethod.choices, blank=True, default=""
    )
    closed_on = models.DateField("结案日期", null=True, blank=True)
    archived_on = models.DateField("归档日期", null=True, blank=True)

    # The proposed (then decided) penalty.
    penalty_types = models.JSONField("处罚种类", default=list, blank=True)
    fine_amount = models.BigIntegerField("罚款金额（分）", default=0)
    confiscation_amount = models.BigIntegerField("没收金额（分）", default=0)
    decision_content = models.TextField("处罚或许可内容", blank=True)
    facts = models.TextField("违法事实或审查意见", blank=True)
    # The 裁量基准 circumstance the handler applied to the proposed penalty (118号), as chosen
    # in `services.case_propose_decision`: {"index", "circumstance", "penalty", "base_label",
    # "base", "low", "high", "fines", "departure", "reason"} (amounts in 分); empty when the
    # item has no 裁量基准.
    discretion_choice = models.JSONField("裁量基准适用情况", default=dict, blank=True)

    # 追责时效 (处罚法 art. 36): when the violation occurred, whether it is continuing (连续或者
    # 继续状态) and when that state ended, and whether it endangered citizens' life and health
    # or financial safety with harmful consequences (5 years instead of 2). Entered with the
    # clue and correctable until 立案; `services.case_file` requires them (old cases may lack
    # them). Discovery is the clue's `registered_on`.
    violation_on = models.DateField("违法行为发生日期", null=True, blank=True)
    violation_continuing = models.BooleanField("违法行为有连续或者继续状态", default=False)
    violation_ended_on = models.DateField("连续或者继续状态终了日期", null=True, blank=True)
    harms_safety = models.BooleanField("涉及公民生命健康安全、金融安全且有危害后果", default=False)

    # Flags steering legal review (处罚法 art. 58), collective discussion (art. 57) and
    # transfer (art. 27).
    major_social_impact = models.BooleanField("重大社会影响", default=False)
    complex_case = models.BooleanField("案情复杂或涉及多个法律关系", default=False)
    major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    suspected_crime = models.BooleanField("涉嫌犯罪需移送", default=False)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=~models.Q(number=""),
                name="case_unique_number_per_agency",
            ),
            models.CheckConstraint(condition=models.Q(fine_amount__gte=0), name="case_fine_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.number or '（未编号）'} {self.title}"

    def clean(self) -> None:
        if self.party_id and self.agency_id and self.party.agency_id != self.agency_id:
            raise ValidationError({"party": "当事人不属于本执法主体，请重新选择。"})
        unknown = [t for t in self.penalty_types if t not in PenaltyType.values]
        if unknown:
            raise ValidationError({"penalty_types": "未知的处罚种类：" + "、".join(unknown)})
        if self.fine_amount and PenaltyType.FINE not in self.penalty_types:
            raise ValidationError({"fine_amount": "填写了罚款金额时，处罚种类应包含“罚款”。"})
        if PenaltyType.FINE in self.penalty_types and self.fine_amount <= 0:
            raise ValidationError({"fine_amount": "处罚种类包含罚款时，请填写罚款金额。"})


class CaseStepRecord(models.Model):
    """One move of a case from a step to the next: who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="step_records")
    from_step = models.CharField("原环节", max_length=50, blank=True)
    to_step = models.CharField("新环节", max_length=50)
    label = models.CharField("走向", max_length=50, blank=True)
    reason = models.TextField("理由或意见", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件环节记录"
        verbose_name_plural = verbose_name
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_step} → {self.to_step}"


class MediaKind(models.TextChoices):
    VIDEO = "video", "视频"
    AUDIO = "audio", "录音"
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "书证扫描件"
    DATA = "data", "电子数据"


AV_MEDIA = (MediaKind.VIDEO, MediaKind.AUDIO)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def validate_sha256(value: str) -> None:
    if not SHA256_RE.match(value):
        raise ValidationError("证据文件摘要应为64位小写十六进制的SHA-256值。")


class CaseEvidence(models.Model):
    """A reference to a stored evidence blob (by SHA-256) attached to one step of a case.
    Upload, playback and metadata capture are the ledger's evidence store; this row is what
    the step checks (C4)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    step = models.CharField("环节", max_length=50)
    sha256 = models.CharField("SHA-256", max_length=64, validators=[validate_sha256])
    media_kind = models.CharField("类别", max_length=10, choices=MediaKind.choices)
    description = models.CharField("说明", max_length=200, blank=True)
    device = models.ForeignKey(
        "org.Device",
        verbose_name="采集设备",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    filename = models.CharField("原始文件名", max_length=255, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.BigIntegerField("大小（字节）", null=True, blank=True)
    captured_at = models.DateTimeField("采集时间", null=True, blank=True)
    location = models.CharField("采集地点", max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="添加人", on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件证据"
        verbose_name_plural = verbose_name
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "sha256"], name="evidence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_media_kind_display()} {self.sha256[:12]}"


class AvException(models.Model):
    """A leader-approved reason why a step that requires an audio-visual record has none
    (C4: recording impossible or unsafe, device failure, ...)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="av_exceptions")
    step = models.CharField("环节", max_length=50)
    reason = models.TextField("未音像记录的理由")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="批准人", on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = "音像记录例外"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["case", "step"], name="av_exception_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}·{self.step}"


class IssuedDocument(models.Model):
    """A document (执法文书) issued in a case: numbered from the agency's pattern, rendered to
    PDF and DOCX from a catalogue template, both files stored as blobs by SHA-256 and the
    hashes recorded in the ledger (`document.issued`, P9, C2)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=30)
    number = models.CharField("文书编号", max_length=60, blank=True)
    title = models.CharField("文书标题", max_length=100)
    step = models.CharField("出具环节", max_length=50)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, validators=[validate_sha256])
    docx_sha256 = models.CharField("DOCX SHA-256", max_length=64, validators=[validate_sha256])
    pdf_size = models.PositiveBigIntegerField("PDF大小（字节）", default=0)
    docx_size = models.PositiveBigIntegerField("DOCX大小（字节）", default=0)
    template = models.ForeignKey(
        "catalog.DocumentTemplate",
        verbose_name="文书模板",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    template_version = models.CharField(
        "模板版本（内容摘要）", max_length=64, help_text="所用模板标题、正文和权利告知的SHA-256。"
    )
    context = models.JSONField("填写内容快照", default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="出具人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("出具时间", auto_now_add=True)

    class Meta:
        verbose_name = "已出具文书"
        verbose_name_plural = verbose_name
        ordering = ["case", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"],
                condition=~models.Q(number=""),
                name="issued_document_unique_number_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）" if self.number else self.title

    def filename(self, extension: str) -> str:
        """e.g. 行政处罚决定书（宁发改罚〔2026〕1号）.pdf — the original Chinese name."""
        stem = self.title + (f"（{self.number}）" if self.number else "")
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", stem)
        return f"{stem}.{extension}"


# --- 听证笔录 and the extension of the decision deadline -----------------------------------


class ClosedGround(models.TextChoices):
    """处罚法 art. 64(3): a hearing is public except where it involves these."""

    STATE_SECRET = "state_secret", "涉及国家秘密"
    COMMERCIAL_SECRET = "commercial_secret", "涉及商业秘密"
    PRIVACY = "privacy", "涉及个人隐私"


class HearingSignature(models.TextChoices):
    """处罚法 art. 64(8): the record is checked and signed or sealed by the party or its agent;
    a refusal is noted in the record by the presider."""

    SIGNED = "signed", "已交当事人或其代理人核对无误，签字或者盖章"
    REFUSED = "refused", "当事人或其代理人拒绝签字或者盖章，主持人已在笔录中注明"


class HearingRecord(models.Model):
    """听证笔录 of a penalty case's hearing (处罚法 arts. 64, 65). Saving it completes the
    听证 step; the ledger holds the SHA-256 of its content."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="hearing_records"
    )
    notice_served_on = models.DateField("听证通知送达日期")
    held_at = models.DateTimeField("举行时间")
    place = models.CharField("地点", max_length=200)
    presider = models.ForeignKey(
        "org.Staff", verbose_name="主持人", on_delete=models.PROTECT, related_name="+"
    )
    recorder = models.ForeignKey(
        "org.Staff", verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    participants = models.TextField("当事人及其代理人等参加人员")
    public = models.BooleanField("公开举行", default=True)
    closed_ground = models.CharField(
        "不公开的情形", max_length=20, choices=ClosedGround.choices, blank=True
    )
    closed_reason = models.TextField("不公开的理由", blank=True)
    statements = models.TextField("陈述申辩要点")
    signature = models.CharField("笔录核对签字", max_length=10, choices=HearingSignature.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "听证笔录"
        verbose_name_plural = verbose_name
        ordering = ["case", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}·听证笔录（{self.held_at:%Y-%m-%d}）"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class DecisionExtension(models.Model):
    """A request to extend a penalty case's decision deadline (处罚法 art. 60: 90 days from
    立案 unless a law, regulation or rule provides otherwise; the sector rules allow +30 days
    with the head's approval) and the 局领导's answer. At most one is approved per case."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField("延长日数")
    reason = models.CharField("申请理由", max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField("申请日期")
    status = models.CharField(
        "状态", max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField("审批日期", null=True, blank=True)
    opinion = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延长处罚决定期限申请"
        verbose_name_plural = verbose_name
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_case",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="approved"),
                name="extension_one_approved_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}·延长{self.days}日（{self.get_status_display()}）"


# --- 回避 (处罚法 art. 43) -------------------------------------------------------------------


class RecusalKind(models.TextChoices):
    DECLARED = "declared", "承办人自行申请回避"
    PARTY = "party", "当事人申请回避"


class RecusalStatus(models.TextChoices):
    PENDING = "pending", "待局领导决定"
    GRANTED = "granted", "决定回避"
    REJECTED = "rejected", "不予回避"


class Recusal(models.Model):
    """A handler's own declaration of a conflict of interest, or the party's application that
    a named handler withdraw (处罚法 art. 43), and the agency head's decision. A granted
    recusal takes the handler off the case, replaced so that the case keeps two certified
    handlers; the investigation goes on while the decision is pending."""

    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="recusals"
    )
    kind = models.CharField("申请方式", max_length=10, choices=RecusalKind.choices)
    handler = models.ForeignKey(
        "org.Staff", verbose_name="被申请回避的承办人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申请理由")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField("申请日期")
    status = models.CharField(
        "状态", max_length=10, choices=RecusalStatus.choices, default=RecusalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField("决定日期", null=True, blank=True)
    opinion = models.TextField("决定意见", blank=True)
    replacements = models.ManyToManyField(
        "org.Staff", verbose_name="替换的承办人", blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "回避申请"
        verbose_name_plural = verbose_name
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "handler"],
                condition=models.Q(status="pending"),
                name="recusal_one_pending_per_handler",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}·{self.get_kind_display()}（{self.get_status_display()}）"


# --- 当场收缴罚款 (处罚法 arts. 68-71) ---------------------------------------------------------


class CashGround(models.TextChoices):
    """Why the officers may collect the fine on the spot instead of the party paying at the
    bank (处罚法 art. 67)."""

    SMALL_FINE = "small_fine", "当场处罚，依法给予100元以下罚款（第六十八条第（一）项）"
    HARD_TO_ENFORCE = "hard_to_enforce", "当场处罚，不当场收缴事后难以执行（第六十八条第（二）项）"
    REMOTE = (
        "remote",
        ("边远、水上、交通不便地区，当事人到银行或电子缴纳确有困难，经当事人提出（第六十九条）"),
    )


class CashCollection(models.Model):
    """Cash a fine's officers collected on the spot, with the official receipt issued
    (处罚法 art. 70), its hand-over to the agency within 2 working days and the agency's
    payment into the designated bank within 2 working days of receiving it (arts. 71, 85)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    case = models.OneToOneField(
        Case, verbose_name="案件", on_delete=models.PROTECT, related_name="cash_collection"
    )
    ground = models.CharField("当场收缴的情形", max_length=20, choices=CashGround.choices)
    reason = models.TextField("具体理由", blank=True)
    receipt_number = models.CharField("罚款收据（专用票据）号码", max_length=50)
    amount = models.BigIntegerField("收缴金额（分）")
    collected_on = models.DateField("收缴日期")
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收缴人", on_delete=models.PROTECT, related_name="+"
    )
    handed_over_on = models.DateField("交至行政机关日期", null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="交款人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by = models.ForeignKey(
        "org.Staff",
        verbose_name="接收人（办公室/财务）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    banked_on = models.DateField("缴付银行日期", null=True, blank=True)
    banked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="缴付人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bank_voucher = models.CharField("银行缴款凭证号", max_length=60, blank=True)

    class Meta:
        verbose_name = "当场收缴罚款"
        verbose_name_plural = verbose_name
        ordering = ["agency", "collected_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "receipt_number"], name="cash_receipt_once_per_agency"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="cash_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}·当场收缴（{self.receipt_number}）"
