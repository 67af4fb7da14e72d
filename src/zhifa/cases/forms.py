"""Forms of the case pages: they parse and convert input (元 → 分, dates); the services
decide whether the move is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from zhifa.cases import selectors
from zhifa.cases.models import Case, MediaKind, Outcome, PartyKind, PenaltyType, ServiceMethod
from zhifa.catalog.models import FlowStep, ItemKind
from zhifa.core.privacy import mask_resident_id

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=DATE_INPUT, help_text="不填即为今天。"
    )


class YuanField(forms.DecimalField):
    """An amount in 元 with at most two decimals (分); `to_fen` gives the integer 分."""

    def __init__(self, label: str, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            label=label,
            max_digits=14,
            decimal_places=2,
            min_value=Decimal("0"),
            error_messages={
                "invalid": "请输入金额数字，单位为元，例如 5000 或 5000.50。",
                "max_decimal_places": "金额最多保留两位小数（精确到分），请核对。",
                "max_digits": "金额过大，请核对。",
                "max_whole_digits": "金额过大，请核对。",
                "min_value": "金额不能为负数。",
            },
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            **kwargs,
        )


def to_fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def party_label(party) -> str:
    number = mask_resident_id(party.id_number) if party.id_number else party.credit_code
    return f"{party.name}（{number}）" if number else party.name


class PartyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return party_label(obj)


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.item.code} {obj.name}（第{obj.number}版）"


class HandlerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.real_name}（{obj.unit.name}）" if obj.unit_id else obj.real_name


# --- new cases -----------------------------------------------------------------------------


class NewCaseForm(forms.Form):
    """A new case with either an existing party or a new one entered inline."""

    item_kind = ItemKind.PENALTY
    item_version = VersionChoiceField(label="执法事项", queryset=None, empty_label=None)
    party = PartyChoiceField(
        label="当事人（已登记）",
        queryset=None,
        required=False,
        empty_label="（新当事人，在下方填写）",
    )
    kind = forms.ChoiceField(
        label="新当事人类别", choices=[("", "—"), *PartyKind.choices], required=False
    )
    name = forms.CharField(label="新当事人姓名或名称", max_length=200, required=False)
    id_number = forms.CharField(
        label="公民身份号码", max_length=18, required=False, help_text="自然人填写18位号码。"
    )
    credit_code = forms.CharField(
        label="统一社会信用代码",
        max_length=18,
        required=False,
        help_text="法人或其他组织填写18位代码。",
    )
    legal_representative = forms.CharField(
        label="法定代表人或负责人", max_length=50, required=False
    )
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="住所或地址", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item_version"].queryset = selectors.item_version_options(
            user=user, kind=self.item_kind
        )
        self.fields["party"].queryset = selectors.party_options(user=user)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("party"):
            if not data.get("kind"):
                self.add_error("kind", "请选择已登记的当事人，或选择新当事人的类别并填写信息。")
            if not data.get("name", "").strip():
                self.add_error("name", "请填写新当事人的姓名或名称。")
        return data

    def party_data(self) -> dict:
        data = self.cleaned_data
        keys = ("kind", "name", "id_number", "credit_code", "legal_representative")
        return {k: data[k] for k in (*keys, "phone", "address")}


class ClueForm(NewCaseForm):
    title = forms.CharField(label="案由", max_length=200)
    source = forms.CharField(
        label="案件来源",
        max_length=50,
        required=False,
        help_text="投诉举报、监督检查、移送、交办等。",
    )
    facts = forms.CharField(label="违法线索", widget=TEXTAREA, required=False)
    registered_on = date_field("发现线索日期")


class LicenceApplyForm(NewCaseForm):
    item_kind = ItemKind.LICENCE
    title = forms.CharField(label="申请事项", max_length=200)
    materials = forms.CharField(label="申请材料", widget=TEXTAREA, required=False)
    received_on = date_field("收到申请日期")


class SimplePenaltyForm(NewCaseForm):
    title = forms.CharField(label="案由", max_length=200)
    facts = forms.CharField(label="违法事实", widget=TEXTAREA)
    penalty_types = forms.MultipleChoiceField(
        label="处罚种类",
        choices=[(PenaltyType.WARNING, "警告"), (PenaltyType.FINE, "罚款")],
        widget=forms.CheckboxSelectMultiple,
    )
    fine = YuanField(
        "罚款金额（元）", help_text="公民200元以下、单位3000元以下（处罚法第五十一条）。"
    )
    handlers = HandlerChoiceField(
        label="执法人员", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    av_sha256 = forms.CharField(
        label="现场音像记录的SHA-256",
        max_length=64,
        help_text="证据上传功能上线前，请填写执法记录仪文件的SHA-256摘要。",
    )
    av_kind = forms.ChoiceField(
        label="音像记录类别", choices=[(MediaKind.VIDEO, "视频"), (MediaKind.AUDIO, "录音")]
    )
    decided_on = date_field("决定日期")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["handlers"].queryset = selectors.handler_options(user=user)


# --- actions on a case ---------------------------------------------------------------------


class CaseForm(forms.Form):
    """An action form on one case (gets the case and user to limit its choices)."""

    def __init__(self, *args, case: Case, user, **kwargs) -> None:
        self.case, self.user = case, user
        super().__init__(*args, **kwargs)


class FileForm(CaseForm):
    handlers = HandlerChoiceField(
        label="承办人",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="调查取证须2名以上持有本领域有效执法证的执法人员。",
    )
    opinion = forms.CharField(label="审批意见", widget=TEXTAREA, required=False)
    on = date_field("立案日期")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handlers"].queryset = selectors.handler_options(user=self.user)
        if not self.is_bound:
            self.initial["handlers"] = list(self.case.handlers.values_list("pk", flat=True))


class HandlersForm(CaseForm):
    handlers = HandlerChoiceField(
        label="承办人",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="现场核查、调查取证等环节须2名以上持有本领域有效执法证的执法人员。",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handlers"].queryset = selectors.handler_options(user=self.user)
        if not self.is_bound:
            self.initial["handlers"] = list(self.case.handlers.values_list("pk", flat=True))


class AdvanceForm(CaseForm):
    to_step = forms.ChoiceField(label="转到环节")
    reason = forms.CharField(
        label="理由或意见",
        widget=TEXTAREA,
        required=False,
        help_text="不予立案、撤案、不予处罚、移送、不予受理等须写明理由。",
    )
    on = date_field("办理日期")

    def __init__(self, *args, transitions=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not transitions:
            current = FlowStep.objects.get(flow=self.case.flow, code=self.case.step)
            transitions = current.outgoing.select_related("target").order_by("target__order")
        self.fields["to_step"].choices = [
            (t.target.code, t.target.name + (f"（{t.label}）" if t.label else ""))
            for t in transitions
        ]


class ProposeForm(CaseForm):
    penalty_types = forms.MultipleChoiceField(
        label="处罚种类", choices=PenaltyType.choices, widget=forms.CheckboxSelectMultiple
    )
    fine = YuanField("罚款金额（元）")
    confiscation = YuanField("没收金额（元）")
    content = forms.CharField(label="处罚内容", widget=TEXTAREA, required=False)
    facts = forms.CharField(label="违法事实", widget=TEXTAREA, required=False)
    major_social_impact = forms.BooleanField(label="重大社会影响", required=False)
    complex_case = forms.BooleanField(label="案情复杂或涉及多个法律关系", required=False)
    major_public_interest = forms.BooleanField(label="涉及重大公共利益", required=False)
    suspected_crime = forms.BooleanField(label="涉嫌犯罪需移送", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        case = self.case
        if not self.is_bound and case.penalty_types:
            self.initial.update(
                penalty_types=case.penalty_types,
                fine=Decimal(case.fine_amount) / 100 if case.fine_amount else None,
                confiscation=(
                    Decimal(case.confiscation_amount) / 100 if case.confiscation_amount else None
                ),
                content=case.decision_content,
                facts=case.facts,
                major_social_impact=case.major_social_impact,
                complex_case=case.complex_case,
                major_public_interest=case.major_public_interest,
                suspected_crime=case.suspected_crime,
            )


class NotifyForm(CaseForm):
    notified_on = date_field("告知书送达日期")
    hearing_right = forms.ChoiceField(
        label="听证权利",
        choices=[
            ("auto", "按处罚种类和金额确定（处罚法第六十三条）"),
            ("yes", "告知听证权利"),
            ("no", "不告知听证权利"),
        ],
        initial="auto",
    )


class ResponseForm(CaseForm):
    response = forms.ChoiceField(
        label="当事人意见",
        choices=[
            ("statement", "陈述、申辩"),
            ("hearing", "申请听证"),
            ("waive", "书面放弃陈述、申辩和听证权利"),
        ],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(label="陈述申辩内容或说明", widget=TEXTAREA, required=False)
    received_on = date_field("收到日期")


class DecideForm(CaseForm):
    outcome = forms.ChoiceField(
        label="决定",
        choices=[
            (Outcome.PENALTY, "作出处罚"),
            (Outcome.NO_PENALTY, "不予处罚"),
            (Outcome.TRANSFER, "移送"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="理由", widget=TEXTAREA, required=False, help_text="不予处罚、移送须写明理由。"
    )
    decided_on = date_field("决定日期")


class ConsentForm(CaseForm):
    address = forms.CharField(
        label="确认的电子送达地址", max_length=200, help_text="传真号码或电子邮箱。"
    )
    confirmed_on = date_field("送达地址确认书签署日期")


class ServeForm(CaseForm):
    method = forms.ChoiceField(label="送达方式", choices=ServiceMethod.choices)
    served_on = date_field("送达日期")
    note = forms.CharField(label="说明", widget=TEXTAREA, required=False)


class PaymentForm(CaseForm):
    amount = YuanField("缴款金额（元）")
    paid_on = date_field("缴款日期")

    def clean_amount(self):
        value = self.cleaned_data.get("amount")
        if value is None:
            raise forms.ValidationError("请填写缴款金额。")
        return value


class CloseForm(CaseForm):
    summary = forms.CharField(label="结案报告摘要", widget=TEXTAREA, required=False)
    on = date_field("结案日期")


class ArchiveForm(CaseForm):
    on = date_field("归档日期")


class EvidenceForm(CaseForm):
    step = forms.ChoiceField(label="环节")
    sha256 = forms.CharField(label="文件SHA-256摘要", max_length=64)
    media_kind = forms.ChoiceField(label="类别", choices=MediaKind.choices)
    description = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steps = self.case.flow.steps.order_by("order")
        self.fields["step"].choices = [(s.code, s.name) for s in steps]
        self.initial.setdefault("step", self.case.step)


class AvExceptionForm(CaseForm):
    step = forms.ChoiceField(label="环节")
    reason = forms.CharField(label="未能音像记录的理由", widget=TEXTAREA)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        steps = self.case.flow.steps.filter(requires_av=True).order_by("order")
        self.fields["step"].choices = [(s.code, s.name) for s in steps]
        self.initial.setdefault("step", self.case.step)


class CorrectionForm(CaseForm):
    items = forms.CharField(label="需要补正的全部材料", widget=TEXTAREA)
    notified_on = date_field("告知日期")


class AcceptForm(CaseForm):
    accepted_on = date_field("受理日期")


class NotAcceptForm(CaseForm):
    reason = forms.CharField(label="不予受理理由", widget=TEXTAREA)
    on = date_field("决定日期")


class ExtendForm(CaseForm):
    reason = forms.CharField(label="延长理由", widget=TEXTAREA, help_text="须告知申请人。")
    on = date_field("批准日期")


class LicenceDecideForm(CaseForm):
    granted = forms.TypedChoiceField(
        label="决定",
        choices=[("1", "准予许可"), ("0", "不予许可")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    content = forms.CharField(label="许可内容", widget=TEXTAREA, required=False)
    reason = forms.CharField(
        label="理由", widget=TEXTAREA, required=False, help_text="不予许可须说明理由。"
    )
    decided_on = date_field("决定日期")
