"""服务指南 (P7) of an enforcement item version: the stored fields (受理机构 … 办公电话) and the
derived ones — 事项名称 from the version, 依据 from its basis articles, 办理流程 from its flow's
main steps and 办理时限 from the flow's statutory clocks — so a guide never restates (and never
contradicts) what the system runs."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from zhifa.catalog.models import EnforcementItemVersion, FlowStep, ItemKind
from zhifa.core.privacy import MOBILE

# (field, label) in the order of P7, without the derived ones.
STORED = [
    ("guide_accepting_body", "受理机构"),
    ("guide_approving_body", "审批机构"),
    ("guide_conditions", "许可条件"),
    ("guide_preferential", "优惠政策"),
    ("guide_materials", "申请材料"),
    ("guide_supervision", "监督方式"),
    ("guide_accountability", "责任追究"),
    ("guide_remedy", "救济渠道"),
    ("guide_office_hours", "办公时间"),
    ("guide_office_address", "办公地址"),
    ("guide_office_phone", "办公电话"),
]
FIELDS = [name for name, _ in STORED]
LABELS = dict(STORED)
# What every guide states, and what a licence guide adds (许可法 art. 30: 条件 and the list of
# materials are published).
REQUIRED = [
    "guide_accepting_body",
    "guide_remedy",
    "guide_office_hours",
    "guide_office_address",
    "guide_office_phone",
]
REQUIRED_LICENCE = ["guide_conditions", "guide_materials"]


def has_guide(values: dict[str, str]) -> bool:
    return any((values.get(name) or "").strip() for name in FIELDS)


def validate(values: dict[str, str], kind: str) -> dict[str, str]:
    """The stored guide fields, stripped; empty if no guide is given. A started guide must be
    complete; errors are keyed by field."""
    cleaned = {name: (values.get(name) or "").strip() for name in FIELDS}
    if not has_guide(cleaned):
        return cleaned
    needed = REQUIRED + (REQUIRED_LICENCE if kind == ItemKind.LICENCE else [])
    errors = {name: f"服务指南请填写{LABELS[name]}。" for name in needed if not cleaned[name]}
    phone = cleaned["guide_office_phone"]
    if phone and MOBILE.search(phone):
        errors["guide_office_phone"] = (
            "办公电话会在公示平台公开，请填写办公座机（例如 0319-5812345），不要填写个人手机号。"
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


@dataclass(frozen=True)
class GuideRow:
    label: str
    value: str
    derived: bool = False


def _basis(version: EnforcementItemVersion) -> str:
    return "\n".join(
        f"《{b.article.law.title}》{b.article.number}{b.note}" for b in version.basis.all()
    )


def _steps(version: EnforcementItemVersion) -> list[FlowStep]:
    return list(version.flow.steps.order_by("order")) if version.flow_id else []


def process(steps: list[FlowStep]) -> str:
    main = [s.name for s in steps if not s.is_branch]
    return " → ".join(main)


def time_limits(steps: list[FlowStep]) -> str:
    """One line per step with a statutory clock, e.g. 决定（准予许可）：自受理起20个工作日
    （许可法第四十二条…）。"""
    names = {s.code: s.name for s in steps}
    lines = []
    for step in steps:
        if not step.clock_days:
            continue
        start = names.get(step.clock_from, "")
        line = f"{step.name}：{'自' + start + '起' if start else ''}{step.clock_label}"
        if step.clock_basis:
            line += f"（{step.clock_basis}）"
        if step.clock_note:
            line += f"；{step.clock_note}"
        lines.append(line)
    return "\n".join(lines)


def rows(version: EnforcementItemVersion) -> list[GuideRow]:
    """The 15 items of P7 in order; derived ones marked."""
    steps = _steps(version)
    stored = {name: getattr(version, name) for name in FIELDS}
    derived = {
        "事项名称": version.name,
        "依据": _basis(version),
        "办理流程": process(steps),
        "办理时限": time_limits(steps),
    }
    order = [
        "事项名称",
        "依据",
        "guide_accepting_body",
        "guide_approving_body",
        "guide_conditions",
        "guide_preferential",
        "guide_materials",
        "办理流程",
        "办理时限",
        "guide_supervision",
        "guide_accountability",
        "guide_remedy",
        "guide_office_hours",
        "guide_office_address",
        "guide_office_phone",
    ]
    result = []
    for key in order:
        if key in derived:
            result.append(GuideRow(key, derived[key] or "—", derived=True))
        else:
            result.append(GuideRow(LABELS[key], stored[key] or "—"))
    return result
