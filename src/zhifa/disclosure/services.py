"""Disclosure services: drafts from decided cases, the confidentiality review (保密审查),
publication, correction and withdrawal (P1, P12, P16). Each is one transaction that changes
the rows and appends its ledger event.

Drafts are made by an idempotent sweep, `disclosure_sync`, not by a hook inside the case
services: it runs every minute (Huey, `tasks.py`) and whenever an office user opens 待办, so a
decision recorded by any path (page, API, import) gets its draft without the case code knowing
about disclosure, and a missed run is repaired by the next one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.cases.models import Case, Outcome, PartyKind, Procedure
from zhifa.core.calendar import working_deadline
from zhifa.core.privacy import Sensitive, mask_text
from zhifa.disclosure import pages, permissions, push, search, selectors
from zhifa.disclosure.models import (
    Disclosure,
    DisclosureKind,
    DisclosureRule,
    PeriodProfile,
    PublishedVersion,
    Status,
)
from zhifa.ledger import canonical
from zhifa.org.selectors import own_agency_id

log = logging.getLogger(__name__)

# The national 双公示 fields, in the credit platform's order: key, penalty label, licence label.
FIELDS = [
    ("party_name", "行政相对人名称", "行政相对人名称"),
    ("credit_code", "统一社会信用代码", "统一社会信用代码"),
    ("document_number", "决定书文号", "行政许可决定文书号"),
    ("matter", "违法行为类型", "许可事项"),
    ("basis", "处罚依据", "许可依据"),
    ("category", "处罚类别", "许可内容"),
    ("fine_yuan", "罚款金额（元）", ""),
    ("decided_on", "处罚决定日期", "许可决定日期"),
    ("valid_until", "有效期", "有效期"),
    ("authority", "处罚机关", "许可机关"),
    ("publish_until", "公示截止期", "公示截止期"),
]
DECISION_DOC_KINDS = ("penalty_decision", "on_spot_decision", "licence_grant")
WITHDRAW_DAYS = 3  # 处罚法 art. 48: withdrawn within 3 working days
LIGHT_TYPES = {"警告", "通报批评"}


def field_rows(kind: str, fields: dict) -> list[tuple[str, str]]:
    """(label, value) pairs for display, in the national order."""
    column = 2 if kind == DisclosureKind.LICENCE else 1
    return [(row[column], fields.get(row[0], "")) for row in FIELDS if row[column]]


# --- rules -----------------------------------------------------------------------------------


def rule_for(agency_id: int, kind: str) -> DisclosureRule:
    """The agency's rule for `kind`, created with the defaults when missing (P1)."""
    rule, _ = DisclosureRule.objects.get_or_create(agency_id=agency_id, kind=kind)
    return rule


def _excluded_by_rule(case: Case, rule: DisclosureRule) -> str:
    if not rule.published:
        return "按本机关公示规则，该类决定不公示。"
    if case.procedure == Procedure.SIMPLE and not rule.include_simple:
        return "简易程序处罚按公示规则不公示（市场监管规定第二条）。"
    types = set(case.penalty_types)
    if types and types <= {"警告"} and not rule.include_warning_only:
        return "仅警告的处罚按公示规则不公示（市场监管规定第二条）。"
    return ""


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def expiry(disclosure: Disclosure, rule: DisclosureRule, start: dt.date) -> dt.date:
    """End of the publication period (law-facts 公示: Hebei practice or 45号令 art. 13)."""
    case = disclosure.case
    if rule.period_profile == PeriodProfile.MARKET:
        types = set(case.penalty_types)
        light = bool(types) and (
            types <= LIGHT_TYPES
            or (types <= LIGHT_TYPES | {"罚款"} and case.fine_amount <= rule.small_fine_limit)
        )
        if disclosure.kind == DisclosureKind.PENALTY and light:
            return _add_months(start, rule.light_months)
        return _add_months(start, 12 * rule.other_years)
    years = rule.person_years if case.party.kind == PartyKind.PERSON else rule.organisation_years
    return _add_months(start, 12 * years)


# --- content -----------------------------------------------------------------------------------


