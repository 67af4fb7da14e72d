"""Forms for the catalogue pages. They turn what people type (one citation per line, one
discretion circumstance per line) into the structures the services validate."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from zhifa.catalog import discretion
from zhifa.catalog.models import (
    Article,
    DocumentKind,
    EnforcementItemVersion,
    FlowDefinition,
    ItemKind,
    Law,
)
from zhifa.catalog.numerals import to_chinese
from zhifa.catalog.services import Basis, ItemContent
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
