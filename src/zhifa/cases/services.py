"""Every change to a case goes through these functions: keyword-only, `acting_user` required,
one transaction each, the case row locked, `full_clean()` before saving, and a ledger event
written in the same transaction (全过程记录): a change and its record exist together or not
at all.

The state machine is the catalogue's FlowDefinition: a move is allowed only along a
FlowTransition from the case's current step. Who may act: for a move into a branch step
(不予立案, 撤案, 不予处罚, 移送, 不予受理, 不予许可) the branch step's roles decide, since the
branch is that step's decision; otherwise the roles of the step being completed (the current
step).
Steps with `min_certified_officers` are checked when the case enters them and again when it
completes them (certificates can expire meanwhile), on the day of the act (持证上岗, P10;
处罚法 arts. 42, 55). A step with `requires_av` cannot be completed without an audio/video
evidence reference attached to that step or a leader-approved reason (C4).

Moves that carry their own data (立案, 决定, 送达, 受理 …) belong to their own service;
`case_advance` refuses them and names the service to use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.cases import clocks, gates, penalties
from zhifa.cases.models import (
    AV_MEDIA,
    AvException,
    Case,
    CaseEvidence,
    CaseKind,
    CaseStatus,
    CaseStepRecord,
    CashCollection,
    CashGround,
    ClosedGround,
    DecisionExtension,
    ExtensionStatus,
    HearingRecord,
    HearingSignature,
    MediaKind,
    Outcome,
    Party,
    PartyKind,
    PaymentMethod,
    PenaltyType,
    Procedure,
    Recusal,
    RecusalKind,
    RecusalStatus,
    ServiceMethod,
)
from zhifa.catalog import discretion
from zhifa.catalog.models import (
    DocumentKind,
    EnforcementItemVersion,
    FlowDefinition,
    FlowStep,
    FlowTransition,
    ItemKind,
    NumberingPattern,
    VersionStatus,
)
from zhifa.ledger import canonical
from zhifa.org.models import Staff
from zhifa.org.roles import Role, has_role, role_names
from zhifa.org.selectors import certificate_check

PENALTY_FLOW = "penalty.ordinary"
SIMPLE_FLOW = "penalty.simple"
LICENCE_FLOW = "licence"

# Entering these steps needs a written reason (处罚法 arts. 54, 57; 许可法 arts. 32, 38).
REASON_STEPS = {"no_filing", "withdraw", "no_penalty", "transfer", "not_accepted", "refuse"}
BRANCH_OUTCOME = {
    "no_filing": Outcome.NOT_FILED,
    "withdraw": Outcome.WITHDRAWN,
    "no_penalty": Outcome.NO_PENALTY,
    "transfer": Outcome.TRANSFER,
    "not_accepted": Outcome.NOT_ACCEPTED,
    "refuse": Outcome.REFUSED,
}
HEARING_ACTION = "登记听证笔录"
# Moves owned by a specific service: (flow, from, to) -> the action's Chinese name.
OWNED = {
    (PENALTY_FLOW, "filing", "investigate"): "立案审批（予以立案）",
    (PENALTY_FLOW, "decide", "serve"): "作出决定",
    (PENALTY_FLOW, "decide", "no_penalty"): "作出决定",
    (PENALTY_FLOW, "decide", "transfer"): "作出决定",
    (PENALTY_FLOW, "serve", "execute"): "送达",
    (PENALTY_FLOW, "serve", "close"): "送达",
    (PENALTY_FLOW, "close", "archive"): "结案",
    (LICENCE_FLOW, "apply", "accept"): "受理",
    (LICENCE_FLOW, "apply", "correction"): "一次性告知补正",
    (LICENCE_FLOW, "apply", "not_accepted"): "不予受理",
    (LICENCE_FLOW, "correction", "accept"): "受理",
    (LICENCE_FLOW, "accept", "review"): "受理",
    (LICENCE_FLOW, "decide", "serve"): "许可决定",
    (LICENCE_FLOW, "decide", "refuse"): "许可决定",
    (LICENCE_FLOW, "serve", "publish"): "送达",
    (SIMPLE_FLOW, "onspot_check", "onspot_notice"): "当场处罚",
    (SIMPLE_FLOW, "onspot_notice", "onspot_decide"): "当场处罚",
    (SIMPLE_FLOW, "onspot_decide", "onspot_pay"): "当场处罚",
    # The 听证 step completes only with its record (处罚法 art. 64(8)).
    (PENALTY_FLOW, "hearing", "legal_review"): HEARING_ACTION,
    (PENALTY_FLOW, "hearing", "collective"): HEARING_ACTION,
    (PENALTY_FLOW, "hearing", "decide"): HEARING_ACTION,
}
# Steps whose completion the legal-review gate guards (处罚法 art. 58): a case that needs a
# review may not move into these without having passed it.
GATED_TARGETS = {"prior_notice", "collective", "decide"}
# 处罚法 art. 63: penalties that carry a hearing right whatever the amount.
HEARING_TYPES = {
    PenaltyType.DOWNGRADE,
    PenaltyType.REVOKE_LICENCE,
    PenaltyType.SUSPEND_BUSINESS,
    PenaltyType.CLOSE,
    PenaltyType.RESTRICT_PRACTICE,
    PenaltyType.RESTRICT_BUSINESS,
}
# 较大数额 for the hearing right (art. 63) is set per province: configurable defaults (分),
# unconfirmed for Hebei, override with settings ZHIFA_HEARING_THRESHOLD_PERSON / _ORGANISATION.
HEARING_PERSON = 10_000_00
HEARING_ORG = 100_000_00
NO_EXECUTION_TYPES = {PenaltyType.WARNING, PenaltyType.CRITICISM}


# --- helpers -------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _staff(user) -> Staff:
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if staff is None or not staff.is_active:
        raise PermissionDenied("您的账号未关联在岗的执法人员信息，请联系办公室维护人员信息。")
    return staff


def _require_role(user, roles: Iterable[str], what: str) -> None:
    roles = list(roles)
    if not role_names(user) & set(roles):
        raise PermissionDenied(f"“{what}”须由{'、'.join(roles)}办理，您没有相应角色。")


def _lock(user, case: Case) -> Case:
    """The case, locked for this transaction, after checking it belongs to the user's agency."""
    staff = _staff(user)
    locked = Case.objects.select_for_update().select_related("flow", "item_version").get(pk=case.pk)
    if locked.agency_id != staff.agency_id:
        raise PermissionDenied("只能办理本执法主体的案件。")
    return locked


def _on(day: dt.date | None) -> dt.date:
    day = day or _today()
    if day > _today():
        raise ValidationError("办理日期不能晚于今天，请核对日期。")
    return day


def _step(case: Case, code: str) -> FlowStep:
    return FlowStep.objects.get(flow=case.flow, code=code)


def _require_step(case: Case, *codes: str) -> FlowStep:
    current = _step(case, case.step)
    if case.step not in codes:
        names = "、".join(s.name for s in FlowStep.objects.filter(flow=case.flow, code__in=codes))
        raise ValidationError(f"案件当前处于“{current.name}”环节，此项只能在“{names}”环节办理。")
    return current


def _require_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise ValidationError(f"案件{case.get_status_display()}，不能再办理此项。")


def _check_certified(case: Case, step: FlowStep, on: dt.date) -> None:
    """At least `min_certified_officers` handlers hold a valid certificate for the item's
    area on that day (处罚法 arts. 42, 55; P10). An item without an area (licences: 许可法
    art. 34 asks for two staff, not certified officers) needs that many active handlers."""
    need = step.min_certified_officers
    if not need:
        return
    handlers = list(case.handlers.all())
    area = case.item_version.area
    if area is None:
        active = [h for h in handlers if h.is_active]
        if len(active) < need:
            raise ValidationError(
                f"“{step.name}”须指派{need}名以上工作人员（许可法第三十四条），目前只有"
                f"{len(active)}名，请增加承办人。"
            )
        return
    valid, problems = _certified(handlers, area, on)
    if valid < need:
        raise ValidationError(
            f"“{step.name}”须由{need}名以上持有有效“{area.name}”领域执法证的执法人员办理"
            f"（《行政处罚法》第四十二条、第五十五条），{on:%Y年%m月%d日}符合条件的承办人只有"
            f"{valid}名。{problems}请增加或更换持证承办人。"
        )


def _certified(handlers: Iterable[Staff], area, on: dt.date) -> tuple[int, str]:
    """How many of `handlers` hold a valid certificate for `area` on `on`, and why the
    others do not."""
    checks = [certificate_check(staff=h, area=area, on=on) for h in handlers]
    problems = "".join(c.reason for c in checks if not c.allowed)
    return sum(c.allowed for c in checks), problems


def _check_av(case: Case, step: FlowStep) -> None:
    if not step.requires_av:
        return
    has_av = CaseEvidence.objects.filter(case=case, step=step.code, media_kind__in=AV_MEDIA)
    if has_av.exists() or AvException.objects.filter(case=case, step=step.code).exists():
        return
    raise ValidationError(
        f"“{step.name}”环节须有音像记录：请先上传本环节的录音录像，或由局领导批准未能音像记录"
        "的理由后再办理（全过程记录，118号）。"
    )


def _check_gate(case: Case, *, deciding: bool = False) -> None:
    gate = gates.review_gate(case)
    if gate.blocks:
        raise ValidationError(
            "本案须经法制审核后才能作出决定（"
            + "；".join(gate.reasons)
            + "），请先转法制审核环节，待审核意见通过并经承办机构采纳后再办理。"
        )
    if deciding:
        discussion = gates.discussion_gate(case)
        if discussion.blocks:
            raise ValidationError(
                "本案须经负责人集体讨论后才能作出决定（"
                + "；".join(discussion.reasons)
                + "），请先登记集体讨论记录（《行政处罚法》第五十七条第二款）。"
            )


def _number(case: Case, kind: str, on: dt.date) -> str:
    """A gap-free number of the agency's series for `kind` (C2), inside the caller's
    transaction: a rollback returns it."""
    pattern = NumberingPattern.objects.filter(agency_id=case.agency_id, kind=kind).first()
    if pattern is None:
        label = DocumentKind(kind).label
        raise ValidationError(
            f"本机关尚未设置“{label}”的编号格式，请由办公室在“文书编号格式”中设置后再办理。"
        )
    return pattern.issue(on=on)


