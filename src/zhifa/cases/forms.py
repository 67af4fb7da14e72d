"""Forms of the case pages: they parse and convert input (元 → 分, dates); the services
decide whether the move is allowed."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from zhifa.cases import selectors
from zhifa.cases.models import (
    Case,
    CashGround,
    ClosedGround,
    HearingSignature,
    MediaKind,
    Outcome,
    PartyKind,
    PaymentMethod,
    PenaltyType,
    RecusalKind,
    ServiceMethod,
)
from zhifa.catalog import discretion
from zhifa.catalog.models import FlowStep, ItemKind
from zhifa.core.privacy import mask_resident_id
from zhifa.org.roles import Role

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


def staff_label(staff) -> str:
    return f"{staff.real_name}（{staff.unit.name}）" if staff.unit_id else staff.real_name


class HandlerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return staff_label(obj)


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


def violation_fields() -> dict[str, forms.Field]:
    """The facts the 追责时效 is computed from (处罚法 art. 36), for the clue form and for
    correcting them before 立案."""
    return {
        "violation_on": forms.DateField(
            label="违法行为发生日期",
            widget=DATE_INPUT,
            help_text="据此计算追责时效：违法行为在二年内未被发现的，不再给予行政处罚"
            "（处罚法第三十六条）。",
            error_messages={
                "required": "请填写违法行为发生日期，用于判断是否超过追责时效"
                "（《行政处罚法》第三十六条）。",
                "invalid": "请按“年-月-日”填写违法行为发生日期。",
            },
        ),
        "violation_continuing": forms.BooleanField(
            label="违法行为有连续或者继续状态", required=False
        ),
        "violation_ended_on": forms.DateField(
            label="连续或者继续状态终了日期",
            widget=DATE_INPUT,
            required=False,
            help_text="有连续或者继续状态的，追责时效从行为终了之日起计算；仍在继续的不填。",
        ),
        "harms_safety": forms.BooleanField(
            label="涉及公民生命健康安全、金融安全且有危害后果",
            required=False,
            help_text="是：追责时效延长至五年；否：二年。",
        ),
    }


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(violation_fields())


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
        self._add_discretion_fields()

    def _add_discretion_fields(self) -> None:
        """The item's 裁量基准 (118号): which circumstance applies, the base of a per-mille
        range, and a departure with its reason. Absent when the item publishes none."""
        entries = self.case.item_version.discretion or []
        if not entries:
            return
        choices = [("", "（请选择适用的违法情形）")]
        for n, entry in enumerate(entries, 1):
            words = discretion.describe(entry) or entry.get("penalty", "")
            choices.append((str(n), f"{n}. {entry['circumstance']}（{words}）"))
        bases = "、".join(dict.fromkeys(e["base"] for e in entries if discretion.needs_base(e)))
        self.fields["discretion_entry"] = forms.TypedChoiceField(
            label="适用的裁量基准情形",
            choices=choices,
            coerce=int,
            empty_value=None,
            error_messages={"required": "请选择本案适用的裁量基准情形。"},
        )
        if bases:
            self.fields["discretion_base"] = YuanField(
                f"计罚基数（元）：{bases}",
                help_text="所选情形按比例（‰）处罚时必填，系统据此计算罚款幅度。",
            )
        self.fields["departure"] = forms.ChoiceField(
            label="是否偏离裁量基准",
            choices=[
                ("", "不偏离（罚款在裁量基准范围内）"),
                *((d, f"{d}处罚") for d in discretion.DEPARTURES),
            ],
            required=False,
            help_text="罚款低于幅度的选从轻或减轻，高于幅度的选从重，并写明理由。",
        )
        self.fields["departure_reason"] = forms.CharField(
            label="偏离裁量基准的理由", widget=TEXTAREA, required=False
        )
        self.order_fields(
            ["penalty_types", "discretion_entry", "discretion_base", "fine", "departure"]
        )
        choice = self.case.discretion_choice or {}
        if not self.is_bound and choice:
            base = choice.get("base")
            self.initial.update(
                discretion_entry=choice.get("index"),
                discretion_base=Decimal(base) / 100 if base else None,
                departure=choice.get("departure", ""),
                departure_reason=choice.get("reason", ""),
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
    method = forms.ChoiceField(
        label="缴款方式",
        choices=PaymentMethod.choices,
        initial=PaymentMethod.BANK,
        required=False,
        widget=forms.RadioSelect,
        help_text="当事人到指定银行或通过电子支付系统缴纳（处罚法第六十七条）；执法人员当场"
        "收缴的，须符合第六十八条或第六十九条的情形。",
    )
    cash_ground = forms.ChoiceField(
        label="当场收缴的情形",
        choices=[("", "—"), *CashGround.choices],
        required=False,
    )
    cash_reason = forms.CharField(
        label="当场收缴的具体理由",
        widget=TEXTAREA,
        required=False,
        help_text="以“事后难以执行”或第六十九条情形收缴的，须写明理由。",
    )
    receipt_number = forms.CharField(
        label="罚款收据号码",
        max_length=50,
        required=False,
        help_text="当场收缴的，须出具省级财政部门统一制发的专用票据（处罚法第七十条）。",
    )

    def clean_amount(self):
        value = self.cleaned_data.get("amount")
        if value is None:
            raise forms.ValidationError("请填写缴款金额。")
        return value

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or PaymentMethod.BANK


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


# --- 听证笔录 and the extension of the decision deadline -----------------------------------

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return staff_label(obj)


class HearingForm(CaseForm):
    """听证笔录 (处罚法 art. 64); the service checks the dates, the presider and the rest."""

    notice_served_on = forms.DateField(
        label="听证通知送达日期",
        widget=DATE_INPUT,
        help_text="应当在举行听证的7个工作日前通知当事人听证的时间、地点（处罚法第六十四条）。",
        error_messages={"required": "请填写听证通知书送达当事人的日期。"},
    )
    held_at = forms.DateTimeField(
        label="听证举行时间",
        widget=DATETIME_INPUT,
        error_messages={
            "required": "请填写听证举行的日期和时间。",
            "invalid": "请按“年-月-日 时:分”填写听证举行时间。",
        },
    )
    place = forms.CharField(label="听证地点", max_length=200)
    presider = StaffChoiceField(
        label="主持人",
        queryset=None,
        help_text="由本机关指定的非本案调查人员主持（处罚法第六十四条第（四）项）。",
    )
    recorder = StaffChoiceField(label="记录人", queryset=None)
    participants = forms.CharField(
        label="参加人员",
        widget=TEXTAREA,
        help_text="当事人或其委托代理人的姓名，以及第三人、证人等其他参加人。",
    )
    public = forms.TypedChoiceField(
        label="是否公开",
        choices=[("1", "公开举行"), ("0", "不公开举行")],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
        help_text="除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行"
        "（处罚法第六十四条第（三）项）。",
    )
    closed_ground = forms.ChoiceField(
        label="不公开的情形",
        choices=[("", "—"), *ClosedGround.choices],
        required=False,
    )
    closed_reason = forms.CharField(label="不公开的理由", widget=TEXTAREA, required=False)
    statements = forms.CharField(
        label="陈述申辩要点",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="当事人的陈述、申辩和质证意见，调查人员提出的事实、证据和处罚建议的要点。",
    )
    signature = forms.ChoiceField(
        label="笔录核对签字",
        choices=HearingSignature.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请确认听证笔录已交当事人或其代理人核对无误后签字或者盖章"
            "（处罚法第六十四条第（八）项）。"
        },
    )
    next_step = forms.ChoiceField(label="听证后转到")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        staff = selectors.handler_options(user=self.user)
        self.fields["presider"].queryset = staff
        self.fields["recorder"].queryset = staff
        step = FlowStep.objects.filter(flow=self.case.flow, code="hearing").first()
        transitions = (
            step.outgoing.select_related("target").order_by("target__order") if step else []
        )
        self.fields["next_step"].choices = [
            (t.target.code, t.target.name + (f"（{t.label}）" if t.label else ""))
            for t in transitions
        ]
        self.initial.setdefault("next_step", "legal_review")


class ExtensionRequestForm(CaseForm):
    reason = forms.CharField(
        label="延长理由",
        max_length=300,
        widget=TEXTAREA,
        help_text="如案情复杂、需要检测检验鉴定等。经局领导批准，可延长30日，只能延长一次"
        "（处罚法第六十条）。",
        error_messages={"required": "请写明需要延长作出处罚决定期限的理由。"},
    )
    on = date_field("申请日期")


class ExtensionDecideForm(CaseForm):
    approve = forms.TypedChoiceField(
        label="审批意见",
        choices=[("1", "批准延长30日"), ("0", "不予批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择批准或不予批准。"},
    )
    opinion = forms.CharField(
        label="意见", widget=TEXTAREA, required=False, help_text="不予批准的须写明理由。"
    )
    on = date_field("审批日期")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pending = selectors.pending_extension(self.case)
        if pending is not None:
            staff = getattr(pending.requested_by, "staff", None)
            who = staff.real_name if staff else pending.requested_by.username
            self.fields["approve"].help_text = (
                f"{who}于{pending.requested_on:%Y年%m月%d日}申请延长{pending.days}日，"
                f"理由：{pending.reason}"
            )


# --- 追责时效 (处罚法 art. 36) and 回避 (art. 43) -------------------------------------------


class ViolationForm(CaseForm):
    """Enter or correct the violation's dates before 立案."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(violation_fields())
        if not self.is_bound:
            case = self.case
            self.initial.update(
                violation_on=case.violation_on,
                violation_continuing=case.violation_continuing,
                violation_ended_on=case.violation_ended_on,
                harms_safety=case.harms_safety,
            )


