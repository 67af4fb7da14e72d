"""Agencies (执法主体), units (科室), staff, enforcement certificates (执法证), legal-review
qualifications, training, and the leading group (领导小组)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhifa.core.codes import validate_uscc


class Agency(models.Model):
    name = models.CharField("执法主体名称", max_length=100, unique=True)
    short_name = models.CharField(
        "机关代字", max_length=20, help_text="用于文书编号，例如“宁发改”。"
    )
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_uscc]
    )
    region_code = models.CharField("行政区划代码", max_length=12)
    region_name = models.CharField("行政区划", max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级监督机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("办公电话", max_length=50, blank=True)

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = verbose_name
        ordering = ["name"]
        permissions = [("view_all_agencies", "查看全县各执法主体的数据")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.credit_code = self.credit_code.strip().upper()


class Unit(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField("科室名称", max_length=50)
    is_legal_unit = models.BooleanField("法制机构", default=False)

    class Meta:
        verbose_name = "科室"
        verbose_name_plural = verbose_name
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class LegalQualification(models.TextChoices):
    NONE = "", "无"
    LICENSED = "licensed", "法律职业资格"
    BACKGROUND = "background", "法律专业背景"


class Staff(models.Model):
    """A person working for an agency: a login plus what the law needs to know of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        related_name="staff",
    )
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="staff"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    real_name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    legal_qualification = models.CharField(
        "法制审核资格", max_length=20, choices=LegalQualification.choices, blank=True
    )
    qualification_detail = models.CharField(
        "资格说明",
        max_length=200,
        blank=True,
        help_text="法律职业资格证书编号，或法律专业学历、从事法制工作年限等。",
    )
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = verbose_name
        ordering = ["agency", "unit", "real_name"]

    def __str__(self) -> str:
        return self.real_name

    def clean(self) -> None:
        if self.unit_id and self.agency_id and self.unit.agency_id != self.agency_id:
            raise ValidationError({"unit": "所选科室不属于该执法主体，请重新选择。"})
        if self.qualification_detail and not self.legal_qualification:
            raise ValidationError({"legal_qualification": "填写了资格说明时，请选择资格类型。"})


class EnforcementArea(models.Model):
    """执法区域 / 执法类别 named on certificates, e.g. 发展改革、节能监察、招标投标."""

    name = models.CharField("执法领域", max_length=50, unique=True)

    class Meta:
        verbose_name = "执法领域"
        verbose_name_plural = verbose_name
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    REVOKED = "revoked", "注销"


class Certificate(models.Model):
    """行政执法证. Acting in an enforcement step needs a valid one for the area (P10)."""

    number = models.CharField("证件编号", max_length=40, unique=True)
    holder = models.ForeignKey(
        Staff, verbose_name="持证人", on_delete=models.PROTECT, related_name="certificates"
    )
    issuing_authority = models.CharField("发证机关", max_length=100)
    areas = models.ManyToManyField(EnforcementArea, verbose_name="执法领域")
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期至")
    status = models.CharField(
        "状态", max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "行政执法证"
        verbose_name_plural = verbose_name
        ordering = ["valid_to"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="certificate_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}（{self.holder}）"

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "有效期至不能早于有效期起。"})
        if self.status != CertificateStatus.VALID and not self.status_reason.strip():
            raise ValidationError({"status_reason": "暂扣或注销执法证时必须填写原因。"})

    def is_valid_on(self, day: dt.date) -> bool:
        return self.status == CertificateStatus.VALID and self.valid_from <= day <= self.valid_to


class TrainingPlan(models.Model):
    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="training_plans"
    )
    title = models.CharField("培训名称", max_length=100)
    planned_on = models.DateField("计划日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    audience = models.CharField(
        "培训对象", max_length=100, help_text="例如：全体执法人员、法制审核人员"
    )
    content = models.TextField("培训内容", blank=True)

    class Meta:
        verbose_name = "培训计划"
        verbose_name_plural = verbose_name
        ordering = ["-planned_on"]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(models.Model):
    staff = models.ForeignKey(
        Staff, verbose_name="参训人员", on_delete=models.PROTECT, related_name="trainings"
    )
    plan = models.ForeignKey(
        TrainingPlan,
        verbose_name="所属培训计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    course = models.CharField("课程", max_length=100)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    attended_on = models.DateField("培训日期")
    organiser = models.CharField("组织单位", max_length=100, blank=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = verbose_name
        ordering = ["-attended_on"]

    def __str__(self) -> str:
        return f"{self.staff} {self.course}"

    def clean(self) -> None:
        if self.hours is not None and self.hours <= 0:
            raise ValidationError({"hours": "学时必须大于0。"})
        if self.plan_id and self.staff_id and self.plan.agency_id != self.staff.agency_id:
            raise ValidationError({"plan": "培训计划不属于该人员所在的执法主体。"})


class LeadingGroup(models.Model):
    """领导小组 for the three systems, with its office (办公室)."""

    agency = models.OneToOneField(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="leading_group"
    )
    name = models.CharField("名称", max_length=100)
    office_unit = models.ForeignKey(
        Unit, verbose_name="办公室设在", null=True, blank=True, on_delete=models.PROTECT
    )
    office_duties = models.TextField("办公室职责", blank=True)

    class Meta:
        verbose_name = "领导小组"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name


class GroupRole(models.TextChoices):
    LEADER = "leader", "组长"
    DEPUTY = "deputy", "副组长"
    MEMBER = "member", "成员"


class LeadingGroupMember(models.Model):
    group = models.ForeignKey(
        LeadingGroup, verbose_name="领导小组", on_delete=models.CASCADE, related_name="members"
    )
    staff = models.ForeignKey(Staff, verbose_name="成员", on_delete=models.PROTECT)
    role = models.CharField("职务", max_length=10, choices=GroupRole.choices)

    class Meta:
        verbose_name = "领导小组成员"
        verbose_name_plural = verbose_name
        ordering = ["group", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "staff"], name="group_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.staff}"


class DeviceKind(models.TextChoices):
    BODY_CAMERA = "body_camera", "执法记录仪"
    HANDHELD = "handheld", "手持终端"
    CAMERA = "camera", "照相机"
    RECORDER = "recorder", "录音笔"
    OTHER = "other", "其他"


class DeviceStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    REPAIR = "repair", "维修"
    RETIRED = "retired", "停用"


class Device(models.Model):
    """A recording device (执法装备) of an agency; evidence names the device it came from
    (C6, C7)."""

    agency = models.ForeignKey(
        Agency, verbose_name="执法主体", on_delete=models.PROTECT, related_name="devices"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name="使用科室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    kind = models.CharField("类别", max_length=20, choices=DeviceKind.choices)
    serial_number = models.CharField("设备编号", max_length=60)
    model_name = models.CharField("品牌型号", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=DeviceStatus.choices, default=DeviceStatus.IN_USE
    )
    assigned_to = models.ForeignKey(
        Staff,
        verbose_name="配发给",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devices",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法装备"
        verbose_name_plural = verbose_name
        ordering = ["agency", "unit", "kind", "serial_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "serial_number"],
                name="device_unique_serial_per_agency",
                violation_error_message="本执法主体已登记过这个设备编号，请核对后再填写。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_number}"

    def clean(self) -> None:
        self.serial_number = self.serial_number.strip()
        errors = {}
        if self.unit_id and self.unit.agency_id != self.agency_id:
            errors["unit"] = "只能选择本执法主体的科室。"
        if self.assigned_to_id and self.assigned_to.agency_id != self.agency_id:
            errors["assigned_to"] = "只能配发给本执法主体的工作人员。"
        if errors:
            raise ValidationError(errors)