# Set when the case is created and never changed afterwards: re-checking that these rows
# exist on every save would only cost queries.
_FIXED_FIELDS = ["agency", "item_version", "flow", "party", "created_by"]


def _save(case: Case) -> None:
    case.full_clean(exclude=_FIXED_FIELDS if case.pk else None)
    case.save()


def _event(kind: str, case: Case, user, payload: dict) -> None:
    ledger.record(kind, case, user, {"case": case.pk, "number": case.number, **payload})


def _move(
    case: Case,
    user,
    to_step: str,
    *,
    on: dt.date,
    reason: str = "",
    owner: str = "",
    event: str = "case.step",
    payload: dict | None = None,
) -> CaseStepRecord:
    """Check and perform one move along the flow, with its step record and ledger event."""
    _require_open(case)
    source = _step(case, case.step)
    transition = (
        FlowTransition.objects.select_related("target")
        .filter(source=source, target__code=to_step)
        .first()
    )
    if transition is None:
        allowed = "、".join(t.target.name for t in source.outgoing.select_related("target"))
        target = FlowStep.objects.filter(flow=case.flow, code=to_step).first()
        raise ValidationError(
            f"案件当前处于“{source.name}”环节，不能转到“{target.name if target else to_step}”。"
            + (f"下一步可以办理：{allowed}。" if allowed else "本环节已是最后环节。")
        )
    target = transition.target
    owned_by = OWNED.get((case.flow.code, source.code, target.code))
    if owned_by and owned_by != owner:
        raise ValidationError(f"转到“{target.name}”须通过“{owned_by}”办理，请使用对应的办理功能。")
    deciding = target if target.is_branch else source
    _require_role(user, deciding.roles, deciding.name)
    reason = reason.strip()
    if target.code in REASON_STEPS and not reason:
        raise ValidationError(f"转入“{target.name}”须写明理由，请填写后再提交。")
    if not target.is_branch:  # completing the step; a branch (撤案 …) abandons it
        _check_certified(case, source, on)
        _check_av(case, source)
    _check_certified(case, target, on)
    if source.code == "hearing":
        case.hearing_held = True
    _guard(case, source, target, reason)
    if target.code in BRANCH_OUTCOME:
        case.outcome = BRANCH_OUTCOME[target.code]
        case.decision_reason = reason
        case.decided_on = case.decided_on or on
    case.step = target.code
    if target.is_final:
        case.status = CaseStatus.CLOSED
        case.closed_on = case.closed_on or on
    _save(case)
    record = CaseStepRecord(
        case=case,
        from_step=source.code,
        to_step=target.code,
        label=transition.label,
        reason=reason,
        actor=user,
    )
    record.full_clean()
    record.save()
    _event(
        event,
        case,
        user,
        {
            "from": source.code,
            "to": target.code,
            "label": transition.label,
            "reason": reason,
            "on": on.isoformat(),
            **(payload or {}),
        },
    )
    return record


def _guard(case: Case, source: FlowStep, target: FlowStep, reason: str) -> None:
    """Preconditions of particular steps that the flow data cannot express."""
    if target.code in GATED_TARGETS:
        _check_gate(case, deciding=target.code == "decide")
    if case.kind != CaseKind.PENALTY:
        return
    proposing = source.code == "report" and target.code in ("prior_notice", "legal_review")
    if proposing and not case.penalty_types:
        raise ValidationError("请先填写拟作出的处罚决定（处罚种类、罚款金额）后再提交。")
    if source.code == "prior_notice":
        if case.notified_on is None:
            raise ValidationError(
                "尚未事先告知当事人拟作出的处罚及陈述、申辩、听证权利（《行政处罚法》第四十四条），"
                "请先登记告知书送达情况。"
            )
        if case.hearing_requested and not case.hearing_held and target.code != "hearing":
            raise ValidationError("当事人已申请听证，须先组织听证（《行政处罚法》第六十四条）。")
    if target.is_final and case.payment_method == PaymentMethod.CASH:
        cash = CashCollection.objects.filter(case=case).first()
        if cash is not None and cash.banked_on is None:
            where = "交至行政机关并" if cash.handed_over_on is None else ""
            raise ValidationError(
                f"本案当场收缴的罚款（票据号码{cash.receipt_number}）尚未{where}缴付指定银行，"
                "不能结案。请待办公室登记缴付银行后再办理（《行政处罚法》第七十一条）。"
            )
    if source.code in ("execute", "onspot_pay"):
        owes = case.fine_amount and case.paid_on is None
        if owes and not reason:
            raise ValidationError(
                "罚款尚未缴纳。请先登记缴款，或写明未缴纳的处理情况（如已申请人民法院强制执行，"
                "《行政处罚法》第七十二条）。"
            )


def _check_version(user, version: EnforcementItemVersion, kind: str) -> None:
    staff = _staff(user)
    if version.item.agency_id != staff.agency_id:
        raise PermissionDenied("只能办理本执法主体的执法事项。")
    if version.status != VersionStatus.APPROVED:
        raise ValidationError("该执法事项版本尚未批准，不能据此办理案件。")
    if version.kind != kind:
        raise ValidationError(f"请选择{ItemKind(kind).label}事项。")
    if version.flow_id is None:
        raise ValidationError("该执法事项未设定办理流程，请由办公室补充后再办理。")


def _check_party(user, party: Party) -> None:
    if party.agency_id != _staff(user).agency_id:
        raise PermissionDenied("当事人不属于本执法主体。")


def _set_handlers(case: Case, user, handlers: Sequence[Staff]) -> None:
    if not handlers:
        raise ValidationError("请指定承办人。")
    for handler in handlers:
        if handler.agency_id != case.agency_id or not handler.is_active:
            raise ValidationError(f"{handler.real_name}不是本执法主体在岗人员，不能作为承办人。")
    recused = (
        Recusal.objects.filter(case=case, status=RecusalStatus.GRANTED, handler__in=handlers)
        .select_related("handler")
        .first()
    )
    if recused is not None:
        # 处罚法 art. 43: a handler whose recusal was granted no longer handles the case.
        raise ValidationError(
            f"{recused.handler.real_name}已于{recused.decided_on:%Y年%m月%d日}经局领导决定回避，"
            "不能再担任本案承办人（《行政处罚法》第四十三条），请另行指定。"
        )
    case.handlers.set(handlers)


def _new_case(
    user,
    *,
    version: EnforcementItemVersion,
    flow: FlowDefinition,
    party: Party,
    title: str,
    kind: str,
    procedure: str,
    on: dt.date,
    source: str = "",
    facts: str = "",
) -> Case:
    first = flow.steps.order_by("order").first()
    if first is None:
        raise ValidationError("办理流程没有环节，请联系系统管理员。")
    _require_role(user, first.roles, first.name)
    if not title.strip():
        raise ValidationError({"title": "请填写案由或申请事项。"})
    case = Case(
        agency_id=_staff(user).agency_id,
        kind=kind,
        procedure=procedure,
        item_version=version,
        flow=flow,
        party=party,
        title=title.strip(),
        source=source.strip(),
        facts=facts.strip(),
        step=first.code,
        registered_on=on,
        created_by=user,
    )
    _save(case)
    return case


# --- parties, handlers, evidence -----------------------------------------------------------


def party_create(
    *,
    acting_user,
    kind: str,
    name: str,
    id_number: str = "",
    credit_code: str = "",
    legal_representative: str = "",
    phone: str = "",
    address: str = "",
    is_minor: bool = False,
) -> Party:
    staff = _staff(acting_user)
    with transaction.atomic():
        party = Party(
            agency_id=staff.agency_id,
            kind=kind,
            name=name.strip(),
            id_number=id_number,
            credit_code=credit_code,
            legal_representative=legal_representative.strip(),
            phone=phone.strip(),
            address=address.strip(),
            is_minor=is_minor,
        )
        party.full_clean()
        party.save()
        # No identity numbers in the append-only ledger: it cannot be erased later.
        ledger.record("party.created", party, acting_user, {"party": party.pk, "kind": kind})
    return party


def case_set_handlers(*, acting_user, case: Case, handlers: Sequence[Staff]) -> Case:
    """A unit head or leader (re)assigns the 承办人; the current step's officer rule must
    still hold afterwards."""
    _require_role(acting_user, (Role.UNIT_HEAD, Role.LEADER), "指定承办人")
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        _set_handlers(case, acting_user, handlers)
        _check_certified(case, _step(case, case.step), _today())
        _event("case.handlers_set", case, acting_user, {"handlers": [h.pk for h in handlers]})
    return case


def case_evidence_attach(
    *,
    acting_user,
    case: Case,
    step: str,
    sha256: str,
    media_kind: str,
    description: str = "",
    device=None,
    filename: str = "",
    content_type: str = "",
    size: int | None = None,
    captured_at=None,
    location: str = "",
) -> CaseEvidence:
    """Attach a stored evidence blob (by its SHA-256) to a step of the case. The upload and
    the blob's own ledger event belong to the ledger's evidence store; the optional file
    facts (device, original name, type, size, time and place of capture) are kept with it."""
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        flow_step = FlowStep.objects.filter(flow=case.flow, code=step).first()
        if flow_step is None:
            raise ValidationError({"step": "该环节不属于本案的办理流程。"})
        handles = case.handlers.filter(user=acting_user).exists()
        if not handles and not role_names(acting_user) & {Role.UNIT_HEAD.value, Role.LEADER.value}:
            raise PermissionDenied("只有本案承办人或负责人可以添加证据。")
        if media_kind not in MediaKind.values:
            raise ValidationError({"media_kind": "请选择证据类别。"})
        if device is not None and device.agency_id != case.agency_id:
            raise ValidationError({"device": "只能选择本执法主体登记的执法装备。"})
        evidence = CaseEvidence(
            case=case,
            step=step,
            sha256=sha256.strip().lower(),
            media_kind=media_kind,
            description=description.strip(),
            device=device,
            filename=filename,
            content_type=content_type,
            size=size,
            captured_at=captured_at,
            location=location.strip(),
            added_by=acting_user,
        )
        evidence.full_clean()
        evidence.save()
        facts = {"step": step, "sha256": evidence.sha256, "media_kind": media_kind}
        if device is not None:
            facts["device"] = device.serial_number
        if filename:
            facts["filename"] = filename
        _event("evidence.attached", case, acting_user, facts)
    return evidence