def _kind(case: Case) -> str:
    return DisclosureKind.LICENCE if case.kind == "licence" else DisclosureKind.PENALTY


def _full_text(case: Case) -> tuple[str, str]:
    """The issued decision document's text (from its context snapshot), else assembled."""
    from zhifa.cases import documents

    doc = case.documents.filter(kind__in=DECISION_DOC_KINDS).order_by("-issued_at", "-pk").first()
    if doc is not None and doc.template_id:
        try:
            composed = documents.compose(
                case, doc.template, doc.context, number=doc.number, on=case.decided_on
            )
            lines = [composed.title, composed.number, composed.recipient, *composed.body]
            lines += [composed.issuer, f"{case.decided_on:%Y年%m月%d日}"]
            return "\n".join(line for line in lines if line), f"已出具文书：{doc}"
        except Exception:
            log.exception("disclosure: could not compose document %s", doc.pk)
    party = case.party
    ident = (
        f"统一社会信用代码：{party.credit_code}"
        if party.kind == PartyKind.ORGANISATION
        else f"公民身份号码：{party.id_number}"
    )
    lines = [
        f"{case.agency.name}",
        "行政处罚决定书" if case.kind == "penalty" else "准予行政许可决定书",
        case.decision_number,
        f"当事人：{party.name}",
        ident,
        f"住所（地址）：{party.address}" if party.address else "",
        f"法定代表人（负责人）：{party.legal_representative}" if party.legal_representative else "",
        f"联系电话：{party.phone}" if party.phone else "",
        f"案由：{case.title}",
        f"事实：{case.facts}" if case.facts else "",
        f"依据：{documents.citations(case)}",
        "决定："
        + (documents.penalty_text(case) if case.kind == "penalty" else case.decision_content),
        f"{case.agency.name}",
        f"{case.decided_on:%Y年%m月%d日}",
    ]
    return "\n".join(line for line in lines if line), "根据案件信息生成"


def _fields(case: Case) -> dict[str, str]:
    from zhifa.cases import documents

    party = case.party
    penalty = case.kind == "penalty"
    return {
        "party_name": party.name,
        "party_kind": party.get_kind_display(),
        "credit_code": party.credit_code,
        "document_number": case.decision_number,
        "matter": case.title.removesuffix("（演示）") if penalty else case.item_version.name,
        "basis": documents.citations(case),
        "category": "、".join(case.penalty_types) if penalty else case.decision_content,
        "fine_yuan": documents.yuan(case.fine_amount) if penalty and case.fine_amount else "",
        "decided_on": case.decided_on.isoformat() if case.decided_on else "",
        "valid_until": "",
        "authority": case.agency.name,
        "publish_until": "",
    }


def sensitive_for(case: Case, rule: DisclosureRule) -> Sensitive:
    """What to mask for this case (浙江 rule art. 7; 条例 arts. 14–15)."""
    party = case.party
    person = party.kind == PartyKind.PERSON
    names = [party.legal_representative]
    if person and rule.mask_party_name:
        names.append(party.name)
    values = [party.phone, party.id_number, party.address if person else ""]
    agency = case.agency
    return Sensitive(names=names, values=values, keep=[agency.phone, agency.address, agency.name])


def masked(disclosure: Disclosure, rule: DisclosureRule | None = None) -> tuple[dict, str]:
    """The masked fields and text: what the portal shows (and the publisher previews)."""
    rule = rule or rule_for(disclosure.agency_id, disclosure.kind)
    sensitive = sensitive_for(disclosure.case, rule)
    fields = {
        k: mask_text(v, sensitive) if isinstance(v, str) else v
        for k, v in disclosure.fields.items()
    }
    return fields, mask_text(disclosure.text, sensitive)


def content_document(disclosure_id: int, number: int, fields: dict, text: str) -> dict:
    return {"disclosure": disclosure_id, "version": number, "fields": fields, "text": text}


def content_hash(document: dict) -> str:
    return hashlib.sha256(canonical.dumps(document)).hexdigest()


# --- the sweep ---------------------------------------------------------------------------------


def _withheld_reason(case: Case, rule: DisclosureRule) -> str:
    if case.party.is_minor:
        return "当事人为未成年人，不予公示。"
    return _excluded_by_rule(case, rule)


