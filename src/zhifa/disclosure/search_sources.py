"""The search sources besides decisions (registered in `DisclosureConfig.ready`): each yields
the public content exactly as the portal pages show it, refreshed by `tasks.search_refresh`."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhifa.disclosure.search import Document, register_source

ITEM_KINDS = {"penalty": "penalty", "licence": "licence"}


def _current_versions():
    from zhifa.catalog.models import EnforcementItem

    return (
        EnforcementItem.objects.filter(current_version__isnull=False)
        .select_related("current_version__unit", "agency")
        .prefetch_related("current_version__basis__article__law")
        .order_by("pk")
    )


def _basis(version) -> str:
    return "；".join(
        f"《{b.article.law.title}》{b.article.number}{b.note}" for b in version.basis.all()
    )


def items() -> Iterator[Document]:
    """执法事项清单: each item's current approved version (P3)."""
    for item in _current_versions():
        v = item.current_version
        lines = [
            f"事项编码：{item.code}",
            f"执法类别：{v.get_kind_display()}",
            f"实施机构：{v.unit.name}" if v.unit_id else "",
            f"职责：{v.duties}",
            f"权限：{v.powers}",
            f"依据：{_basis(v)}",
        ]
        yield Document(
            object_id=item.pk,
            title=v.name,
            body="\n".join(line for line in lines if line and not line.endswith("：")),
            url=reverse("disclosure:item_detail", args=[item.agency_id, item.pk]),
            agency_id=item.agency_id,
            kind=ITEM_KINDS.get(v.kind, ""),
            date=timezone.localdate(v.approved_at) if v.approved_at else None,
        )


def guides() -> Iterator[Document]:
    """服务指南 (P7) of the current versions that have one, shown on the item page."""
    try:
        from zhifa.catalog.guide import STORED
    except ImportError:  # the catalogue has no service guides
        return
    for item in _current_versions():
        v = item.current_version
        lines = [f"{label}：{getattr(v, name, '')}" for name, label in STORED]
        lines = [line for line in lines if not line.endswith("：")]
        if not lines:
            continue
        yield Document(
            object_id=item.pk,
            title=f"{v.name} 服务指南",
            body="\n".join([f"依据：{_basis(v)}", *lines]),
            url=reverse("disclosure:item_detail", args=[item.agency_id, item.pk]) + "#guide",
            agency_id=item.agency_id,
            kind=ITEM_KINDS.get(v.kind, ""),
            date=timezone.localdate(v.approved_at) if v.approved_at else None,
        )


def inspections() -> Iterator[Document]:
    """随机抽查事项清单 (P5)."""
    try:
        from zhifa.catalog.models import RandomInspectionItem
    except ImportError:
        return
    try:
        reverse("disclosure:inspection_list", args=[0])
    except NoReverseMatch:
        return  # no portal page to link to yet
    for entry in RandomInspectionItem.objects.select_related("agency").order_by("pk"):
        lines = [
            f"编码：{entry.code}",
            f"抽查对象：{entry.target}",
            f"抽查内容：{entry.content}",
            f"抽查比例：{entry.ratio}",
            f"抽查方式：{entry.method}",
            f"抽查频次：{entry.frequency}",
        ]
        yield Document(
            object_id=entry.pk,
            title=entry.name,
            body="\n".join(lines),
            url=reverse("disclosure:inspection_list", args=[entry.agency_id]),
            agency_id=entry.agency_id,
            date=timezone.localdate(entry.updated_at) if entry.updated_at else None,
        )


def officers() -> Iterator[Document]:
    """执法人员清单 from live certificate data (P8): the certificates valid today, as on the
    officers page (name, unit, certificate number, areas); the entry ends with the
    certificate (`expires_on` = valid_to)."""
    from zhifa.org.models import Certificate, CertificateStatus

    today = timezone.localdate()
    rows = (
        Certificate.objects.filter(
            holder__is_active=True,
            status=CertificateStatus.VALID,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .select_related("holder__unit", "holder__agency")
        .prefetch_related("areas")
        .order_by("pk")
    )
    for cert in rows:
        holder = cert.holder
        areas = "、".join(a.name for a in cert.areas.all())
        lines = [
            f"执法主体：{holder.agency.name}",
            f"科室：{holder.unit.name}" if holder.unit_id else "",
            f"执法证号：{cert.number}",
            f"执法领域：{areas}" if areas else "",
            f"有效期：{cert.valid_from:%Y-%m-%d} 至 {cert.valid_to:%Y-%m-%d}",
        ]
        url = reverse("disclosure:officer_list", args=[holder.agency_id])
        yield Document(
            object_id=cert.pk,
            title=holder.real_name,
            body="\n".join(line for line in lines if line),
            url=f"{url}?{urlencode({'q': cert.number})}",
            agency_id=holder.agency_id,
            date=cert.valid_from,
            expires_on=cert.valid_to,
        )


def register() -> None:
    register_source("item", items)
    register_source("guide", guides)
    register_source("inspection", inspections)
    register_source("officer", officers)
