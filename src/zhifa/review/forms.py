"""Forms of the review pages: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Q

from zhifa.cases.models import PenaltyType
from zhifa.catalog.models import Article, EnforcementItem
from zhifa.org.models import Staff
from zhifa.org.roles import Role
from zhifa.review.models import ITEMS, Coordination, Opinion, ReviewRule, ReviewSettings

TEXT = forms.Textarea(attrs={"rows": 3})
GENERAL_LAWS = ("中华人民共和国行政处罚法", "中华人民共和国行政许可法")


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Staff) -> str:
        qualification = obj.get_legal_qualification_display()
        return f"{obj.real_name}（{obj.unit.name}，{qualification}）"


class ArticleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        return f"《{obj.law.title}》{obj.number}"


def role_staff(agency_id: int, role: Role):
    return (
        Staff.objects.filter(agency_id=agency_id, is_active=True, user__groups__name=role.value)
        .select_related("unit")
        .order_by("real_name")
        .distinct()
    )


class SubmitForm(forms.Form):
    proposal = forms.CharField(label="拟处理意见", widget=TEXT)
    report = forms.CharField(
        label="调查终结报告",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="证据清单和本案已出具的文书由系统自动附上。",
    )


class AssignForm(forms.Form):
    reviewer = StaffChoice(label="审核人", queryset=Staff.objects.none())
    re_reviewer = StaffChoice(label="复审人", queryset=Staff.objects.none())

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        people = role_staff(agency_id, Role.REVIEWER).exclude(legal_qualification="")
        self.fields["reviewer"].queryset = people
        self.fields["re_reviewer"].queryset = people


class FindingsForm(forms.Form):
    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in ITEMS:
            self.fields[f"{code}_lawful"] = forms.TypedChoiceField(
                label=name,
                choices=[("1", "合法"), ("0", "存在问题")],
                coerce=lambda v: v == "1",
                initial="1",
                widget=forms.RadioSelect,
            )
            self.fields[f"{code}_note"] = forms.CharField(
                label=f"{name}：说明", required=False, max_length=1000
            )
        self._note_discretion_check(case)
        self.fields["opinion"] = forms.ChoiceField(label="审查意见", choices=Opinion.choices)
        self.fields["opinion_text"] = forms.CharField(label="意见说明", required=False, widget=TEXT)
        articles = Article.objects.filter(
            Q(law__title__in=GENERAL_LAWS) | Q(pk__in=case.item_version.basis.values("article"))
        ).select_related("law")
        self.fields["articles"] = ArticleChoice(
            label="审查依据", queryset=articles.order_by("law__title", "index")
        )

    def _note_discretion_check(self, case) -> None:
        """Show the case's 裁量基准 check (118号) beside the 裁量基准 item; read only."""
        from zhifa.cases.selectors import discretion_view

        check = discretion_view(case)
        if check is not None:
            self.fields["discretion_lawful"].help_text = f"系统核对：{check.summary}"

    def findings(self) -> dict[str, tuple[bool, str]]:
        d = self.cleaned_data
        return {code: (d[f"{code}_lawful"], d[f"{code}_note"]) for code, _ in ITEMS}


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=TEXT, max_length=300)


class DisagreeForm(forms.Form):
    reasons = forms.CharField(label="不采纳审核意见的理由", widget=TEXT)


class CoordinateForm(forms.Form):
    decision = forms.ChoiceField(label="协调结果", choices=Coordination.choices)
    note = forms.CharField(label="协调意见", widget=TEXT)


class AdviceForm(forms.Form):
    adviser = forms.CharField(label="法律顾问或公职律师", max_length=100)
    question = forms.CharField(label="咨询事项", widget=TEXT)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="法律意见", widget=TEXT)


class DiscussionForm(forms.Form):
    held_on = forms.DateField(label="讨论日期", widget=forms.DateInput(attrs={"type": "date"}))
    chair = StaffChoice(label="主持人", queryset=Staff.objects.none())
    matters = forms.CharField(
        label="讨论事项", widget=TEXT, required=False, help_text="例如：本案拟作出的处理决定。"
    )
    conclusion = forms.CharField(label="讨论决定", widget=TEXT)
    minutes = forms.FileField(
        label="会议记录文件（可选）",
        required=False,
        help_text="签字的会议记录扫描件（PDF、OFD、图片）或办公文档；存入证据库，可随时下载。"
        "没有扫描件的，系统可按本页填写的内容生成集体讨论记录。",
    )
    minutes_sha256 = forms.RegexField(
        label="会议记录文件 SHA-256（可选）",
        regex=r"^[0-9a-fA-F]{64}$",
        required=False,
        help_text="填写后，系统核对上传文件的哈希，不一致的不予保存。",
        error_messages={"invalid": "文件哈希应为 64 位十六进制 SHA-256。"},
    )

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.leaders = list(role_staff(agency_id, Role.LEADER))
        self.fields["chair"].queryset = role_staff(agency_id, Role.LEADER)
        for person in self.leaders:
            self.fields[f"op_{person.pk}"] = forms.CharField(
                label=f"{person.real_name}的意见（未参加的留空）", required=False, widget=TEXT
            )

    def attendees(self) -> list[tuple[Staff, str]]:
        d = self.cleaned_data
        return [(p, d[f"op_{p.pk}"]) for p in self.leaders if d.get(f"op_{p.pk}", "").strip()]


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


class RuleForm(forms.ModelForm):
    penalty_types = forms.MultipleChoiceField(
        label="处罚种类（任一）",
        choices=PenaltyType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    person_yuan = forms.DecimalField(
        label="自然人罚没金额起点（元）", required=False, min_value=0, decimal_places=2
    )
    organisation_yuan = forms.DecimalField(
        label="法人或其他组织罚没金额起点（元）", required=False, min_value=0, decimal_places=2
    )

    class Meta:
        model = ReviewRule
        fields = [
            "name",
            "basis",
            "active",
            "case_kind",
            "item",
            "penalty_types",
            "hearing_held",
            "major_social_impact",
            "complex_case",
            "major_public_interest",
            "suspected_crime",
            "requires_discussion",
        ]

    def __init__(self, *args, agency_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = EnforcementItem.objects.filter(agency_id=agency_id)
        self.fields["person_yuan"].initial = _yuan(self.instance.threshold_person)
        self.fields["organisation_yuan"].initial = _yuan(self.instance.threshold_organisation)

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        for field, target in (
            ("person_yuan", "threshold_person"),
            ("organisation_yuan", "threshold_organisation"),
        ):
            value = d.pop(field)
            d[target] = None if value is None else int(value * 100)
        return d


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["all_ordinary", "time_limit_days", "extension_days", "quorum"]