def disclosure_draft(*, case: Case) -> Disclosure | None:
    """Create the draft for one decided case (None if it exists or the case is not decided)."""
    if case.decided_on is None or case.outcome not in (Outcome.PENALTY, Outcome.GRANTED):
        return None
    kind = _kind(case)
    rule = rule_for(case.agency_id, kind)
    deadline = working_deadline(case.decided_on, rule.deadline_days)
    text, source = _full_text(case)
    reason = _withheld_reason(case, rule)
    draft = Disclosure(
        agency_id=case.agency_id,
        case=case,
        kind=kind,
        status=Status.WITHHELD if reason else Status.DRAFT,
        withheld_reason=reason,
        decided_on=case.decided_on,
        due_on=deadline.due,
        deadline_provisional=deadline.provisional,
        fields=_fields(case),
        text=text,
        source=source,
    )
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:  # another sweep made it first
        return None
    return draft


def disclosure_sync(*, agency_id: int | None = None) -> int:
    """Create the missing drafts for decided cases; idempotent. Returns how many were made."""
    cases = Case.objects.filter(
        decided_on__isnull=False,
        outcome__in=[Outcome.PENALTY, Outcome.GRANTED],
        disclosure__isnull=True,
    ).select_related("party", "agency", "item_version")
    if agency_id is not None:
        cases = cases.filter(agency_id=agency_id)
    return sum(1 for case in cases if disclosure_draft(case=case) is not None)


# --- review, publish, correct, withdraw --------------------------------------------------------


def _check(user, disclosure: Disclosure, rule, what: str) -> Disclosure:
    if not rule(user) or own_agency_id(user) != disclosure.agency_id:
        raise PermissionDenied(f"您没有{what}本机关公示的权限。")
    return (
        Disclosure.objects.select_for_update()
        .select_related("case__party", "agency")
        .get(pk=disclosure.pk)
    )


def disclosure_review(
    *, acting_user, draft: Disclosure, approve: bool, note: str = "", secret: bool = False
) -> Disclosure:
    """保密审查 by a second person (条例 art. 17). Not approving, or flagging state/commercial
    secrets or privacy, withholds the decision for good (条例 arts. 14–15)."""
    with transaction.atomic():
        draft = _check(acting_user, draft, permissions.can_review, "保密审查")
        if draft.status != Status.DRAFT:
            raise ValidationError("该公示不在待保密审查状态。")
        if draft.prepared_by_id and draft.prepared_by_id == acting_user.pk:
            raise ValidationError("保密审查须由拟稿人以外的人员进行。")
        draft.reviewed_by, draft.reviewed_at = acting_user, timezone.now()
        draft.review_note = note.strip()
        if approve and not secret:
            draft.status = Status.REVIEWED
        else:
            if not note.strip():
                raise ValidationError({"note": "不予公示须写明理由。"})
            draft.status, draft.secret = Status.WITHHELD, secret
            draft.withheld_reason = note.strip()
            ledger.record(
                "disclosure.withheld",
                draft,
                acting_user,
                {"case": draft.case_id, "secret": secret},
            )
        draft.full_clean()
        draft.save()
    return draft


def _new_version(disclosure: Disclosure, user, rule, reason: str, kind: str, corrects=None):
    fields, text = masked(disclosure, rule)
    fields["publish_until"] = disclosure.expires_on.isoformat() if disclosure.expires_on else ""
    number = disclosure.versions.count() + 1
    digest = content_hash(content_document(disclosure.pk, number, fields, text))
    event = ledger.record(
        kind,
        disclosure,
        user,
        {
            "version": number,
            "content_sha256": digest,
            "document_number": fields.get("document_number", ""),
            "reason": reason,
        },
        corrects=corrects,
    )
    return PublishedVersion.objects.create(
        disclosure=disclosure,
        number=number,
        fields=fields,
        text=text,
        content_sha256=digest,
        reason=reason,
        event_seq=event.seq,
        published_by=user,
        published_at=event.time,
    )


