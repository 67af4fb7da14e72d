"""Forms for the catalogue pages. They turn what people type (one citation per line, one
discretion circumstance per line) into the structures the services validate."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from zhifa.catalog import discretion, guide
from zhifa.catalog.models import (
    Article,
    DocumentKind,
    EnforcementItem,
    EnforcementItemVersion,
    FlowDefinition,
    ItemKind,
    Law,
)
from zhifa.catalog.numerals import to_chinese
from zhifa.catalog.services import Basis, InspectionContent, ItemContent
from zhifa.org import selectors as org_selectors
from zhifa.org.models import EnforcementArea

CITATION = re.compile(
    r"^《?(?P<law>[^《》]+?)》?\s*(?:第(?P<cn>[零一二三四五六七八九十百千]+)条|第?(?P<ar>\d{1,4})条)"
    r"\s*(?P<note>.*)$"
)
BASIS_HELP = (
    "每行一条，写法律法规名称和条号，可加款、项，例如：《中华人民共和国节约能源法》第十五条，"
    "或：企业投资项目核准和备案管理条例 第十八条 第一款。名称和条号须与法律法规库一致。"
)


def find_law(name: str) -> Law:
    """The newest version of the law called `name` (full or short title)."""
    name = name.strip()
    laws = Law.objects.order_by("-version_date")
    for query in (
        Q(title=name),
        Q(title=f"中华人民共和国{name}"),
        Q(title__endswith=name),
    ):
        found = list(laws.filter(query))
        titles = {law.title for law in found}
        if len(titles) == 1:
            return found[0]
    raise ValidationError(f"法律法规库中没有《{name}》，请核对名称（可在“法律法规”页面检索）。")


def parse_citations(text: str) -> list[Basis]:
    basis, errors = [], []
    for n, line in enumerate((x.strip() for x in text.splitlines() if x.strip()), 1):
        match = CITATION.match(line)
        if not match:
            errors.append(f"第{n}行“{line}”看不出条号，请写成：法律名称 第X条。")
            continue
        number = f"第{match['cn']}条" if match["cn"] else f"第{to_chinese(int(match['ar']))}条"
        try:
            law = find_law(match["law"])
            article = Article.objects.get(law=law, number=number)
        except ValidationError as error:
            errors.append(f"第{n}行：{error.messages[0]}")
            continue
        except Article.DoesNotExist:
            errors.append(f"第{n}行：《{law.title}》中没有{number}，请核对条号。")
            continue
        basis.append(Basis(article=article, note=match["note"].strip()))
    if errors:
        raise ValidationError(errors)
    return basis


def citation_lines(version: EnforcementItemVersion) -> str:
    return "\n".join(
        f"《{b.article.law.title}》{b.article.number}{(' ' + b.note) if b.note else ''}"
        for b in version.basis.all()
    )


class ItemForm(forms.Form):
    name = forms.CharField(label="事项名称", max_length=200)
    kind = forms.ChoiceField(label="执法类别", choices=ItemKind.choices)
    unit = forms.ModelChoiceField(label="承办科室", queryset=None, empty_label="（请选择）")
    duties = forms.CharField(label="职责", widget=forms.Textarea(attrs={"rows": 3}))
    powers = forms.CharField(label="权限", widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(
        label="依据", widget=forms.Textarea(attrs={"rows": 4}), help_text=BASIS_HELP
    )
    discretion = forms.CharField(
        label="裁量基准",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=discretion.LINE_HELP,
    )
    area = forms.ModelChoiceField(
        label="执法领域",
        queryset=EnforcementArea.objects.all(),
        required=False,
        empty_label="（不要求）",
        help_text="办理时据此核验执法人员持有该领域的有效执法证。",
    )
    flow = forms.ModelChoiceField(
        label="办理流程",
        queryset=FlowDefinition.objects.all(),
        required=False,
        empty_label="（无）",
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = org_selectors.unit_list(user=user)
        # 服务指南 (P7): 事项名称, 依据, 办理流程 and 办理时限 are taken from the fields above.
        for name, label in guide.STORED:
            long = EnforcementItemVersion._meta.get_field(name).get_internal_type() == "TextField"
            self.fields[name] = forms.CharField(
                label=f"服务指南·{label}",
                required=False,
                max_length=None if long else 200,
                widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput(),
            )
        self.fields["guide_accepting_body"].help_text = (
            "服务指南的事项名称、依据、办理流程和办理时限由上面的内容自动生成；不对外办理的事项"
            "可不填服务指南，填写时受理机构、救济渠道和办公时间、地址、电话必填"
            "（行政许可事项还须填写许可条件和申请材料）。"
        )
        self.fields["guide_office_phone"].help_text = "办公座机，将公开，例如 0319-5812345。"

    def clean_basis(self) -> list[Basis]:
        return parse_citations(self.cleaned_data["basis"])

    def clean_discretion(self) -> list[dict]:
        try:
            entries = discretion.parse_lines(self.cleaned_data["discretion"])
            return discretion.validate(entries)
        except ValidationError as error:  # keyed by field in the service; plain here
            raise ValidationError(error.messages) from error

    def content(self) -> ItemContent:
        data = self.cleaned_data
        return ItemContent(
            name=data["name"],
            kind=data["kind"],
            unit=data["unit"],
            duties=data["duties"],
            powers=data["powers"],
            basis=data["basis"],
            discretion=data["discretion"],
            area=data["area"],
            flow=data["flow"],
            guide={name: data.get(name, "") for name in guide.FIELDS},
        )

    @staticmethod
    def initial_from(version: EnforcementItemVersion) -> dict:
        return {
            "name": version.name,
            "kind": version.kind,
            "unit": version.unit,
            "duties": version.duties,
            "powers": version.powers,
            "basis": citation_lines(version),
            "discretion": discretion.to_lines(version.discretion),
            "area": version.area,
            "flow": version.flow,
            **{name: getattr(version, name) for name in guide.FIELDS},
        }


class ItemCreateForm(ItemForm):
    code = forms.CharField(
        label="事项编码", max_length=50, help_text="本机关内唯一，例如 XK-001、CF-003。"
    )
    field_order = ["code", "name", "kind"]


class ItemReviseForm(ItemForm):
    change_note = forms.CharField(
        label="变更说明", max_length=300, help_text="写明改了什么、为什么改，例如法律修订。"
    )


class NumberingForm(forms.Form):
    kind = forms.ChoiceField(label="文书种类", choices=DocumentKind.choices)
    pattern = forms.CharField(
        label="编号格式",
        max_length=60,
        help_text="用 {year} 表示年份、{seq} 表示序号，例如：宁发改罚〔{year}〕{seq}号",
    )


class InspectionForm(forms.Form):
    code = forms.CharField(
        label="编码", max_length=50, help_text="本机关内唯一，例如 CC-001；保存后不可更改。"
    )
    name = forms.CharField(label="抽查事项", max_length=200)
    basis = forms.CharField(
        label="抽查依据", widget=forms.Textarea(attrs={"rows": 3}), help_text=BASIS_HELP
    )
    target = forms.CharField(
        label="抽查对象",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例如：本县行政区域内已开工建设的企业投资核准项目。",
    )
    content = forms.CharField(label="抽查内容", widget=forms.Textarea(attrs={"rows": 3}))
    ratio = forms.CharField(label="抽查比例", max_length=100, help_text="例如：不低于5%。")
    method = forms.CharField(
        label="抽查方式",
        max_length=200,
        help_text="例如：双随机抽查（随机抽取检查对象、随机选派执法检查人员），实地核查。",
    )
    frequency = forms.CharField(label="抽查频次", max_length=100, help_text="例如：每年不少于1次。")
    item = forms.ModelChoiceField(
        label="对应行政检查事项",
        queryset=EnforcementItem.objects.none(),
        required=False,
        empty_label="（无）",
        help_text="可选：执法事项清单中对应的行政检查事项。",
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        agency_id = org_selectors.own_agency_id(user) or 0
        self.fields["item"].queryset = (
            EnforcementItem.objects.filter(agency_id=agency_id, current_version__isnull=False)
            .select_related("current_version")
            .order_by("code")
        )
        self.fields["item"].label_from_instance = lambda i: f"{i.code} {i.current_version.name}"
        if editing:
            self.fields["code"].disabled = True

    def clean_basis(self) -> list[Basis]:
        return parse_citations(self.cleaned_data["basis"])

    def content_value(self) -> InspectionContent:
        data = self.cleaned_data
        return InspectionContent(
            name=data["name"],
            basis=data["basis"],
            target=data["target"],
            content=data["content"],
            ratio=data["ratio"],
            method=data["method"],
            frequency=data["frequency"],
            item=data["item"],
        )

    @staticmethod
    def initial_from(entry) -> dict:
        return {
            "code": entry.code,
            "name": entry.name,
            "basis": "\n".join(
                f"《{b.article.law.title}》{b.article.number}{(' ' + b.note) if b.note else ''}"
                for b in entry.basis.all()
            ),
            "target": entry.target,
            "content": entry.content,
            "ratio": entry.ratio,
            "method": entry.method,
            "frequency": entry.frequency,
            "item": entry.item,
        }
