from django import forms
from django.contrib.auth.forms import AuthenticationForm

from zhifa.org import selectors
from zhifa.org.models import (
    CertificateStatus,
    DeviceKind,
    DeviceStatus,
    EnforcementArea,
    LegalQualification,
)
from zhifa.org.roles import OFFICE_GRANTABLE

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。注意密码区分大小写。",
        "inactive": "该账号已停用，请联系本单位办公室。",
    }


class UnitForm(forms.Form):
    name = forms.CharField(label="科室名称", max_length=50)
    is_legal_unit = forms.BooleanField(label="法制机构（法制审核所在科室）", required=False)


class StaffForm(forms.Form):
    real_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.ModelChoiceField(
        label="科室", queryset=None, required=False, empty_label="（未分配）"
    )
    post = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    roles = forms.MultipleChoiceField(
        label="角色",
        choices=[(r.value, r.value) for r in OFFICE_GRANTABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_qualification = forms.ChoiceField(
        label="法制审核资格", choices=LegalQualification.choices, required=False
    )
    qualification_detail = forms.CharField(label="资格说明", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.unit_list(user=user)


class StaffCreateForm(StaffForm):
    username = forms.CharField(
        label="登录名", max_length=150, help_text="字母、数字或 @ . + - _，创建后不能修改。"
    )
    password = forms.CharField(
        label="初始密码",
        min_length=8,
        widget=forms.PasswordInput(render_value=True),
        help_text="至少8位，请通知本人首次登录后修改。",
    )
    field_order = ["username", "password", "real_name", "unit", "post", "phone", "roles"]


class StaffEditForm(StaffForm):
    is_active = forms.BooleanField(label="在岗（取消勾选即停用账号）", required=False)


class CertificateForm(forms.Form):
    number = forms.CharField(label="证件编号", max_length=40)
    issuing_authority = forms.CharField(label="发证机关", max_length=100)
    areas = forms.ModelMultipleChoiceField(
        label="执法领域",
        queryset=EnforcementArea.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(label="有效期起", widget=DATE_INPUT)
    valid_to = forms.DateField(label="有效期至", widget=DATE_INPUT)

    def clean(self) -> dict:
        data = super().clean()
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", "有效期至不能早于有效期起。")
        return data


class CertificateStatusForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=CertificateStatus.choices)
    reason = forms.CharField(label="原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class TrainingPlanForm(forms.Form):
    title = forms.CharField(label="培训名称", max_length=100)
    planned_on = forms.DateField(label="计划日期", widget=DATE_INPUT)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_digits=5, decimal_places=1)
    audience = forms.CharField(label="培训对象", max_length=100)
    content = forms.CharField(
        label="培训内容", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TrainingRecordForm(forms.Form):
    staff = forms.ModelMultipleChoiceField(
        label="参训人员", queryset=None, widget=forms.CheckboxSelectMultiple
    )
    plan = forms.ModelChoiceField(
        label="所属培训计划", queryset=None, required=False, empty_label="（不属于计划）"
    )
    course = forms.CharField(label="课程", max_length=100)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_digits=5, decimal_places=1)
    attended_on = forms.DateField(label="培训日期", widget=DATE_INPUT)
    organiser = forms.CharField(label="组织单位", max_length=100, required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = selectors.staff_list(user=user).filter(is_active=True)
        self.fields["plan"].queryset = selectors.training_plan_list(user=user)


class DeviceForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=DeviceKind.choices)
    serial_number = forms.CharField(
        label="设备编号", max_length=60, help_text="机身编号或资产编号，本单位内不能重复。"
    )
    model_name = forms.CharField(label="品牌型号", max_length=100, required=False)
    unit = forms.ModelChoiceField(
        label="使用科室", queryset=None, required=False, empty_label="（未分配）"
    )
    assigned_to = forms.ModelChoiceField(
        label="配发给", queryset=None, required=False, empty_label="（不配发到个人）"
    )
    status = forms.ChoiceField(label="状态", choices=DeviceStatus.choices)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agency_id = selectors.own_agency_id(user)
        self.fields["unit"].queryset = selectors.unit_list(user=user).filter(agency_id=agency_id)
        self.fields["assigned_to"].queryset = selectors.staff_list(user=user).filter(
            agency_id=agency_id, is_active=True
        )
