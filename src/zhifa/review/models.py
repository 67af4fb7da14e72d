"""Legal review (重大执法决定法制审核, 118号; 处罚法 art. 58) and collective discussion (集体讨论,
处罚法 art. 57).

`ReviewRule` rows are the agency's 审核目录清单 (L5) and `ReviewSettings` its procedure (L1,
L7); a `Review` is one round of review of a case (L6, L8), with one `ReviewFinding` per
statutory item; a `Discussion` records the leaders' collective discussion (L9).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhifa.cases.models import validate_sha256


class ReviewSettings(models.Model):
    agency = models.OneToOneField(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    all_ordinary = models.BooleanField(
        "普通程序案件一律审核",
        default=False,
        help_text="开启后，简易程序以外的所有决定均须经法制审核（L7）。",
    )
    time_limit_days = models.PositiveSmallIntegerField("审核期限（工作日）", default=7)
    extension_days = models.PositiveSmallIntegerField("可延长（工作日）", default=5)
    quorum = models.PositiveSmallIntegerField(
        "集体讨论最少参加人数", default=3, help_text="含主持人在内的局领导人数。"
    )

    class Meta:
        verbose_name = "法制审核设置"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.agency}法制审核设置"

    def clean(self) -> None:
        if self.time_limit_days < 1:
            raise ValidationError({"time_limit_days": "审核期限至少为1个工作日。"})
        if self.quorum < 2:
            raise ValidationError({"quorum": "集体讨论至少须2名局领导参加。"})


class ReviewRule(models.Model):
    """One line of the 审核目录清单: every condition that is set must hold (and)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("审核情形", max_length=200)
    basis = models.CharField("依据", max_length=300, help_text="例如：处罚法第五十八条第一款")
    active = models.BooleanField("启用", default=True)
    case_kind = models.CharField(
        "案件类别",
        max_length=10,
        blank=True,
        choices=[("penalty", "行政处罚"), ("licence", "行政许可")],
        help_text="留空表示不限。",
    )
    item = models.ForeignKey(
        "catalog.EnforcementItem",
        verbose_name="执法事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    penalty_types = models.JSONField(
        "处罚种类（任一）", default=list, blank=True, help_text="拟作出的处罚含其中任一种即符合。"
    )
    threshold_person = models.BigIntegerField(
        "自然人金额起点（分）", null=True, blank=True, help_text="罚没金额达到此数的自然人案件。"
    )
    threshold_organisation = models.BigIntegerField(
        "法人或其他组织金额起点（分）", null=True, blank=True
    )
    hearing_held = models.BooleanField("经过听证", default=False)
    major_social_impact = models.BooleanField("重大社会影响", default=False)
    complex_case = models.BooleanField("案情复杂", default=False)
    major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    suspected_crime = models.BooleanField("涉嫌犯罪需移送", default=False)
    requires_discussion = models.BooleanField("须集体讨论", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "法制审核目录规则"
        verbose_name_plural = verbose_name
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    FLAGS = ("major_social_impact", "complex_case", "major_public_interest", "suspected_crime")

    def has_condition(self) -> bool:
        return bool(
            self.case_kind
            or self.item_id
            or self.penalty_types
            or self.threshold_person is not None
            or self.threshold_organisation is not None
            or self.hearing_held
            or any(getattr(self, f) for f in self.FLAGS)
        )

    def clean(self) -> None:
        if not self.has_condition():
            raise ValidationError(
                "请至少设置一项条件（案件类别、事项、处罚种类、金额、听证或情形）。"
            )
        for field in ("threshold_person", "threshold_organisation"):
            value = getattr(self, field)
            if value is not None and value < 0:
                raise ValidationError({field: "金额不能为负数。"})


class Opinion(models.TextChoices):
    AGREE = "agree", "同意"
    AGREE_REVISED = "agree_revised", "修改后同意"
    DISAGREE = "disagree", "不同意"
    RETURN = "return", "退回补充调查"


PASSING = {Opinion.AGREE, Opinion.AGREE_REVISED}


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", "已报送待分配"
    ASSIGNED = "assigned", "审核中"
    CHECKED = "checked", "待复审"
    ISSUED = "issued", "已出具意见"
    ACCEPTED = "accepted", "承办机构已采纳"
    DISAGREED = "disagreed", "承办机构有异议"
    COORDINATED = "coordinated", "已协调"
    RETURNED = "returned", "已退回补充调查"


class Coordination(models.TextChoices):
    ADOPT_REVIEW = "adopt_review", "按法制审核意见办理"
    ADOPT_UNIT = "adopt_unit", "按承办机构意见办理"
    DISCUSSION = "discussion", "提交集体讨论决定"


# The ten statutory items (118号).
ITEMS = (
    ("subject", "执法主体"),
    ("staff", "执法人员资格"),
    ("procedure", "程序"),
    ("facts", "事实"),
    ("evidence", "证据"),
    ("law", "法律适用"),
    ("discretion", "裁量基准"),
    ("authority", "是否超越权限"),
    ("documents", "文书"),
    ("crime", "是否涉嫌犯罪需移送"),
)
ITEM_NAMES = dict(ITEMS)


class Review(models.Model):
    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="reviews"
    )
    round = models.PositiveSmallIntegerField("审核轮次")
    entry_record = models.PositiveBigIntegerField(
        "进入审核环节记录", help_text="报送时案件最近一次转入法制审核环节的流转记录编号。"
    )
    status = models.CharField(
        "状态", max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED
    )
    proposal = models.TextField("拟处理意见")
    report = models.TextField("调查终结报告")
    materials = models.JSONField("报送材料（证据和文书清单）", default=dict)
    submitted_at = models.DateTimeField("报送时间")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("审核期限")
    extension_reason = models.CharField("延长理由", max_length=300, blank=True)
    reviewer = models.ForeignKey(
        "org.Staff",
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    re_reviewer = models.ForeignKey(
        "org.Staff",
        verbose_name="复审人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.CharField("审查意见", max_length=20, choices=Opinion.choices, blank=True)
    opinion_text = models.TextField("审查意见说明", blank=True)
    articles = models.ManyToManyField("catalog.Article", verbose_name="审查依据", blank=True)
    number = models.CharField("审核意见书编号", max_length=60, blank=True)
    issued_on = models.DateField("出具日期", null=True, blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    docx_sha256 = models.CharField("DOCX SHA-256", max_length=64, blank=True)
    unit_reasons = models.TextField("承办机构不采纳理由", blank=True)
    coordination = models.CharField(
        "协调结果", max_length=20, choices=Coordination.choices, blank=True
    )
    coordination_note = models.TextField("协调意见", blank=True)
    coordinated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="协调人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    coordinated_at = models.DateTimeField("协调时间", null=True, blank=True)

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = verbose_name
        ordering = ["case", "round"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="review_unique_round"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.case}第{self.round}轮法制审核"

    @property
    def passed(self) -> bool:
        """The handling unit accepted a passing opinion, or the head decided to proceed."""
        if self.status == ReviewStatus.ACCEPTED:
            return self.opinion in PASSING
        if self.status == ReviewStatus.COORDINATED:
            if self.coordination == Coordination.ADOPT_UNIT:
                return True
            if self.coordination == Coordination.ADOPT_REVIEW:
                return self.opinion in PASSING
        return False

    @property
    def open(self) -> bool:
        return self.status in (
            ReviewStatus.SUBMITTED,
            ReviewStatus.ASSIGNED,
            ReviewStatus.CHECKED,
            ReviewStatus.ISSUED,
            ReviewStatus.DISAGREED,
        )


class ReviewFinding(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField("审查事项", max_length=20, choices=ITEMS)
    lawful = models.BooleanField("合法")
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "审查事项意见"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_finding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}：{'合法' if self.lawful else '存在问题'}"


class LegalAdviceRequest(models.Model):
    """An opinion asked of a legal adviser or 公职律师 inside a review (L4)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="advice")
    adviser = models.CharField("法律顾问或公职律师", max_length=100)
    question = models.TextField("咨询事项")
    asked_on = models.DateField("咨询日期")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="咨询人", on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField("法律意见", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)

    class Meta:
        verbose_name = "法律顾问意见"
        verbose_name_plural = verbose_name
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.adviser}：{self.question[:20]}"


class Discussion(models.Model):
    """集体讨论 by the agency's leaders (处罚法 art. 57)."""

    agency = models.ForeignKey(
        "org.Agency", verbose_name="执法主体", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="discussions"
    )
    held_on = models.DateField("讨论日期")
    chair = models.ForeignKey(
        "org.Staff", verbose_name="主持人", on_delete=models.PROTECT, related_name="+"
    )
    matters = models.TextField(
        "讨论事项", blank=True, help_text="提交讨论的事项，例如案件拟作出的处理决定。"
    )
    conclusion = models.TextField("讨论决定")
    minutes_sha256 = models.CharField(
        "会议记录文件 SHA-256", max_length=64, blank=True, validators=[validate_sha256]
    )
    minutes_filename = models.CharField("会议记录文件名", max_length=255, blank=True)
    minutes_content_type = models.CharField("会议记录文件类型", max_length=100, blank=True)
    minutes_size = models.PositiveBigIntegerField("会议记录文件大小（字节）", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = verbose_name
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.case}集体讨论（{self.held_on}）"


class DiscussionAttendee(models.Model):
    discussion = models.ForeignKey(Discussion, on_delete=models.CASCADE, related_name="attendees")
    staff = models.ForeignKey(
        "org.Staff", verbose_name="参加人", on_delete=models.PROTECT, related_name="+"
    )
    opinion = models.TextField("发表意见")

    class Meta:
        verbose_name = "集体讨论参加人"
        verbose_name_plural = verbose_name
        constraints = [
            models.UniqueConstraint(
                fields=["discussion", "staff"], name="discussion_attendee_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.staff)