def av_exception_approve(*, acting_user, case: Case, step: str, reason: str) -> AvException:
    """A leader approves why a step that requires an audio-visual record has none (C4)."""
    _require_role(acting_user, (Role.LEADER,), "批准未音像记录的理由")
    if not reason.strip():
        raise ValidationError({"reason": "请写明未能音像记录的理由。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        flow_step = FlowStep.objects.filter(flow=case.flow, code=step).first()
        if flow_step is None or not flow_step.requires_av:
            raise ValidationError({"step": "该环节不要求音像记录，无需批准例外。"})
        exception = AvException(
            case=case, step=step, reason=reason.strip(), approved_by=acting_user
        )
        exception.full_clean()
        exception.save()
        _event("case.av_exception_approved", case, acting_user, {"step": step, "reason": reason})
    return exception


# --- the generic move ----------------------------------------------------------------------


def case_advance(
    *, acting_user, case: Case, to_step: str, reason: str = "", on: dt.date | None = None
) -> Case:
    """Move the case along its flow to `to_step` (steps without data of their own: submit for
    filing, 调查终结, 撤案, 不予立案, 听证, 集体讨论, 结案 of branches, 公示, …)."""
    with transaction.atomic():
        case = _lock(acting_user, case)
        _move(case, acting_user, to_step, on=_on(on), reason=reason)
    return case


# --- 行政处罚, ordinary procedure -----------------------------------------------------------


def case_register(
    *,
    acting_user,
    item_version: EnforcementItemVersion,
    party: Party,
    title: str,
    source: str = "",
    facts: str = "",
    registered_on: dt.date | None = None,
    violation_on: dt.date | None = None,
    violation_continuing: bool = False,
    violation_ended_on: dt.date | None = None,
    harms_safety: bool = False,
) -> Case:
    """线索登记 (处罚法 art. 54): a penalty case at its first step, the registrant its
    first handler. The violation's dates for the 追责时效 (art. 36) may be entered now or
    later, up to 立案 (`case_record_violation`); the registration date is the discovery date.
    A time-barred clue is still registered (the agency records it and decides 不予立案)."""
    _check_version(acting_user, item_version, ItemKind.PENALTY)
    _check_party(acting_user, party)
    on = _on(registered_on)
    with transaction.atomic():
        case = _new_case(
            acting_user,
            version=item_version,
            flow=item_version.flow,
            party=party,
            title=title,
            kind=CaseKind.PENALTY,
            procedure=Procedure.ORDINARY,
            on=on,
            source=source,
            facts=facts,
        )
        case.handlers.set([acting_user.staff])
        violation = _set_violation(
            case,
            occurred_on=violation_on,
            continuing=violation_continuing,
            ended_on=violation_ended_on,
            serious=harms_safety,
        )
        _save(case)
        _event(
            "case.registered",
            case,
            acting_user,
            {
                "item_version": item_version.pk,
                "party": party.pk,
                "source": case.source,
                **violation,
            },
        )
    return case


def _set_violation(
    case: Case,
    *,
    occurred_on: dt.date | None,
    continuing: bool,
    ended_on: dt.date | None,
    serious: bool,
) -> dict:
    """Check and set the facts the 追责时效 is computed from (处罚法 art. 36); returns them
    for the ledger event. Errors name the form field to correct."""
    if not continuing and ended_on is not None:
        raise ValidationError(
            {
                "violation_ended_on": "只有连续或者继续状态的违法行为才填写终了日期：请勾选"
                "“违法行为有连续或者继续状态”，或清空终了日期。"
            }
        )
    if occurred_on is None:
        if continuing:
            raise ValidationError({"violation_on": "请填写违法行为开始发生的日期。"})
    elif occurred_on > case.registered_on:
        raise ValidationError(
            {
                "violation_on": f"违法行为发生日期不能晚于发现线索的日期"
                f"（{case.registered_on:%Y年%m月%d日}），请核对。"
            }
        )
    if ended_on is not None:
        if occurred_on is not None and ended_on < occurred_on:
            raise ValidationError(
                {"violation_ended_on": "连续或者继续状态的终了日期不能早于违法行为发生日期。"}
            )
        if ended_on > _today():
            raise ValidationError(
                {"violation_ended_on": "终了日期不能晚于今天；违法行为仍在继续的，请不填终了日期。"}
            )
    case.violation_on = occurred_on
    case.violation_continuing = continuing
    case.violation_ended_on = ended_on
    case.harms_safety = serious
    return {
        "violation_on": occurred_on.isoformat() if occurred_on else None,
        "violation_continuing": continuing,
        "violation_ended_on": ended_on.isoformat() if ended_on else None,
        "harms_safety": serious,
    }


def case_record_violation(
    *,
    acting_user,
    case: Case,
    occurred_on: dt.date,
    continuing: bool = False,
    ended_on: dt.date | None = None,
    harms_safety: bool = False,
) -> Case:
    """Enter or correct when the violation occurred (and ended, if continuing) and whether it
    harmed life, health or financial safety with consequences (处罚法 art. 36), up to 立案:
    after filing the facts the filing was decided on stay as they were (a mistake found later
    is a reason for 撤案). By a handler of the case or a unit head or leader."""
    if occurred_on is None:
        raise ValidationError({"violation_on": "请填写违法行为发生日期。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        if case.kind != CaseKind.PENALTY or case.procedure != Procedure.ORDINARY:
            raise ValidationError("只有普通程序的行政处罚案件登记违法行为发生时间。")
        _require_step(case, "clue", "filing")
        handles = case.handlers.filter(pk=_staff(acting_user).pk).exists()
        heads = {Role.UNIT_HEAD.value, Role.LEADER.value}
        if not handles and not role_names(acting_user) & heads:
            raise PermissionDenied("只有本案承办人或负责人可以登记违法行为发生时间。")
        violation = _set_violation(
            case,
            occurred_on=occurred_on,
            continuing=continuing,
            ended_on=ended_on,
            serious=harms_safety,
        )
        _save(case)
        limitation = clocks.case_limitation(case)
        if limitation is not None:
            violation["limitation_ends"] = limitation.ends.isoformat() if limitation.ends else None
            violation["time_barred"] = limitation.barred
        _event("case.violation_recorded", case, acting_user, violation)
    return case


def _check_limitation(case: Case) -> None:
    """立案 only within the 追责时效 (处罚法 art. 36): the violation must have been discovered
    (the clue registered) before its 2 (or 5) years ran out."""
    limitation = clocks.case_limitation(case)
    if limitation is None:
        raise ValidationError(
            "本案尚未登记违法行为发生日期，无法判断是否超过追责时效（《行政处罚法》第三十六条）。"
            "请先在“登记违法行为发生时间”中填写后再立案。"
        )
    if not limitation.barred:
        return
    start = (
        f"违法行为有连续或者继续状态，于{limitation.ended_on:%Y年%m月%d日}终了"
        if limitation.ended_on
        else f"违法行为发生于{limitation.occurred_on:%Y年%m月%d日}"
    )
    serious = "（涉及公民生命健康安全、金融安全且有危害后果）" if limitation.serious else ""
    raise ValidationError(
        f"{start}，{limitation.years}年追责时效{serious}已于{limitation.ends:%Y年%m月%d日}届满，"
        f"而线索于{limitation.discovered_on:%Y年%m月%d日}才被发现，已超过追责时效，依法不再给予"
        "行政处罚（《行政处罚法》第三十六条），不能立案。请在“环节流转”中选择“不予立案”并写明"
        "理由；如违法行为发生时间登记有误，请先更正。"
    )


def case_file(
    *,
    acting_user,
    case: Case,
    handlers: Sequence[Staff],
    on: dt.date | None = None,
    opinion: str = "",
) -> Case:
    """立案 (处罚法 art. 54): a head or leader approves filing, assigns the handlers (≥ 2
    certified for the item's area, arts. 42, 55) and the case gets its number."""
    on = _on(on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        step = _require_step(case, "filing")
        _require_role(acting_user, step.roles, step.name)
        _check_limitation(case)
        _set_handlers(case, acting_user, handlers)
        case.number = _number(case, DocumentKind.FILING_APPROVAL, on)
        case.filed_on = on
        _move(
            case,
            acting_user,
            "investigate",
            on=on,
            reason=opinion,
            owner=OWNED[(PENALTY_FLOW, "filing", "investigate")],
            event="case.filed",
            payload={"handlers": [h.pk for h in handlers]},
        )
    return case


def _discretion_choice(
    case: Case, *, entry: int | None, base: int | None, departure: str, reason: str
) -> dict:
    """The 裁量基准 circumstance applied to the proposed fine, checked against its range.
    118号 (国办发〔2018〕118号): enforcement stays within the published 裁量基准, which is one
    of the ten items of 法制审核. A fine outside the range is refused unless the handler
    departs from the benchmark in the right direction (从轻 / 减轻 below it, 从重 above it)
    with a written reason, which is then recorded. An item without 裁量基准: nothing to do."""
    entries = case.item_version.discretion or []
    if not entries:
        return {}
    if entry is None:
        raise ValidationError(
            {
                "discretion_entry": "本事项已公布裁量基准，请选择本案适用的违法情形"
                "（国办发〔2018〕118号：在裁量基准范围内执法）。"
            }
        )
    if not 1 <= entry <= len(entries):
        raise ValidationError({"discretion_entry": f"裁量基准中没有第{entry}种情形，请重新选择。"})
    chosen = entries[entry - 1]
    label = chosen.get("base", "")
    if discretion.needs_base(chosen):
        if base is None or base <= 0:
            raise ValidationError(
                {
                    "discretion_base": f"所选情形按{label}的比例处罚，"
                    f"请填写{label}（元）后再计算罚款幅度。"
                }
            )
    else:
        base = None
    check = discretion.check_fine(chosen, case.fine_amount, base)
    departure, reason = departure.strip(), reason.strip()
    if check.within:
        departure = reason = ""  # within the benchmark: no departure to record
    else:
        where = (
            f"拟罚款{discretion.wan(case.fine_amount)}"
            f"{'低于' if check.direction == 'below' else '高于'}所选情形"
            f"“{chosen['circumstance']}”的裁量基准（{check.range.text()}）"
        )
        if departure not in discretion.DEPARTURES or not reason:
            raise ValidationError(
                {
                    "departure_reason": f"{where}。请调整罚款金额，或选择从轻、减轻或从重处罚"
                    "并写明偏离裁量基准的理由。"
                }
            )
        if check.direction == "below" and departure not in discretion.BELOW:
            raise ValidationError({"departure": f"{where}，应选择从轻或减轻处罚。"})
        if check.direction == "above" and departure not in discretion.ABOVE:
            raise ValidationError({"departure": f"{where}，应选择从重处罚。"})
    return {
        "index": entry,
        "circumstance": chosen["circumstance"],
        "penalty": chosen.get("penalty", ""),
        "base_label": label if base is not None else "",
        "base": base,
        "low": check.range.low,
        "high": check.range.high,
        "fines": check.range.fines,
        "departure": departure,
        "reason": reason,
    }


def case_propose_decision(
    *,
    acting_user,
    case: Case,
    penalty_types: Sequence[str],
    fine_amount: int = 0,
    confiscation_amount: int = 0,
    content: str = "",
    facts: str = "",
    major_social_impact: bool = False,
    complex_case: bool = False,
    major_public_interest: bool = False,
    suspected_crime: bool = False,
    discretion_entry: int | None = None,
    discretion_base: int | None = None,
    departure: str = "",
    departure_reason: str = "",
) -> Case:
    """The proposed penalty (调查终结报告's 处理意见, 处罚法 art. 57) and the flags that steer
    legal review (art. 58) and transfer (art. 27). Only before the party is notified: after
    the notice a change needs a new notice (arts. 44, 62).

    Where the item publishes a 裁量基准 the handler names the circumstance that applies
    (`discretion_entry`, 1-based; `discretion_base` in 分 for a per-mille circumstance) and a
    fine outside its range needs a departure and its reason (see `_discretion_choice`)."""
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "report", "legal_review")
        _require_role(acting_user, step.roles, step.name)
        types = list(dict.fromkeys(penalty_types))
        if not types:
            raise ValidationError(
                {"penalty_types": "请选择至少一种处罚种类（《行政处罚法》第九条）。"}
            )
        if fine_amount < 0 or confiscation_amount < 0:
            raise ValidationError({"fine_amount": "金额不能为负数。"})
        case.penalty_types = types
        case.fine_amount = fine_amount
        case.confiscation_amount = confiscation_amount
        case.decision_content = content.strip()
        case.facts = facts.strip() or case.facts
        case.major_social_impact = major_social_impact
        case.complex_case = complex_case
        case.major_public_interest = major_public_interest
        case.suspected_crime = suspected_crime
        case.discretion_choice = _discretion_choice(
            case,
            entry=discretion_entry,
            base=discretion_base,
            departure=departure,
            reason=departure_reason,
        )
        _save(case)
        _event(
            "case.decision_proposed",
            case,
            acting_user,
            {
                "penalty_types": types,
                "fine_amount": fine_amount,
                "confiscation_amount": confiscation_amount,
                "content": case.decision_content,
                "flags": {
                    "major_social_impact": major_social_impact,
                    "complex_case": complex_case,
                    "major_public_interest": major_public_interest,
                    "suspected_crime": suspected_crime,
                },
                "discretion": case.discretion_choice,
            },
        )
    return case


def hearing_right_default(case: Case) -> bool:
    """处罚法 art. 63: heavy penalty types always; fines and confiscations from a threshold
    set per province (settings, configurable defaults)."""
    if set(case.penalty_types) & HEARING_TYPES:
        return True
    if case.party.kind == PartyKind.PERSON:
        threshold = getattr(settings, "ZHIFA_HEARING_THRESHOLD_PERSON", HEARING_PERSON)
    else:
        threshold = getattr(settings, "ZHIFA_HEARING_THRESHOLD_ORGANISATION", HEARING_ORG)
    return max(case.fine_amount, case.confiscation_amount) >= threshold


def case_notify(
    *,
    acting_user,
    case: Case,
    notified_on: dt.date | None = None,
    hearing_right: bool | None = None,
) -> Case:
    """事先告知 served (处罚法 arts. 44, 45, 63, 64): the party then has 5 working days to
    state and argue and, where a hearing right exists, to request a hearing."""
    on = _on(notified_on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "prior_notice")
        _require_role(acting_user, step.roles, step.name)
        if case.notified_on is not None:
            raise ValidationError("已登记事先告知，不能重复登记。")
        if not case.penalty_types:
            raise ValidationError("请先填写拟作出的处罚决定后再告知。")
        case.notified_on = on
        case.hearing_right = hearing_right_default(case) if hearing_right is None else hearing_right
        _save(case)
        _event(
            "case.notified",
            case,
            acting_user,
            {
                "notified_on": on.isoformat(),
                "hearing_right": case.hearing_right,
                "rights_deadline": clocks.rights_deadline(on).isoformat(),
                "penalty_types": case.penalty_types,
                "fine_amount": case.fine_amount,
            },
        )
    return case


def case_record_response(
    *,
    acting_user,
    case: Case,
    received_on: dt.date | None = None,
    statement: str = "",
    requests_hearing: bool = False,
    waives_rights: bool = False,
) -> Case:
    """The party's 陈述、申辩, hearing request (处罚法 art. 64: within 5 working days) or
    written waiver of those rights."""
    on = _on(received_on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "prior_notice")
        _require_role(acting_user, step.roles, step.name)
        if case.notified_on is None:
            raise ValidationError("尚未事先告知，不能登记当事人的陈述申辩或听证申请。")
        if requests_hearing and waives_rights:
            raise ValidationError("申请听证和放弃权利不能同时登记。")
        if requests_hearing:
            if not case.hearing_right:
                raise ValidationError(
                    "本案拟作出的处罚不属于听证范围（《行政处罚法》第六十三条）。"
                )
            deadline = clocks.rights_deadline(case.notified_on)
            if on > deadline:
                raise ValidationError(
                    f"申请听证的期限已于{deadline:%Y年%m月%d日}届满（告知后5个工作日，"
                    "《行政处罚法》第六十四条），逾期申请视为放弃。"
                )
            case.hearing_requested = True
        if waives_rights:
            case.rights_waived_on = on
        _save(case)
        _event(
            "case.party_response",
            case,
            acting_user,
            {
                "received_on": on.isoformat(),
                "statement": statement.strip(),
                "requests_hearing": requests_hearing,
                "waives_rights": waives_rights,
            },
        )
    return case


DECIDE_TARGETS = {
    Outcome.PENALTY: "serve",
    Outcome.NO_PENALTY: "no_penalty",
    Outcome.TRANSFER: "transfer",
}


def case_decide(
    *,
    acting_user,
    case: Case,
    outcome: str,
    decided_on: dt.date | None = None,
    reason: str = "",
) -> Case:
    """决定 (处罚法 art. 57): penalty, no penalty or transfer, by a leader. Refused while the
    party's 陈述申辩 / hearing-request window is open and not waived (arts. 44, 45, 62, 64),
    while a requested hearing has not been held, and while a mandatory legal review has not
    passed (art. 58, `gates.review_gate`). The 90-day limit (art. 60) is a clock, not a
    refusal."""
    on = _on(decided_on)
    if outcome not in DECIDE_TARGETS:
        raise ValidationError({"outcome": "请选择决定结果：作出处罚、不予处罚或移送。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "decide")
        _require_role(acting_user, step.roles, step.name)
        _check_gate(case, deciding=True)
        if outcome == Outcome.PENALTY:
            if not case.penalty_types:
                raise ValidationError("尚未填写拟作出的处罚，不能作出处罚决定。")
            if case.suspected_crime:
                raise ValidationError(
                    "本案已标记涉嫌犯罪，应当移送司法机关（《行政处罚法》第二十七条），请选择“移送”。"
                )
            if case.notified_on is None:
                raise ValidationError(
                    "未经事先告知，不得作出行政处罚决定（《行政处罚法》第六十二条）。"
                )
            deadline = clocks.rights_deadline(case.notified_on)
            if case.rights_waived_on is None and on <= deadline:
                raise ValidationError(
                    f"当事人陈述、申辩和申请听证的期限至{deadline:%Y年%m月%d日}届满，当事人未书面"
                    "放弃，期限届满前不能作出处罚决定（《行政处罚法》第四十四条、第六十二条、"
                    "第六十四条）。请在期限届满后办理，或先登记当事人的书面放弃。"
                )
            if case.hearing_requested and not case.hearing_held:
                raise ValidationError(
                    "当事人申请了听证，须先举行听证再作决定（《行政处罚法》第六十四条）。"
                )
            case.decision_number = _number(case, DocumentKind.PENALTY_DECISION, on)
            case.outcome = Outcome.PENALTY
        elif outcome == Outcome.NO_PENALTY:
            case.decision_number = _number(case, DocumentKind.NO_PENALTY_DECISION, on)
        case.decided_on = on
        _move(
            case,
            acting_user,
            DECIDE_TARGETS[outcome],
            on=on,
            reason=reason,
            owner="作出决定",
            event="decision.made",
            payload={
                "outcome": outcome,
                "decision_number": case.decision_number,
                "penalty_types": case.penalty_types if outcome == Outcome.PENALTY else [],
                "fine_amount": case.fine_amount if outcome == Outcome.PENALTY else 0,
                "days_since_filing": (on - case.filed_on).days if case.filed_on else None,
            },
        )
    return case


def case_record_consent(
    *, acting_user, case: Case, address: str, confirmed_on: dt.date | None = None
) -> Case:
    """The party's signed consent to electronic service and its confirmed address
    (送达地址确认书, 处罚法 art. 61)."""
    on = _on(confirmed_on)
    if not address.strip():
        raise ValidationError({"address": "请填写当事人确认的电子送达地址（传真号码或电子邮箱）。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        case.e_service_address = address.strip()
        case.e_service_consent_on = on
        _save(case)
        _event("case.e_service_consent", case, acting_user, {"confirmed_on": on.isoformat()})
    return case


def _serve_target(case: Case) -> str:
    if case.kind == CaseKind.LICENCE:
        return "publish"
    if case.outcome == Outcome.PENALTY and not set(case.penalty_types) <= NO_EXECUTION_TYPES:
        return "execute"
    return "close"


def case_serve(
    *,
    acting_user,
    case: Case,
    method: str,
    served_on: dt.date | None = None,
    note: str = "",
) -> Case:
    """送达 of the decision (处罚法 art. 61: on the spot or within 7 working days; 许可法
    art. 44: within 10 working days). Electronic service only with the party's recorded
    consent and confirmed address."""
    on = _on(served_on)
    if method not in ServiceMethod.values:
        raise ValidationError({"method": "请选择送达方式：直接、留置、邮寄、电子或公告送达。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "serve")
        _require_role(acting_user, step.roles, step.name)
        if method == ServiceMethod.ELECTRONIC and (
            case.e_service_consent_on is None or case.e_service_consent_on > on
        ):
            raise ValidationError(
                "当事人未书面同意电子送达并确认送达地址，不能电子送达（《行政处罚法》第六十一条）。"
                "请先登记当事人签署的送达地址确认书，或改用其他送达方式。"
            )
        if case.decided_on and on < case.decided_on:
            raise ValidationError("送达日期不能早于决定日期。")
        case.served_on = on
        case.service_method = method
        target = _serve_target(case)
        _move(
            case,
            acting_user,
            target,
            on=on,
            reason=note,
            owner="送达",
            event="document.served",
            payload={
                "method": method,
                "served_on": on.isoformat(),
                "decision_number": case.decision_number,
                "address": case.e_service_address if method == ServiceMethod.ELECTRONIC else "",
            },
        )
    return case


def amount_due(case: Case, *, on: dt.date) -> tuple[int, int]:
    """(fine, 加处罚款) owed if paid on `on`."""
    start = case.served_on if case.procedure == Procedure.ORDINARY else case.decided_on
    if start is None:
        return case.fine_amount, 0
    due = penalties.payment_deadline(start).due
    return case.fine_amount, penalties.late_payment_surcharge(case.fine_amount, due=due, paid_on=on)


def case_record_payment(
    *,
    acting_user,
    case: Case,
    amount: int,
    paid_on: dt.date | None = None,
    method: str = PaymentMethod.BANK,
    cash_ground: str = "",
    cash_reason: str = "",
    receipt_number: str = "",
) -> Case:
    """缴纳罚款 (处罚法 art. 67) with any 加处罚款 (art. 72): the amount must be the fine plus
    the surcharge accrued by the payment date. `method` says how: at the designated bank or
    electronically (art. 67), or 当场收缴 by the case's officers on one of the grounds of
    arts. 68 and 69, with the number of the official receipt issued (art. 70); the cash then
    has to reach the agency and the bank (art. 71, `case_cash_hand_over`, `case_cash_bank`)."""
    on = _on(paid_on)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "请选择缴款方式：银行/电子缴纳或当场收缴。"})
    cash = method == PaymentMethod.CASH
    cash_reason, receipt_number = cash_reason.strip(), receipt_number.strip()
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "execute", "onspot_pay")
        _require_role(acting_user, step.roles, step.name)
        if not case.fine_amount:
            raise ValidationError("本案没有罚款，无需登记缴款。")
        if case.paid_on is not None:
            raise ValidationError("已登记缴款，不能重复登记。")
        if cash:
            _check_cash(case, acting_user, cash_ground, cash_reason, receipt_number)
        fine, surcharge = amount_due(case, on=on)
        if amount != fine + surcharge:
            raise ValidationError(
                {
                    "amount": f"应缴金额为{(fine + surcharge) / 100:.2f}元"
                    f"（罚款{fine / 100:.2f}元，加处罚款{surcharge / 100:.2f}元，"
                    "《行政处罚法》第七十二条），请核对缴款凭证。"
                }
            )
        case.paid_on = on
        case.paid_amount = amount
        case.payment_method = method
        _save(case)
        payload = {
            "paid_on": on.isoformat(),
            "amount": amount,
            "fine": fine,
            "surcharge": surcharge,
            "method": method,
        }
        if cash:
            collection = CashCollection(
                agency_id=case.agency_id,
                case=case,
                ground=cash_ground,
                reason=cash_reason,
                receipt_number=receipt_number,
                amount=amount,
                collected_on=on,
                collected_by=acting_user,
            )
            collection.full_clean()
            collection.save()
            payload |= {
                "cash_ground": cash_ground,
                "cash_reason": cash_reason,
                "receipt_number": receipt_number,
                "handover_due": clocks.cash_handover_due(on).isoformat(),
            }
        _event("case.payment_recorded", case, acting_user, payload)
    return case


# 处罚法 art. 68(1): 当场收缴 of a fine of 100元 or less.
CASH_SMALL_FINE = 100_00


def _check_cash(case: Case, user, ground: str, reason: str, receipt_number: str) -> None:
    """May the officers collect this fine on the spot (处罚法 arts. 68-70)? Errors name the
    payment form's field to correct."""
    if not case.handlers.filter(user=user).exists():
        raise PermissionDenied("当场收缴罚款须由本案的执法人员（承办人）办理，您不是本案承办人。")
    simple = case.procedure == Procedure.SIMPLE
    if ground not in CashGround.values:
        raise ValidationError(
            {
                "cash_ground": "当场收缴罚款须有法定情形：当场处罚的，依法给予100元以下罚款或者"
                "不当场收缴事后难以执行（《行政处罚法》第六十八条）；或者在边远、水上、交通不便"
                "地区，当事人到银行或电子缴纳确有困难并提出（第六十九条）。请选择情形；"
                "不符合的，请改为银行/电子缴纳（第六十七条）。"
            }
        )
    if ground in (CashGround.SMALL_FINE, CashGround.HARD_TO_ENFORCE) and not simple:
        raise ValidationError(
            {
                "cash_ground": "第六十八条规定的当场收缴只适用于依照第五十一条当场作出的处罚决定"
                "（简易程序），本案是普通程序。请改为银行/电子缴纳（《行政处罚法》第六十七条），"
                "或者确属边远、水上、交通不便地区且当事人提出的，选择第六十九条的情形。"
            }
        )
    if ground == CashGround.SMALL_FINE and case.fine_amount > CASH_SMALL_FINE:
        raise ValidationError(
            {
                "cash_ground": f"本案罚款{case.fine_amount / 100:.2f}元，超过100元，不能以"
                "“100元以下罚款”为由当场收缴（《行政处罚法》第六十八条第（一）项）。"
                "请改为银行/电子缴纳（第六十七条）；确属不当场收缴事后难以执行的，"
                "请选择该情形并写明理由。"
            }
        )
    if ground != CashGround.SMALL_FINE and not reason:
        label = CashGround(ground).label
        raise ValidationError({"cash_reason": f"以“{label}”当场收缴罚款的，请写明具体理由。"})
    if not receipt_number:
        raise ValidationError(
            {
                "receipt_number": "当场收缴罚款必须向当事人出具省、自治区、直辖市人民政府财政"
                "部门统一制发的专用票据（《行政处罚法》第七十条），请填写所出具票据的号码。"
            }
        )
    used = CashCollection.objects.filter(agency_id=case.agency_id, receipt_number=receipt_number)
    if used.exists():
        raise ValidationError(
            {
                "receipt_number": f"票据号码{receipt_number}已在本机关其他案件中登记，"
                "请核对票据号码。"
            }
        )


def _cash(case: Case) -> CashCollection:
    cash = CashCollection.objects.select_for_update().filter(case=case).first()
    if cash is None:
        raise ValidationError("本案没有当场收缴的罚款，无需办理交款或缴付银行。")
    return cash


def case_cash_hand_over(
    *, acting_user, case: Case, received_by: Staff, on: dt.date | None = None
) -> CashCollection:
    """交至行政机关 (处罚法 art. 71): an officer handling the case hands the cash collected on
    the spot to the agency, within 2 working days of collecting it (on water: of landing;
    not modelled), received by a member of the 办公室 (the agency's finance role). A late
    hand-over is still recorded, with its delay: the clock shows it, the law is not undone."""
    on = _on(on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        cash = _cash(case)
        staff = _staff(acting_user)
        if not case.handlers.filter(pk=staff.pk).exists():
            raise PermissionDenied("只有本案承办的执法人员可以将当场收缴的罚款交至行政机关。")
        if cash.handed_over_on is not None:
            raise ValidationError(
                f"当场收缴的罚款已于{cash.handed_over_on:%Y年%m月%d日}交至行政机关，不能重复登记。"
            )
        if on < cash.collected_on:
            raise ValidationError(
                {"on": f"交款日期不能早于收缴日期（{cash.collected_on:%Y年%m月%d日}），请核对。"}
            )
        office = has_role(received_by.user, Role.OFFICE)
        if received_by.agency_id != case.agency_id or not received_by.is_active or not office:
            raise ValidationError(
                {
                    "received_by": f"{received_by.real_name}不是本机关在岗的办公室（财务）人员，"
                    "不能接收罚款。请选择本机关办公室的接收人。"
                }
            )
        if received_by.pk == staff.pk:
            raise ValidationError({"received_by": "交款人和接收人不能是同一人，请另选接收人。"})
        due = clocks.cash_handover_due(cash.collected_on)
        cash.handed_over_on = on
        cash.handed_over_by = acting_user
        cash.received_by = received_by
        cash.full_clean()
        cash.save()
        _event(
            "case.cash_handed_over",
            case,
            acting_user,
            {
                "receipt_number": cash.receipt_number,
                "amount": cash.amount,
                "on": on.isoformat(),
                "received_by": received_by.pk,
                "due": due.isoformat(),
                "late": on > due,
                "banking_due": clocks.cash_banking_due(on).isoformat(),
            },
        )
    return cash


def case_cash_bank(
    *, acting_user, case: Case, voucher_number: str, on: dt.date | None = None
) -> CashCollection:
    """缴付银行 (处罚法 art. 71): the 办公室 pays the cash its agency received into the
    designated bank within 2 working days, recording the bank's voucher number. Only after
    the cash was handed over; the case may then be closed."""
    on = _on(on)
    _require_role(acting_user, (Role.OFFICE,), "将当场收缴的罚款缴付指定银行")
    voucher_number = voucher_number.strip()
    with transaction.atomic():
        case = _lock(acting_user, case)
        cash = _cash(case)
        if cash.handed_over_on is None:
            raise ValidationError(
                "当场收缴的罚款尚未交至行政机关，不能缴付银行。请先由执法人员交款并登记"
                "（《行政处罚法》第七十一条）。"
            )
        if cash.banked_on is not None:
            raise ValidationError(
                f"当场收缴的罚款已于{cash.banked_on:%Y年%m月%d日}缴付银行，不能重复登记。"
            )
        if on < cash.handed_over_on:
            raise ValidationError(
                {
                    "on": f"缴付银行日期不能早于交至行政机关的日期"
                    f"（{cash.handed_over_on:%Y年%m月%d日}），请核对。"
                }
            )
        if not voucher_number:
            raise ValidationError({"voucher_number": "请填写银行缴款凭证号。"})
        due = clocks.cash_banking_due(cash.handed_over_on)
        cash.banked_on = on
        cash.banked_by = acting_user
        cash.bank_voucher = voucher_number
        cash.full_clean()
        cash.save()
        _event(
            "case.cash_banked",
            case,
            acting_user,
            {
                "receipt_number": cash.receipt_number,
                "amount": cash.amount,
                "on": on.isoformat(),
                "voucher_number": voucher_number,
                "due": due.isoformat(),
                "late": on > due,
            },
        )
    return cash


def case_close(*, acting_user, case: Case, on: dt.date | None = None, summary: str = "") -> Case:
    """结案: a head or leader approves the closing report; the case moves to 归档."""
    on = _on(on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        step = _require_step(case, "close")
        _require_role(acting_user, step.roles, step.name)
        _move(
            case,
            acting_user,
            "archive",
            on=on,
            reason=summary,
            owner="结案",
            event="case.closed",
            payload={"outcome": case.outcome},
        )
    return case


def case_archive(*, acting_user, case: Case, on: dt.date | None = None) -> Case:
    """归档: the file is complete; nothing more happens to the case (118号)."""
    on = _on(on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        step = _require_step(case, "archive")
        _require_role(acting_user, step.roles, step.name)
        if case.status != CaseStatus.CLOSED:
            raise ValidationError("案件尚未办结，不能归档。")
        case.status = CaseStatus.ARCHIVED
        case.archived_on = on
        _save(case)
        record = CaseStepRecord(
            case=case, from_step="archive", to_step="archive", label="归档完成", actor=acting_user
        )
        record.full_clean()
        record.save()
        _event("case.archived", case, acting_user, {"archived_on": on.isoformat()})
    return case


# --- 行政处罚, simple procedure -------------------------------------------------------------


def simple_limit(party: Party) -> int:
    """处罚法 art. 51: the largest fine (分) the simple procedure allows for this party."""
    if party.kind == PartyKind.PERSON:
        return penalties.SIMPLE_LIMIT_PERSON
    return penalties.SIMPLE_LIMIT_ORGANISATION


def case_simple_penalty(
    *,
    acting_user,
    item_version: EnforcementItemVersion,
    party: Party,
    title: str,
    facts: str,
    penalty_types: Sequence[str],
    fine_amount: int,
    handlers: Sequence[Staff],
    av_evidence: Sequence[tuple[str, str]],
    decided_on: dt.date | None = None,
) -> Case:
    """当场处罚 (处罚法 arts. 51, 52): only a warning or a fine ≤ 200元 (natural person) /
    ≤ 3,000元 (organisation). The on-the-spot check needs its audio-visual record
    (`av_evidence`: (sha256, media kind) pairs) and the certified officers; the case is
    recorded step by step like any other and waits at 缴纳罚款 with its decision number."""
    _check_version(acting_user, item_version, ItemKind.PENALTY)
    _check_party(acting_user, party)
    on = _on(decided_on)
    types = list(dict.fromkeys(penalty_types))
    allowed = {PenaltyType.WARNING, PenaltyType.FINE}
    if not types or not set(types) <= allowed:
        raise ValidationError(
            {
                "penalty_types": "简易程序只能给予警告或者罚款（《行政处罚法》第五十一条），"
                "其他处罚请按普通程序立案。"
            }
        )
    limit = simple_limit(party)
    if fine_amount > limit:
        who = "公民" if party.kind == PartyKind.PERSON else "法人或者其他组织"
        raise ValidationError(
            {
                "fine_amount": f"简易程序对{who}只能处{limit // 100}元以下罚款（《行政处罚法》"
                f"第五十一条），本案拟罚款{fine_amount / 100:.2f}元，超出限额，"
                "请按普通程序立案办理。"
            }
        )
    flow = FlowDefinition.objects.get(code=SIMPLE_FLOW)
    with transaction.atomic():
        case = _new_case(
            acting_user,
            version=item_version,
            flow=flow,
            party=party,
            title=title,
            kind=CaseKind.PENALTY,
            procedure=Procedure.SIMPLE,
            on=on,
            facts=facts,
        )
        _set_handlers(case, acting_user, handlers)
        for sha256, media_kind in av_evidence:
            evidence = CaseEvidence(
                case=case,
                step="onspot_check",
                sha256=sha256.lower(),
                media_kind=media_kind,
                added_by=acting_user,
            )
            evidence.full_clean()
            evidence.save()
        case.penalty_types = types
        case.fine_amount = fine_amount
        case.filed_on = on
        _event(
            "case.registered",
            case,
            acting_user,
            {
                "item_version": item_version.pk,
                "party": party.pk,
                "procedure": Procedure.SIMPLE,
                "evidence": [sha for sha, _ in av_evidence],
            },
        )
        _move(case, acting_user, "onspot_notice", on=on, owner="当场处罚")
        _move(case, acting_user, "onspot_decide", on=on, owner="当场处罚")
        case.number = _number(case, DocumentKind.ON_SPOT_DECISION, on)
        case.decision_number = case.number
        case.decided_on = on
        case.served_on = on  # the on-the-spot decision is handed over at once (art. 52)
        case.outcome = Outcome.PENALTY
        _move(
            case,
            acting_user,
            "onspot_pay",
            on=on,
            owner="当场处罚",
            event="decision.made",
            payload={
                "procedure": Procedure.SIMPLE,
                "decision_number": case.decision_number,
                "penalty_types": types,
                "fine_amount": fine_amount,
            },
        )
    return case


# --- 行政许可 -------------------------------------------------------------------------------


def licence_apply(
    *,
    acting_user,
    item_version: EnforcementItemVersion,
    party: Party,
    title: str,
    received_on: dt.date | None = None,
    materials: str = "",
) -> Case:
    """申请 received (许可法 arts. 29–31); the 5-working-day intake clock starts."""
    _check_version(acting_user, item_version, ItemKind.LICENCE)
    _check_party(acting_user, party)
    on = _on(received_on)
    with transaction.atomic():
        case = _new_case(
            acting_user,
            version=item_version,
            flow=item_version.flow,
            party=party,
            title=title,
            kind=CaseKind.LICENCE,
            procedure=Procedure.ORDINARY,
            on=on,
            facts=materials,
        )
        case.handlers.set([acting_user.staff])
        _event(
            "licence.applied",
            case,
            acting_user,
            {"item_version": item_version.pk, "party": party.pk, "received_on": on.isoformat()},
        )
    return case


def licence_request_correction(
    *, acting_user, case: Case, items: str, notified_on: dt.date | None = None
) -> Case:
    """一次性告知补正 (许可法 art. 32(4)): everything to correct, at once, within 5 working
    days of receipt. Later than that the application counts as accepted from receipt."""
    on = _on(notified_on)
    if not items.strip():
        raise ValidationError({"items": "请一次性列明需要补正的全部材料。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_step(case, "apply")
        deadline = clocks.correction_deadline(case.registered_on)
        if on > deadline:
            raise ValidationError(
                f"一次性告知补正的期限已于{deadline:%Y年%m月%d日}届满（收到申请材料后5个工作日，"
                "《行政许可法》第三十二条），依法自收到申请材料之日起即为受理，请直接办理受理。"
            )
        case.correction_notified_on = on
        case.correction_items = items.strip()
        _move(
            case,
            acting_user,
            "correction",
            on=on,
            reason=items,
            owner="一次性告知补正",
            event="licence.correction_requested",
        )
    return case


def licence_accept(*, acting_user, case: Case, accepted_on: dt.date | None = None) -> Case:
    """受理 (许可法 art. 32) with its numbered 受理通知书; the case moves on to 审查. Where no
    correction was notified within 5 working days, acceptance counts from receipt."""
    on = _on(accepted_on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_step(case, "apply", "correction")
        deemed = case.correction_notified_on is None and on > clocks.correction_deadline(
            case.registered_on
        )
        case.filed_on = case.registered_on if deemed else on
        case.number = _number(case, DocumentKind.ACCEPTANCE, on)
        _move(
            case,
            acting_user,
            "accept",
            on=on,
            owner="受理",
            event="licence.accepted",
            payload={"accepted_from": case.filed_on.isoformat(), "deemed": deemed},
        )
        _move(case, acting_user, "review", on=on, owner="受理")
    return case


def licence_not_accept(*, acting_user, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """不予受理 (许可法 art. 32) with its numbered decision and reasons."""
    on = _on(on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_step(case, "apply")
        if not reason.strip():
            raise ValidationError({"reason": "不予受理须说明理由（《行政许可法》第三十二条）。"})
        case.decision_number = _number(case, DocumentKind.NON_ACCEPTANCE, on)
        _move(
            case,
            acting_user,
            "not_accepted",
            on=on,
            reason=reason,
            owner="不予受理",
            event="licence.not_accepted",
            payload={"decision_number": case.decision_number},
        )
    return case


def licence_extend(*, acting_user, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """+10 working days with the head's approval and a reason told to the applicant
    (许可法 art. 42), decided within the first 20 working days, once."""
    on = _on(on)
    _require_role(acting_user, (Role.LEADER,), "延长许可决定期限")
    if not reason.strip():
        raise ValidationError({"reason": "请写明延长期限的理由，并告知申请人。"})
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        if case.kind != CaseKind.LICENCE or case.filed_on is None or case.decided_on:
            raise ValidationError("只有已受理、尚未决定的许可申请可以延长决定期限。")
        if case.extended:
            raise ValidationError(
                "决定期限已经延长过一次，不能再延长（《行政许可法》第四十二条）。"
            )
        due = clocks.licence_clocks(case)[1].due
        if on > due:
            raise ValidationError(
                f"20个工作日的决定期限已于{due:%Y年%m月%d日}届满，不能再延长，请尽快作出决定。"
            )
        case.extended = True
        case.extension_reason = reason.strip()
        _save(case)
        _event(
            "licence.extended", case, acting_user, {"reason": reason.strip(), "on": on.isoformat()}
        )
    return case


def licence_decide(
    *,
    acting_user,
    case: Case,
    granted: bool,
    decided_on: dt.date | None = None,
    reason: str = "",
    content: str = "",
) -> Case:
    """准予 / 不予行政许可 (许可法 arts. 38, 42), by a leader, after any mandatory legal review.
    The 20 (+10) working days are a clock, not a refusal."""
    on = _on(decided_on)
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "decide")
        _require_role(acting_user, step.roles, "许可决定")
        _check_gate(case, deciding=True)
        kind = DocumentKind.LICENCE_GRANT if granted else DocumentKind.LICENCE_REFUSAL
        if not granted and not reason.strip():
            raise ValidationError({"reason": "不予许可须说明理由（《行政许可法》第三十八条）。"})
        case.decision_number = _number(case, kind, on)
        case.decided_on = on
        case.decision_content = content.strip()
        if granted:
            case.outcome = Outcome.GRANTED
        _move(
            case,
            acting_user,
            "serve" if granted else "refuse",
            on=on,
            reason=reason,
            owner="许可决定",
            event="decision.made",
            payload={
                "outcome": Outcome.GRANTED if granted else Outcome.REFUSED,
                "decision_number": case.decision_number,
                "content": case.decision_content,
            },
        )
    return case


# --- 行政处罚: 听证笔录 (hearing record) ------------------------------------------------------


def _investigators(case: Case) -> set[int]:
    """Staff who are or were the case's 承办人 (its investigators): the current handlers and
    every set of handlers the ledger recorded (立案, 指定承办人), so that re-assigning the
    handlers cannot make a former investigator eligible to preside."""
    from zhifa.ledger.models import Event
    from zhifa.ledger.services import subject_ref

    ids = set(case.handlers.values_list("pk", flat=True))
    # A handler named in a recusal (处罚法 art. 43) handled the case, whether or not the
    # recusal was granted: still a former investigator.
    ids.update(Recusal.objects.filter(case=case).values_list("handler_id", flat=True))
    ref, _ = subject_ref(case)
    kinds = ("case.filed", "case.handlers_set", "case.recusal_decided")
    recorded = Event.objects.filter(subject=ref, kind__in=kinds)
    for payload in recorded.values_list("payload", flat=True):
        ids.update(payload.get("handlers", []))
    return ids


def _record_digest(record: HearingRecord) -> str:
    """SHA-256 of the record's content. The ledger keeps the digest, not the text: the
    statements and the reason for a closed hearing may hold secrets or private facts, and the
    ledger can never be erased."""
    content = {
        "case": record.case_id,
        "notice_served_on": record.notice_served_on.isoformat(),
        "held_at": record.held_at.isoformat(),
        "place": record.place,
        "presider": record.presider_id,
        "recorder": record.recorder_id,
        "participants": record.participants,
        "public": record.public,
        "closed_ground": record.closed_ground,
        "closed_reason": record.closed_reason,
        "statements": record.statements,
        "signature": record.signature,
    }
    return hashlib.sha256(canonical.dumps(content)).hexdigest()


def _check_hearing_staff(case: Case, presider: Staff, recorder: Staff) -> None:
    for field, who, label in (("presider", presider, "主持人"), ("recorder", recorder, "记录人")):
        if who.agency_id != case.agency_id or not who.is_active:
            raise ValidationError(
                {field: f"{who.real_name}不是本执法主体在岗人员，不能担任{label}。"}
            )
    if presider.pk in _investigators(case):
        raise ValidationError(
            {
                "presider": f"{presider.real_name}是本案的承办（调查）人员，不能主持听证。听证由"
                "行政机关指定的非本案调查人员主持（《行政处罚法》第六十四条第（四）项），"
                "请另行指定主持人。"
            }
        )


def _check_hearing_dates(case: Case, notice_served_on: dt.date, held_on: dt.date) -> None:
    today = _today()
    if notice_served_on > today:
        raise ValidationError({"notice_served_on": "听证通知送达日期不能晚于今天，请核对。"})
    if held_on > today:
        raise ValidationError(
            {"held_at": "听证举行时间不能晚于今天：请在听证举行后再登记听证笔录。"}
        )
    if case.notified_on and notice_served_on < case.notified_on:
        raise ValidationError(
            {
                "notice_served_on": f"听证通知送达日期早于事先告知日期"
                f"（{case.notified_on:%Y年%m月%d日}），请核对。"
            }
        )
    earliest = clocks.earliest_hearing_day(notice_served_on)
    if held_on < earliest:
        raise ValidationError(
            {
                "held_at": f"听证通知于{notice_served_on:%Y年%m月%d日}送达，应当在举行听证的7个"
                f"工作日前通知当事人（《行政处罚法》第六十四条第（二）项、第八十五条），听证最早"
                f"可于{earliest:%Y年%m月%d日}举行。请核对通知送达日期和听证时间；通知期限不足的，"
                "应重新通知并另行举行听证。"
            }
        )


def case_record_hearing(
    *,
    acting_user,
    case: Case,
    notice_served_on: dt.date,
    held_at: dt.datetime,
    place: str,
    presider: Staff,
    recorder: Staff,
    participants: str,
    statements: str,
    signature: str,
    public: bool = True,
    closed_ground: str = "",
    closed_reason: str = "",
    next_step: str = "legal_review",
) -> HearingRecord:
    """听证笔录 (处罚法 art. 64): when and where the hearing was held (notice served ≥ 7 working
    days before, (2)), presided by someone who did not investigate the case ((4)), public
    unless it involves a state secret, a commercial secret or personal privacy ((3)), the
    party's statements and arguments, and the record checked and signed by the party or its
    agent, or the refusal noted by the presider ((8)). Saving it completes the 听证 step and
    moves the case to `next_step` (after a hearing the legal review is mandatory, art. 58)."""
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    held_on = timezone.localtime(held_at).date()
    place, participants, statements = place.strip(), participants.strip(), statements.strip()
    closed_reason = closed_reason.strip()
    missing = {
        field: message
        for field, value, message in (
            ("place", place, "请填写听证地点。"),
            ("participants", participants, "请填写参加听证的当事人及其代理人等人员。"),
            ("statements", statements, "请填写当事人陈述、申辩和质证的要点。"),
        )
        if not value
    }
    if missing:
        raise ValidationError(missing)
    if public:
        closed_ground = closed_reason = ""
    else:
        if closed_ground not in ClosedGround.values:
            raise ValidationError(
                {
                    "closed_ground": "听证应当公开举行；不公开的，只能是涉及国家秘密、商业秘密或者"
                    "个人隐私（《行政处罚法》第六十四条第（三）项），请选择不公开的情形。"
                }
            )
        if not closed_reason:
            raise ValidationError({"closed_reason": "不公开举行听证的，请写明具体理由。"})
    if signature not in HearingSignature.values:
        raise ValidationError(
            {
                "signature": "听证笔录应当交当事人或者其代理人核对无误后签字或者盖章；拒绝签字或者"
                "盖章的，由听证主持人在笔录中注明（《行政处罚法》第六十四条第（八）项）。请确认"
                "笔录的核对签字情况。"
            }
        )
    with transaction.atomic():
        case = _lock(acting_user, case)
        _require_open(case)
        step = _require_step(case, "hearing")
        _require_role(acting_user, step.roles, HEARING_ACTION)
        _check_hearing_staff(case, presider, recorder)
        _check_hearing_dates(case, notice_served_on, held_on)
        record = HearingRecord(
            case=case,
            notice_served_on=notice_served_on,
            held_at=held_at,
            place=place,
            presider=presider,
            recorder=recorder,
            participants=participants,
            public=public,
            closed_ground=closed_ground,
            closed_reason=closed_reason,
            statements=statements,
            signature=signature,
            recorded_by=acting_user,
        )
        record.full_clean()
        record.save()
        _move(
            case,
            acting_user,
            next_step,
            on=held_on,
            owner=HEARING_ACTION,
            event="hearing.recorded",
            payload={
                "hearing": record.pk,
                "notice_served_on": notice_served_on.isoformat(),
                "held_at": timezone.localtime(held_at).isoformat(),
                "place": place,
                "presider": presider.pk,
                "recorder": recorder.pk,
                "public": public,
                "closed_ground": closed_ground,
                "signature": signature,
                "record_sha256": _record_digest(record),
            },
        )
    return record


# --- 行政处罚: extending the 90-day decision deadline (处罚法 art. 60) -----------------------


def _check_extendable(case: Case, on: dt.date) -> None:
    """An ordinary penalty case, filed, open, not decided, not extended yet, inside its
    original 90 days (处罚法 art. 60)."""
    if case.kind != CaseKind.PENALTY or case.procedure != Procedure.ORDINARY:
        raise ValidationError("只有普通程序的行政处罚案件可以延长作出处罚决定的期限。")
    _require_open(case)
    if case.decided_on or case.outcome:
        decided = f"已于{case.decided_on:%Y年%m月%d日}" if case.decided_on else "已"
        raise ValidationError(f"本案{decided}作出决定，不需要也不能再延长作出决定的期限。")
    if case.filed_on is None:
        raise ValidationError("本案尚未立案，作出处罚决定的期限尚未起算，无需延长。")
    if case.extended:
        raise ValidationError(
            f"本案作出处罚决定的期限已经延长过{clocks.DECISION_EXTENSION_DAYS}日，只能延长一次，"
            "不能再次延长（《行政处罚法》第六十条）。请在延长后的期限内作出决定。"
        )
    due = clocks.decision_due(case.filed_on)
    if on > due:
        raise ValidationError(
            f"自立案之日起90日的决定期限已于{due:%Y年%m月%d日}届满，届满后不能再延长"
            "（《行政处罚法》第六十条），请尽快作出决定。"
        )


def case_extension_request(
    *, acting_user, case: Case, reason: str, on: dt.date | None = None
) -> DecisionExtension:
    """A handler of the case (or its unit head) asks the agency's head to extend the 90-day
    decision deadline by 30 days, with the reason (处罚法 art. 60)."""
    on = _on(on)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "请写明需要延长作出处罚决定期限的理由（如案情复杂、需要检测鉴定等）。"}
        )
    with transaction.atomic():
        case = _lock(acting_user, case)
        staff = _staff(acting_user)
        handles = case.handlers.filter(pk=staff.pk).exists()
        if not handles and Role.UNIT_HEAD.value not in role_names(acting_user):
            raise PermissionDenied("只有本案承办人或承办科室负责人可以申请延长作出处罚决定的期限。")
        _check_extendable(case, on)
        if case.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise ValidationError("本案已有一份待审批的延长申请，请等待局领导审批，不能重复申请。")
        extension = DecisionExtension(
            case=case,
            days=clocks.DECISION_EXTENSION_DAYS,
            reason=reason,
            requested_by=acting_user,
            requested_on=on,
        )
        extension.full_clean()
        extension.save()
        _event(
            "case.extension_requested",
            case,
            acting_user,
            {
                "extension": extension.pk,
                "days": extension.days,
                "reason": reason,
                "on": on.isoformat(),
            },
        )
    return extension


def case_extension_decide(
    *,
    acting_user,
    case: Case,
    approve: bool,
    opinion: str = "",
    on: dt.date | None = None,
) -> DecisionExtension:
    """The agency's head (局领导) approves or rejects the pending extension request; an
    approval moves the decision deadline from 90 to 120 days after 立案, once per case
    (处罚法 art. 60). The requester may not approve their own request."""
    on = _on(on)
    _require_role(acting_user, (Role.LEADER,), "审批延长作出处罚决定的期限")
    opinion = opinion.strip()
    with transaction.atomic():
        case = _lock(acting_user, case)
        extension = (
            DecisionExtension.objects.select_for_update()
            .filter(case=case, status=ExtensionStatus.PENDING)
            .first()
        )
        if extension is None:
            raise ValidationError("本案没有待审批的延长申请。")
        if extension.requested_by_id == acting_user.pk:
            raise ValidationError("延长申请须由申请人以外的局领导审批，不能审批本人提出的申请。")
        if on < extension.requested_on:
            raise ValidationError({"on": "审批日期不能早于申请日期，请核对。"})
        if approve:
            _check_extendable(case, on)
        elif not opinion:
            raise ValidationError({"opinion": "不予批准的，请写明理由。"})
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        extension.decided_by = acting_user
        extension.decided_on = on
        extension.opinion = opinion
        extension.full_clean()
        extension.save()
        payload = {"extension": extension.pk, "days": extension.days, "opinion": opinion}
        if approve:
            case.extended = True
            case.extension_reason = extension.reason
            _save(case)
            due = clocks.decision_due(case.filed_on, clocks.penalty_decision_days(case))
            payload |= {"reason": extension.reason, "due": due.isoformat()}
        _event(
            "case.extension_approved" if approve else "case.extension_rejected",
            case,
            acting_user,
            payload,
        )
    return extension


# --- 行政处罚: 回避 (recusal, 处罚法 art. 43) ------------------------------------------------


def case_recusal_apply(
    *,
    acting_user,
    case: Case,
    handler: Staff,
    kind: str,
    reason: str,
    on: dt.date | None = None,
) -> Recusal:
    """A handler declares a direct interest or another relation that may affect fair
    enforcement (自行申请回避), or the party applies, with its reason, for a named handler to
    withdraw (当事人申请回避, recorded by a handler or a head); the agency's head decides
    (处罚法 art. 43). The investigation is not stopped meanwhile: nothing else is blocked."""
    on = _on(on)
    reason = reason.strip()
    if kind not in RecusalKind.values:
        raise ValidationError({"kind": "请选择是承办人自行申请回避，还是当事人申请回避。"})
    if not reason:
        raise ValidationError(
            {
                "reason": "请写明申请回避的理由：承办人与案件有直接利害关系或者有其他关系可能"
                "影响公正执法的具体情况（《行政处罚法》第四十三条）。"
            }
        )
    with transaction.atomic():
        case = _lock(acting_user, case)
        if case.kind != CaseKind.PENALTY:
            raise ValidationError("回避申请只适用于行政处罚案件（《行政处罚法》第四十三条）。")
        if case.status != CaseStatus.OPEN:
            raise ValidationError(
                f"案件{case.get_status_display()}，不能再申请回避：回避应在案件办理过程中提出。"
            )
        if not case.handlers.filter(pk=handler.pk).exists():
            raise ValidationError(
                {
                    "handler": f"{handler.real_name}不是本案承办人，不能申请其回避。"
                    "请选择本案的承办人。"
                }
            )
        staff = _staff(acting_user)
        if kind == RecusalKind.DECLARED and handler.pk != staff.pk:
            raise ValidationError(
                {
                    "kind": "承办人自行申请回避的，应由承办人本人提出；登记当事人的回避申请，"
                    "请选择“当事人申请回避”。"
                }
            )
        handles = case.handlers.filter(pk=staff.pk).exists()
        heads = {Role.UNIT_HEAD.value, Role.LEADER.value}
        if not handles and not role_names(acting_user) & heads:
            raise PermissionDenied("只有本案承办人或负责人可以登记回避申请。")
        if Recusal.objects.filter(
            case=case, handler=handler, status=RecusalStatus.PENDING
        ).exists():
            raise ValidationError(
                {"handler": f"{handler.real_name}的回避申请正待局领导决定，不能重复申请。"}
            )
        recusal = Recusal(
            case=case,
            kind=kind,
            handler=handler,
            reason=reason,
            requested_by=acting_user,
            requested_on=on,
        )
        recusal.full_clean()
        recusal.save()
        _event(
            "case.recusal_applied",
            case,
            acting_user,
            {
                "recusal": recusal.pk,
                "kind": kind,
                "handler": handler.pk,
                "reason": reason,
                "on": on.isoformat(),
            },
        )
    return recusal


def _check_handlers_after_recusal(case: Case, on: dt.date) -> None:
    """After a handler is taken off, a filed penalty case keeps at least two officers holding
    a valid certificate for the item's area (处罚法 art. 42), and the current step its own
    minimum (arts. 42, 55)."""
    if case.filed_on is not None and case.item_version.area is not None:
        area = case.item_version.area
        valid, problems = _certified(case.handlers.all(), area, on)
        if valid < 2:
            raise ValidationError(
                {
                    "replacements": f"回避后本案持有有效“{area.name}”领域执法证的承办人只有"
                    f"{valid}名，执法人员不得少于两人（《行政处罚法》第四十二条）。"
                    f"{problems}请在“替换的承办人”中指定持证执法人员。"
                }
            )
    _check_certified(case, _step(case, case.step), on)


def case_recusal_decide(
    *,
    acting_user,
    case: Case,
    recusal: Recusal,
    grant: bool,
    replacements: Sequence[Staff] = (),
    opinion: str = "",
    on: dt.date | None = None,
) -> Recusal:
    """The agency's head (局领导) decides a pending recusal (处罚法 art. 43), not the person
    whose recusal it is. Granted: the handler leaves the case and `replacements` join it, the
    handlers' rules (`_set_handlers`, two certified officers) holding afterwards; the new
    handlers are recorded in the event as a handler assignment is. Refused: a reason."""
    on = _on(on)
    _require_role(acting_user, (Role.LEADER,), "作出回避决定")
    opinion = opinion.strip()
    with transaction.atomic():
        case = _lock(acting_user, case)
        recusal = (
            Recusal.objects.select_for_update()
            .select_related("handler")
            .filter(pk=recusal.pk, case=case)
            .first()
        )
        if recusal is None:
            raise ValidationError({"recusal": "本案没有该回避申请。"})
        if case.status != CaseStatus.OPEN:
            raise ValidationError(f"案件{case.get_status_display()}，不能再作出回避决定。")
        if recusal.status != RecusalStatus.PENDING:
            raise ValidationError(
                {
                    "recusal": f"该回避申请已于{recusal.decided_on:%Y年%m月%d日}作出决定"
                    f"（{recusal.get_status_display()}），不能重复决定。"
                }
            )
        if recusal.handler.user_id == acting_user.pk:
            raise ValidationError(
                {
                    "recusal": f"{recusal.handler.real_name}是被申请回避的人员，不能对本人的回避"
                    "作出决定，请由其他局领导决定（《行政处罚法》第四十三条）。"
                }
            )
        if on < recusal.requested_on:
            raise ValidationError({"on": "决定日期不能早于申请日期，请核对。"})
        payload: dict = {
            "recusal": recusal.pk,
            "handler": recusal.handler_id,
            "granted": grant,
            "opinion": opinion,
            "on": on.isoformat(),
        }
        added = list(dict.fromkeys(replacements))
        if grant:
            if recusal.handler in added:
                raise ValidationError(
                    {
                        "replacements": f"{recusal.handler.real_name}已决定回避，"
                        "不能作为替换的承办人。"
                    }
                )
            kept = [h for h in case.handlers.order_by("pk") if h.pk != recusal.handler_id]
            new = kept + [h for h in added if h not in kept]
            if not new:
                raise ValidationError(
                    {"replacements": "回避后本案没有承办人，请指定替换的承办人。"}
                )
            _set_handlers(case, acting_user, new)
            _check_handlers_after_recusal(case, on)
            recusal.status = RecusalStatus.GRANTED
            payload |= {
                "handlers": [h.pk for h in new],
                "replacements": [h.pk for h in added if h not in kept],
            }
        else:
            if not opinion:
                raise ValidationError({"opinion": "不予回避的，请写明理由。"})
            if added:
                raise ValidationError(
                    {"replacements": "不予回避的，承办人不变，请不要选择替换的承办人。"}
                )
            recusal.status = RecusalStatus.REJECTED
        recusal.decided_by = acting_user
        recusal.decided_on = on
        recusal.opinion = opinion
        recusal.full_clean()
        recusal.save()
        if grant:
            recusal.replacements.set(payload["replacements"])
        _event("case.recusal_decided", case, acting_user, payload)
    return recusal
