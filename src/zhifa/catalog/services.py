"""Every change to the enforcement-item catalogue goes through these functions: keyword-only,
`acting_user` required, one transaction each, `full_clean()` before saving, and only inside the
acting user's own agency.

Versioning (P3, P4): an item's content lives in numbered versions. A draft may be edited until
it is approved; an approved version is never changed again: a revision is a new draft, which
becomes the item's current version when a leader approves it. Cases point at the version they
started under, so an approved version's rows (including its basis and discretion) stay as they
were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.catalog import discretion as discretion_rules
from zhifa.catalog import guide as guide_rules
from zhifa.catalog import permissions
from zhifa.catalog.models import (
    Article,
    DocumentKind,
    EnforcementItem,
    EnforcementItemVersion,
    FlowDefinition,
    InspectionBasis,
    ItemBasis,
    ItemKind,
    NumberingPattern,
    RandomInspectionItem,
    VersionStatus,
)
from zhifa.org.models import EnforcementArea, Unit

# Kinds whose officers act in the field need a certificate area (持证上岗, P10; 处罚法 arts.
# 42, 55), and kinds that run a case need the flow they run.
AREA_REQUIRED = {ItemKind.PENALTY, ItemKind.INSPECTION, ItemKind.COERCION}
FLOW_REQUIRED = {ItemKind.PENALTY, ItemKind.LICENCE}


@dataclass(frozen=True)
class Basis:
    """One article an item rests on, with an optional 款/项 note (e.g. 第一款)."""

    article: Article
    note: str = ""


@dataclass(frozen=True)
class ItemContent:
    """What one version of an item says."""

    name: str
    kind: str
    unit: Unit
    duties: str
    powers: str
    basis: Sequence[Basis]
    discretion: list[dict]
    area: EnforcementArea | None = None
    flow: FlowDefinition | None = None
    # 服务指南 (P7): the stored fields, keyed as in `guide.FIELDS`; empty for no guide.
    guide: Mapping[str, str] = field(default_factory=dict)


def _require(rule, user) -> None:
    if not rule(user):
        raise PermissionDenied("您没有执行此操作的权限。")


def _check_agency(user, item: EnforcementItem) -> None:
    if item.agency_id != user.staff.agency_id:
        raise PermissionDenied("只能管理本执法主体的执法事项。")


def _validate_content(content: ItemContent) -> list[dict]:
    errors: dict[str, str] = {}
    if content.kind not in ItemKind.values:
        errors["kind"] = "请选择执法类别。"
    if not content.basis:
        errors["basis"] = "请至少选择一条法律依据（法律法规的具体条款）。"
    articles = [b.article.pk for b in content.basis]
    if len(set(articles)) != len(articles):
        errors["basis"] = "同一法条只能列一次，款、项请写在备注中。"
    if content.kind in FLOW_REQUIRED and content.flow is None:
        errors["flow"] = "行政许可和行政处罚事项请选择办理流程。"
    if content.kind in AREA_REQUIRED and content.area is None:
        errors["area"] = "请选择执法领域，办理时将据此核验执法人员的执法证。"
    try:
        entries = discretion_rules.validate(content.discretion)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        entries = []
    if content.kind == ItemKind.PENALTY and not entries and "discretion" not in errors:
        errors["discretion"] = "行政处罚事项请至少填写一条裁量基准（违法情形及处罚幅度）。"
    try:
        guide_rules.validate(dict(content.guide), content.kind)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return entries


def _write_version(
    version: EnforcementItemVersion, content: ItemContent, entries: list[dict], note: str
) -> EnforcementItemVersion:
    version.name = content.name.strip()
    version.kind = content.kind
    version.unit = content.unit
    version.duties = content.duties.strip()
    version.powers = content.powers.strip()
    version.discretion = entries
    version.area = content.area
    version.flow = content.flow
    version.change_note = note.strip()
    for name, value in guide_rules.validate(dict(content.guide), content.kind).items():
        setattr(version, name, value)
    version.full_clean()
    version.save()
    ItemBasis.objects.filter(version=version).delete()
    ItemBasis.objects.bulk_create(
        ItemBasis(version=version, article=b.article, note=b.note.strip(), order=n)
        for n, b in enumerate(content.basis)
    )
    return version


def item_create(*, acting_user, code: str, content: ItemContent) -> EnforcementItem:
    """A new item with its first version, as a draft awaiting approval."""
    _require(permissions.can_edit_items, acting_user)
    code = code.strip()
    agency = acting_user.staff.agency
    entries = _validate_content(content)
    if EnforcementItem.objects.filter(agency=agency, code=code).exists():
        raise ValidationError({"code": f"事项编码“{code}”已被本机关的其他事项使用，请换一个。"})
    with transaction.atomic():
        item = EnforcementItem(agency=agency, code=code)
        item.full_clean()
        item.save()
        version = EnforcementItemVersion(item=item, number=1, created_by=acting_user)
        _write_version(version, content, entries, "新增事项")
    return item


def item_revise(
    *, acting_user, item: EnforcementItem, content: ItemContent, change_note: str
) -> EnforcementItemVersion:
    """Propose a change. The pending draft is edited if there is one; otherwise a new draft
    version is created. Approved versions are never touched."""
    _require(permissions.can_edit_items, acting_user)
    _check_agency(acting_user, item)
    if not change_note.strip():
        raise ValidationError({"change_note": "请填写变更说明，写明改了什么、为什么改。"})
    entries = _validate_content(content)
    with transaction.atomic():
        latest = (
            EnforcementItemVersion.objects.select_for_update()
            .filter(item=item)
            .order_by("-number")
            .first()
        )
        if latest is not None and latest.status == VersionStatus.DRAFT:
            version = latest
        else:
            number = latest.number + 1 if latest else 1
            version = EnforcementItemVersion(item=item, number=number, created_by=acting_user)
        return _write_version(version, content, entries, change_note)


def item_approve(*, acting_user, version: EnforcementItemVersion) -> EnforcementItemVersion:
    """Approve a draft version: it becomes the item's current version (P3: approved before
    publication). The drafter may not approve their own draft."""
    _require(permissions.can_approve_items, acting_user)
    item = version.item
    _check_agency(acting_user, item)
    with transaction.atomic():
        version = EnforcementItemVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != VersionStatus.DRAFT:
            raise ValidationError("该版本已经批准，无需重复批准。")
        if version.created_by_id == acting_user.pk:
            raise ValidationError("起草人不能批准自己起草的版本，请由其他负责人审批。")
        version.status = VersionStatus.APPROVED
        version.approved_by = acting_user
        version.approved_at = timezone.now()
        version.save(update_fields=["status", "approved_by", "approved_at"])
        item.current_version = version
        item.save(update_fields=["current_version"])
        ledger.record(
            "catalog.item_approved",
            version,
            acting_user,
            {
                "item": item.pk,
                "code": item.code,
                "version": version.number,
                "name": version.name,
                "kind": version.kind,
                "articles": [b.article_id for b in version.basis.all()],
                "change_note": version.change_note,
                "guide": {
                    name: getattr(version, name)
                    for name in guide_rules.FIELDS
                    if getattr(version, name)
                },
            },
            agency=item.agency_id,
        )
    return version


def numbering_pattern_set(*, acting_user, kind: str, pattern: str) -> NumberingPattern:
    """Set how the acting user's agency numbers one kind of document (C2)."""
    _require(permissions.can_manage_numbering, acting_user)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "请选择文书种类。"})
    with transaction.atomic():
        numbering = NumberingPattern.objects.filter(
            agency=acting_user.staff.agency, kind=kind
        ).first() or NumberingPattern(agency=acting_user.staff.agency, kind=kind)
        numbering.pattern = pattern.strip()
        numbering.full_clean()
        numbering.save()
    return numbering