class RecusalApplyForm(CaseForm):
    kind = forms.ChoiceField(
        label="申请方式",
        choices=RecusalKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择是承办人自行申请回避，还是当事人申请回避。"},
    )
    handler = StaffChoiceField(
        label="申请回避的承办人",
        queryset=None,
        error_messages={"required": "请选择申请回避的承办人。"},
    )
    reason = forms.CharField(
        label="申请理由",
        widget=TEXTAREA,
        help_text="承办人与案件有直接利害关系或者有其他关系可能影响公正执法的具体情况"
        "（处罚法第四十三条）。决定作出之前，不停止调查。",
        error_messages={"required": "请写明申请回避的理由。"},
    )
    on = date_field("申请日期")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = self.case.handlers.select_related("unit").order_by("pk")


class RecusalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_kind_display()}：{obj.handler.real_name}（{obj.requested_on:%Y-%m-%d}）"


class RecusalDecideForm(CaseForm):
    recusal = RecusalChoiceField(
        label="回避申请",
        queryset=None,
        empty_label=None,
        error_messages={"required": "请选择要决定的回避申请。"},
    )
    grant = forms.TypedChoiceField(
        label="决定",
        choices=[("1", "决定回避"), ("0", "不予回避")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择决定回避或不予回避。"},
    )
    replacements = HandlerChoiceField(
        label="替换的承办人",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="决定回避的，被回避人员不再承办本案；回避后须仍有2名以上持有本领域有效"
        "执法证的承办人（处罚法第四十二条）。",
    )
    opinion = forms.CharField(
        label="决定意见", widget=TEXTAREA, required=False, help_text="不予回避的须写明理由。"
    )
    on = date_field("决定日期")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pending = selectors.decidable_recusals(user=self.user, case=self.case)
        self.fields["recusal"].queryset = pending
        current = self.case.handlers.values_list("pk", flat=True)
        self.fields["replacements"].queryset = (
            selectors.handler_options(user=self.user).exclude(pk__in=current).order_by("pk")
        )
        first = pending.first()
        if first is not None:
            self.fields["recusal"].help_text = f"理由：{first.reason}"


# --- 当场收缴罚款 (处罚法 arts. 68-71) ---------------------------------------------------------


class CashHandOverForm(CaseForm):
    """交至行政机关 (处罚法 art. 71)."""

    received_by = StaffChoiceField(
        label="接收人（办公室）",
        queryset=None,
        help_text="当场收缴的罚款应自收缴之日起2个工作日内交至行政机关（处罚法第七十一条）。",
        error_messages={"required": "请选择接收罚款的办公室人员。"},
    )
    on = date_field("交款日期")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_by"].queryset = (
            selectors.handler_options(user=self.user)
            .filter(user__groups__name=Role.OFFICE.value)
            .distinct()
        )


class CashBankForm(CaseForm):
    """缴付银行 (处罚法 art. 71)."""

    voucher_number = forms.CharField(
        label="银行缴款凭证号",
        max_length=60,
        help_text="行政机关应在收到罚款之日起2个工作日内缴付指定的银行（处罚法第七十一条）。",
        error_messages={"required": "请填写银行缴款凭证号。"},
    )
    on = date_field("缴付日期")