def _public_change(disclosure: Disclosure, event: str, seq: int) -> None:
    """What every publication, correction and withdrawal updates in its transaction: the
    open-data cursor and push outbox, the search index, the stored public page; and, once
    committed, this process's memo of the portal state (other processes within a second)."""
    push.record_change(disclosure, event, seq)
    search.index_disclosure(disclosure)
    pages.refresh(disclosure)
    transaction.on_commit(selectors.forget_public_state)


def disclosure_publish(*, acting_user, draft: Disclosure) -> Disclosure:
    """Approve and publish a reviewed draft; the reviewer cannot also publish."""
    with transaction.atomic():
        draft = _check(acting_user, draft, permissions.can_publish, "批准发布")
        if draft.status != Status.REVIEWED:
            raise ValidationError("只有通过保密审查的公示才能发布。")
        if draft.reviewed_by_id == acting_user.pk:
            raise ValidationError("保密审查人不能同时批准发布，请由另一位有权人员批准。")
        if draft.case.party.is_minor or draft.secret:
            raise ValidationError("当事人为未成年人或涉及秘密、隐私的决定不予公示。")
        rule = rule_for(draft.agency_id, draft.kind)
        today = timezone.localdate()
        draft.status, draft.published_by, draft.published_at = (
            Status.PUBLISHED,
            acting_user,
            timezone.now(),
        )
        draft.expires_on = expiry(draft, rule, today)
        draft.save()
        version = _new_version(draft, acting_user, rule, "", "disclosure.published")
        _public_change(draft, "disclosure.published", version.event_seq)
    return draft


def disclosure_correct(
    *,
    acting_user,
    disclosure: Disclosure,
    reason: str,
    fields: dict | None = None,
    text: str | None = None,
) -> Disclosure:
    """纠错: a new published version with its reason shown publicly (P1)."""
    if not reason.strip():
        raise ValidationError({"reason": "更正须写明理由，理由将一并公示。"})
    with transaction.atomic():
        disclosure = _check(acting_user, disclosure, permissions.can_publish, "更正")
        if disclosure.status != Status.PUBLISHED:
            raise ValidationError("只有已公示的决定可以更正。")
        if fields:
            disclosure.fields = {
                **disclosure.fields,
                **{k: v for k, v in fields.items() if k in disclosure.fields},
            }
        if text is not None:
            disclosure.text = text
        disclosure.save()
        previous = disclosure.versions.order_by("-number").first()
        rule = rule_for(disclosure.agency_id, disclosure.kind)
        version = _new_version(
            disclosure,
            acting_user,
            rule,
            reason.strip(),
            "disclosure.corrected",
            corrects=previous.event_seq if previous else None,
        )
        _public_change(disclosure, "disclosure.corrected", version.event_seq)
    return disclosure


def disclosure_withdraw(
    *, acting_user, disclosure: Disclosure, reason: str, changed_on: dt.date
) -> Disclosure:
    """撤回 within 3 working days of the decision being changed, revoked or confirmed illegal,
    with the reason published (处罚法 art. 48). Late withdrawals are still allowed, and marked."""
    if not reason.strip():
        raise ValidationError({"reason": "撤回须写明理由，理由将一并公示。"})
    with transaction.atomic():
        disclosure = _check(acting_user, disclosure, permissions.can_publish, "撤回")
        if disclosure.status != Status.PUBLISHED:
            raise ValidationError("只有已公示的决定可以撤回。")
        due = working_deadline(changed_on, WITHDRAW_DAYS).due
        today = timezone.localdate()
        last = disclosure.versions.order_by("-number").first()
        event = ledger.record(
            "disclosure.withdrawn",
            disclosure,
            acting_user,
            {
                "reason": reason.strip(),
                "changed_on": changed_on,
                "withdraw_due": due,
                "late": today > due,
            },
            corrects=last.event_seq if last else None,
        )
        disclosure.status = Status.WITHDRAWN
        disclosure.changed_on, disclosure.withdraw_due = changed_on, due
        disclosure.withdrawn_at, disclosure.withdrawal_reason = event.time, reason.strip()
        disclosure.withdrawal_seq = event.seq
        disclosure.save()
        _public_change(disclosure, "disclosure.withdrawn", event.seq)
    return disclosure