# --- 随机抽查事项清单 (P5) ---


@dataclass(frozen=True)
class InspectionContent:
    """What one entry of the random-inspection list says."""

    name: str
    basis: Sequence[Basis]
    target: str
    content: str
    ratio: str
    method: str
    frequency: str
    item: EnforcementItem | None = None


def _inspection_payload(entry: RandomInspectionItem) -> dict:
    return {
        "code": entry.code,
        "name": entry.name,
        "articles": [b.article_id for b in entry.basis.all()],
        "target": entry.target,
        "content": entry.content,
        "ratio": entry.ratio,
        "method": entry.method,
        "frequency": entry.frequency,
        "item": entry.item_id,
    }


def _write_inspection(
    entry: RandomInspectionItem, content: InspectionContent
) -> RandomInspectionItem:
    errors: dict[str, str] = {}
    if not content.basis:
        errors["basis"] = "请至少填写一条抽查依据（法律法规的具体条款）。"
    articles = [b.article.pk for b in content.basis]
    if len(set(articles)) != len(articles):
        errors["basis"] = "同一法条只能列一次，款、项请写在备注中。"
    if content.item is not None and content.item.agency_id != entry.agency_id:
        errors["item"] = "对应的检查事项不属于本执法主体，请重新选择。"
    if errors:
        raise ValidationError(errors)
    entry.name = content.name.strip()
    entry.target = content.target.strip()
    entry.content = content.content.strip()
    entry.ratio = content.ratio.strip()
    entry.method = content.method.strip()
    entry.frequency = content.frequency.strip()
    entry.item = content.item
    entry.full_clean()
    entry.save()
    InspectionBasis.objects.filter(entry=entry).delete()
    InspectionBasis.objects.bulk_create(
        InspectionBasis(entry=entry, article=b.article, note=b.note.strip(), order=n)
        for n, b in enumerate(content.basis)
    )
    return entry


def inspection_create(
    *, acting_user, code: str, content: InspectionContent
) -> RandomInspectionItem:
    """Add an entry to the acting user's agency's 随机抽查事项清单; published at once (the list
    is the office's to keep, like the numbering patterns)."""
    _require(permissions.can_edit_inspections, acting_user)
    agency = acting_user.staff.agency
    code = code.strip()
    if RandomInspectionItem.objects.filter(agency=agency, code=code).exists():
        raise ValidationError({"code": f"编码“{code}”已被本机关的其他抽查事项使用，请换一个。"})
    with transaction.atomic():
        entry = _write_inspection(
            RandomInspectionItem(agency=agency, code=code, created_by=acting_user), content
        )
        ledger.record(
            "catalog.inspection_created",
            entry,
            acting_user,
            _inspection_payload(entry),
            agency=agency.pk,
        )
    return entry


def inspection_update(
    *, acting_user, entry: RandomInspectionItem, content: InspectionContent
) -> RandomInspectionItem:
    _require(permissions.can_edit_inspections, acting_user)
    if entry.agency_id != acting_user.staff.agency_id:
        raise PermissionDenied("只能管理本执法主体的随机抽查事项。")
    with transaction.atomic():
        entry = RandomInspectionItem.objects.select_for_update().get(pk=entry.pk)
        _write_inspection(entry, content)
        ledger.record(
            "catalog.inspection_updated",
            entry,
            acting_user,
            _inspection_payload(entry),
            agency=entry.agency_id,
        )
    return entry


def inspection_delete(*, acting_user, entry: RandomInspectionItem, reason: str) -> None:
    """Remove an entry from the list; the ledger keeps what it said and why it was removed."""
    _require(permissions.can_edit_inspections, acting_user)
    if entry.agency_id != acting_user.staff.agency_id:
        raise PermissionDenied("只能管理本执法主体的随机抽查事项。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写删除理由，例如：该事项已并入其他抽查事项。"})
    with transaction.atomic():
        entry = RandomInspectionItem.objects.select_for_update().get(pk=entry.pk)
        ledger.record(
            "catalog.inspection_deleted",
            entry,
            acting_user,
            {**_inspection_payload(entry), "reason": reason.strip()},
            agency=entry.agency_id,
        )
        entry.delete()
