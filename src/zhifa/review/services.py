"""Every change in legal review and collective discussion goes through these functions:
keyword-only, `acting_user` required, one transaction each, `full_clean()` before saving, and
a ledger event on the case (so each step shows on the case's timeline, L8) written in the same
transaction.

The procedure (L1, L6, L8; 118号; 处罚法 arts. 57, 58):
报送 (`review_submit`, the handling unit, case at the 法制审核 step) → 分配 (`review_assign`:
审核人 holding 法律职业资格 and a different 复审人, neither a handler of the case) → 审核
(`review_record_findings`, one finding per statutory item) → 复审并出具意见书
(`review_confirm`: numbered, rendered, stored; 退回补充调查 moves the case back) → the
handling unit accepts (`review_accept`) or disagrees with reasons (`review_disagree`) → the
head coordinates (`review_coordinate`): decides or sends the case to collective discussion
(`discussion_record`).
"""

from __future__ import annotations

import datetime as dt
import io
import mimetypes
from collections.abc import Iterable, Mapping, Sequence
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.core import documents as core_documents
from zhifa.core.calendar import working_deadline
from zhifa.ledger import uploads
from zhifa.org.models import LegalQualification, Staff
from zhifa.org.roles import Role, has_role, role_names
from zhifa.review.gates import REVIEW_STEP, current_entry
from zhifa.review.models import (
    ITEM_NAMES,
    ITEMS,
    PASSING,
    Coordination,
    Discussion,
    DiscussionAttendee,
    LegalAdviceRequest,
    Opinion,
    Review,
    ReviewFinding,
    ReviewRule,
    ReviewSettings,
    ReviewStatus,
)
from zhifa.review.rules import settings_for

HANDLING_ROLES = {Role.OFFICER.value, Role.UNIT_HEAD.value, Role.LEADER.value}
OPEN = [
    ReviewStatus.SUBMITTED,
    ReviewStatus.ASSIGNED,
    ReviewStatus.CHECKED,
    ReviewStatus.ISSUED,
    ReviewStatus.DISAGREED,
]


# --- helpers -------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _staff(user) -> Staff:
    staff = getattr(user, "staff", None)
    if staff is None or not staff.is_active:
        raise PermissionDenied("只有在职的执法主体工作人员可以办理法制审核事务。")
    return staff


def _require_roles(user, roles: Iterable[str], what: str) -> Staff:
    staff = _staff(user)
    roles = set(roles)
    if not role_names(user) & roles:
        raise PermissionDenied(f"“{what}”须由{'或'.join(sorted(roles))}办理。")
    return staff


def _lock_case(user, case):
    from zhifa.cases.models import Case

    staff = _staff(user)
    locked = (
        Case.objects.select_for_update()
        .select_related("agency", "party", "flow", "item_version")
        .get(pk=case.pk)
    )
    if locked.agency_id != staff.agency_id:
        raise PermissionDenied("只能办理本执法主体的案件。")
    return locked


def _lock(user, review: Review) -> Review:
    staff = _staff(user)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.agency_id != staff.agency_id:
        raise PermissionDenied("只能办理本执法主体的法制审核。")
    return locked


def _event(kind: str, case, user, payload: dict) -> None:
    ledger.record(kind, case, user, {"case": case.pk, "number": case.number, **payload})


def _is_handler(case, staff: Staff) -> bool:
    return case.handlers.filter(pk=staff.pk).exists()


def _require_handling_unit(user, case) -> Staff:
    """The handling unit: a handler of the case, or a unit head / leader of its agency."""
    staff = _staff(user)
    if staff.agency_id != case.agency_id:
        raise PermissionDenied("只能办理本执法主体的案件。")
    roles = role_names(user)
    if _is_handler(case, staff) or roles & {Role.UNIT_HEAD.value, Role.LEADER.value}:
        return staff
    raise PermissionDenied("只有本案承办人员或承办科室负责人、局领导可以办理。")


def _save(obj) -> None:
    obj.full_clean()
    obj.save()


# --- submission and assignment -------------------------------------------------------------


def review_submit(
    *, acting_user, case, proposal: str, report: str, on: dt.date | None = None
) -> Review:
    """报送法制审核: the package (拟处理意见, 调查终结报告; the case's evidence list and issued
    documents attached automatically); the time limit runs in working days from the day of
    submission (settings; default 7). Each resubmission is a new round."""
    from zhifa.cases.models import CaseStatus

    on = on or _today()
    with transaction.atomic():
        case = _lock_case(acting_user, case)
        staff = _require_roles(acting_user, HANDLING_ROLES, "报送法制审核")
        if case.status != CaseStatus.OPEN:
            raise ValidationError("案件已办结，不能报送法制审核。")
        if case.step != REVIEW_STEP:
            raise ValidationError("案件须先转入“法制审核”环节，才能报送审核材料。")
        proposal, report = proposal.strip(), report.strip()
        missing = [n for n, v in (("拟处理意见", proposal), ("调查终结报告", report)) if not v]
        if missing:
            raise ValidationError(
                f"报送材料不完整：缺少{'、'.join(missing)}。请补齐后再报送（材料不全的不开始计算"
                "审核期限）。"
            )
        if Review.objects.filter(case=case, status__in=OPEN).exists():
            raise ValidationError("本案已有正在进行的法制审核，不能重复报送。")
        entry = current_entry(case)
        last = Review.objects.filter(case=case).order_by("-round").first()
        evidence = [
            {
                "sha256": e.sha256,
                "step": e.step,
                "media_kind": e.media_kind,
                "description": e.description,
                "filename": e.filename,
            }
            for e in case.evidence.order_by("pk")
        ]
        documents = [
            {"kind": d.kind, "title": d.title, "number": d.number, "pdf_sha256": d.pdf_sha256}
            for d in case.documents.order_by("pk")
        ]
        days = settings_for(case.agency_id).time_limit_days
        review = Review(
            agency_id=case.agency_id,
            case=case,
            round=(last.round + 1) if last else 1,
            entry_record=entry,
            proposal=proposal,
            report=report,
            materials={"evidence": evidence, "documents": documents},
            submitted_at=timezone.now(),
            submitted_by=acting_user,
            due_on=working_deadline(on, days).due,
        )
        _save(review)
        _event(
            "review.submitted",
            case,
            acting_user,
            {
                "review": review.pk,
                "round": review.round,
                "proposal": proposal,
                "evidence": len(evidence),
                "documents": len(documents),
                "due_on": review.due_on.isoformat(),
                "submitted_by": staff.real_name,
            },
        )
    return review


def check_reviewers(case, reviewer: Staff, re_reviewer: Staff) -> None:
    """办审分离 and qualifications (处罚法 art. 58; L2)."""
    if reviewer.pk == re_reviewer.pk:
        raise ValidationError({"re_reviewer": "审核人和复审人须为两名不同的法制审核人员。"})
    for field, person, label in (
        ("reviewer", reviewer, "审核人"),
        ("re_reviewer", re_reviewer, "复审人"),
    ):
        if person.agency_id != case.agency_id or not person.is_active:
            raise ValidationError({field: f"{label}须为本机关在职的法制审核人员。"})
        if Role.REVIEWER.value not in role_names(person.user):
            raise ValidationError({field: f"{person.real_name}不是法制审核人员，不能担任{label}。"})
        if not person.legal_qualification:
            raise ValidationError(
                {field: f"{person.real_name}未登记法制审核资格，不能担任{label}。"}
            )
        if _is_handler(case, person):
            raise ValidationError(
                {field: f"{person.real_name}是本案承办人员，不能担任{label}（办审分离）。"}
            )
    if reviewer.legal_qualification != LegalQualification.LICENSED:
        raise ValidationError(
            {
                "reviewer": f"{reviewer.real_name}未取得法律职业资格，不能担任审核人"
                "（《行政处罚法》第五十八条第二款）。"
            }
        )


def review_assign(*, acting_user, review: Review, reviewer: Staff, re_reviewer: Staff) -> Review:
    """分配审核人、复审人 (by the 法制科 or a leader), before the review's findings."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_roles(acting_user, {Role.REVIEWER.value, Role.LEADER.value}, "分配审核人员")
        if review.status not in (ReviewStatus.SUBMITTED, ReviewStatus.ASSIGNED):
            raise ValidationError("审核意见已形成，不能再更换审核人员。")
        case = review.case
        check_reviewers(case, reviewer, re_reviewer)
        review.reviewer, review.re_reviewer = reviewer, re_reviewer
        review.status = ReviewStatus.ASSIGNED
        _save(review)
        _event(
            "review.assigned",
            case,
            acting_user,
            {
                "review": review.pk,
                "round": review.round,
                "reviewer": reviewer.real_name,
                "re_reviewer": re_reviewer.real_name,
            },
        )
    return review


def review_extend(*, acting_user, review: Review, reason: str) -> Review:
    """延长审核期限 with a leader's approval and a reason (默认5个工作日, settings)."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_roles(acting_user, {Role.LEADER.value}, "批准延长审核期限")
        if review.status not in (
            ReviewStatus.SUBMITTED,
            ReviewStatus.ASSIGNED,
            ReviewStatus.CHECKED,
        ):
            raise ValidationError("审核意见已出具，无需延长期限。")
        if review.extension_reason:
            raise ValidationError("审核期限已延长过一次，不能再次延长。")
        if not reason.strip():
            raise ValidationError({"reason": "延长审核期限须写明理由。"})
        days = settings_for(review.agency_id).extension_days
        review.due_on = working_deadline(review.due_on, days).due
        review.extension_reason = reason.strip()
        _save(review)
        _event(
            "review.extended",
            review.case,
            acting_user,
            {"review": review.pk, "due_on": review.due_on.isoformat(), "reason": reason.strip()},
        )
    return review


# --- findings, re-review and the opinion ---------------------------------------------------


def review_record_findings(
    *,
    acting_user,
    review: Review,
    findings: Mapping[str, tuple[bool, str]],
    opinion: str,
    opinion_text: str = "",
    articles: Sequence = (),
) -> Review:
    """审核人's findings, one per statutory item (118号), the overall opinion and its 审查依据."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        staff = _staff(acting_user)
        if review.reviewer_id != staff.pk:
            raise PermissionDenied("只有本次审核的审核人可以填写审核意见。")
        if review.status not in (ReviewStatus.ASSIGNED, ReviewStatus.CHECKED):
            raise ValidationError("本次审核当前不能填写审核意见。")
        missing = [name for code, name in ITEMS if code not in findings]
        if missing:
            raise ValidationError(f"请逐项填写审查意见，尚缺：{'、'.join(missing)}。")
        if opinion not in Opinion.values:
            raise ValidationError(
                {"opinion": "请选择审查意见：同意、修改后同意、不同意或退回补充调查。"}
            )
        problems = [
            ITEM_NAMES[c] for c, (lawful, _) in findings.items() if c in ITEM_NAMES and not lawful
        ]
        for code, (lawful, note) in findings.items():
            if not lawful and not note.strip():
                raise ValidationError(f"“{ITEM_NAMES.get(code, code)}”存在问题的，请写明问题。")
        if opinion == Opinion.AGREE and problems:
            raise ValidationError(
                {"opinion": f"{'、'.join(problems)}存在问题，不能出具“同意”意见。"}
            )
        if opinion != Opinion.AGREE and not opinion_text.strip():
            raise ValidationError({"opinion_text": "请写明修改意见、不同意或退回的理由。"})
        if not articles:
            raise ValidationError({"articles": "请从法律依据库中选择审查依据。"})
        review.findings.all().delete()
        for code, _ in ITEMS:
            lawful, note = findings[code]
            _save(ReviewFinding(review=review, item=code, lawful=bool(lawful), note=note.strip()))
        review.opinion = opinion
        review.opinion_text = opinion_text.strip()
        review.status = ReviewStatus.CHECKED
        _save(review)
        review.articles.set(articles)
        _event(
            "review.checked",
            review.case,
            acting_user,
            {
                "review": review.pk,
                "opinion": opinion,
                "problems": problems,
                "articles": sorted(a.pk for a in articles),
            },
        )
    return review


def _official(review: Review, on: dt.date) -> core_documents.OfficialDocument:
    case = review.case
    staff_names = {
        "审核人": review.reviewer.real_name,
        "复审人": review.re_reviewer.real_name,
    }
    lines = [
        f"审查事项：{case.number}“{case.title}”（当事人：{case.party.name}）拟作出的决定。"
        f"拟处理意见：{review.proposal}",
        f"报送时间：{core_documents.chinese_date(timezone.localtime(review.submitted_at).date())}"
        f"（第{review.round}次报送）。",
        "审查情况：",
    ]
    for finding in review.findings.all():
        verdict = "合法" if finding.lawful else "存在问题"
        lines.append(
            f"{finding.get_item_display()}：{verdict}。" + (finding.note if finding.note else "")
        )
    lines.append(f"审查意见：{review.get_opinion_display()}。" + (review.opinion_text or ""))
    basis = "；".join(f"《{a.law.title}》{a.number}" for a in review.articles.select_related("law"))
    lines.append(f"审查依据：{basis}。")
    lines.append("　".join(f"{k}：{v}" for k, v in staff_names.items()))
    return core_documents.OfficialDocument(
        issuer=case.agency.name,
        title="法制审核意见书",
        number=review.number,
        recipient="案件承办机构",
        body=lines,
        date=on,
    )


def review_documents(review: Review) -> core_documents.OfficialDocument:
    """The review document of an issued review (for downloads)."""
    return _official(review, review.issued_on or _today())


def review_confirm(*, acting_user, review: Review, on: dt.date | None = None) -> Review:
    """复审人 confirms: the review document is numbered gap-free from the agency's series,
    rendered (PDF + DOCX), stored by SHA-256 and recorded (`review.opinion_issued`). A
    退回补充调查 opinion moves the case back to investigation in the same transaction."""
    from zhifa.cases import services as case_services
    from zhifa.catalog.models import DocumentKind, NumberingPattern
    from zhifa.ledger import blobs

    on = on or _today()
    with transaction.atomic():
        review = _lock(acting_user, review)
        staff = _staff(acting_user)
        if review.re_reviewer_id != staff.pk:
            raise PermissionDenied("只有本次审核的复审人可以复审并出具审核意见书。")
        if review.reviewer_id == staff.pk:
            raise PermissionDenied("审核人不能复审自己的审核意见。")
        if review.status != ReviewStatus.CHECKED:
            raise ValidationError("审核人尚未填写审核意见，不能复审。")
        pattern = NumberingPattern.objects.filter(
            agency_id=review.agency_id, kind=DocumentKind.REVIEW_OPINION
        ).first()
        if pattern is None:
            raise ValidationError(
                "本机关尚未设置“法制审核意见书”的编号格式，请由办公室在“文书编号格式”中设置。"
            )
        review = Review.objects.select_related(
            "case__agency", "case__party", "reviewer", "re_reviewer"
        ).get(pk=review.pk)
        review.number = pattern.issue(on=on)
        review.issued_on = on
        official = _official(review, on)
        pdf = blobs.store(io.BytesIO(core_documents.render_pdf(official)))
        docx = blobs.store(io.BytesIO(core_documents.render_docx(official)))
        review.pdf_sha256, review.docx_sha256 = pdf.sha256, docx.sha256
        returned = review.opinion == Opinion.RETURN
        review.status = ReviewStatus.RETURNED if returned else ReviewStatus.ISSUED
        _save(review)
        case = review.case
        _event(
            "review.opinion_issued",
            case,
            acting_user,
            {
                "review": review.pk,
                "round": review.round,
                "review_number": review.number,
                "opinion": review.opinion,
                "reviewer": review.reviewer.real_name,
                "re_reviewer": review.re_reviewer.real_name,
                "pdf_sha256": pdf.sha256,
                "docx_sha256": docx.sha256,
                "pdf_size": pdf.size,
                "docx_size": docx.size,
            },
        )
        if returned:
            _event(
                "review.returned",
                case,
                acting_user,
                {"review": review.pk, "reason": review.opinion_text},
            )
            case_services.case_advance(
                acting_user=acting_user,
                case=case,
                to_step="investigate",
                reason=f"法制审核退回补充调查（{review.number}）：{review.opinion_text}",
                on=on,
            )
    return review


# --- the handling unit's answer and coordination (L8) --------------------------------------


def review_accept(*, acting_user, review: Review) -> Review:
    """The handling unit accepts the opinion (采纳). A passing opinion then lets the case
    proceed; an accepted 不同意 means the proposal must change and be resubmitted."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_handling_unit(acting_user, review.case)
        if review.status != ReviewStatus.ISSUED:
            raise ValidationError("审核意见尚未出具或已处理。")
        review.status = ReviewStatus.ACCEPTED
        _save(review)
        _event(
            "review.accepted",
            review.case,
            acting_user,
            {"review": review.pk, "opinion": review.opinion, "passed": review.passed},
        )
    return review


def review_disagree(*, acting_user, review: Review, reasons: str) -> Review:
    """The handling unit does not accept the opinion and records its reasons (L8)."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_handling_unit(acting_user, review.case)
        if review.status != ReviewStatus.ISSUED:
            raise ValidationError("审核意见尚未出具或已处理。")
        if not reasons.strip():
            raise ValidationError({"reasons": "请写明不采纳审核意见的理由。"})
        review.status = ReviewStatus.DISAGREED
        review.unit_reasons = reasons.strip()
        _save(review)
        _event(
            "review.disagreement_recorded",
            review.case,
            acting_user,
            {"review": review.pk, "reasons": review.unit_reasons},
        )
    return review


def review_coordinate(*, acting_user, review: Review, decision: str, note: str) -> Review:
    """The agency head coordinates a disagreement: follow the review, follow the handling
    unit, or send the case to collective discussion (L8, 118号)."""
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_roles(acting_user, {Role.LEADER.value}, "协调审核意见分歧")
        if review.status != ReviewStatus.DISAGREED:
            raise ValidationError("只有承办机构对审核意见有异议时才需要协调。")
        if decision not in Coordination.values:
            raise ValidationError({"decision": "请选择协调结果。"})
        if not note.strip():
            raise ValidationError({"note": "请写明协调意见。"})
        review.status = ReviewStatus.COORDINATED
        review.coordination = decision
        review.coordination_note = note.strip()
        review.coordinated_by = acting_user
        review.coordinated_at = timezone.now()
        _save(review)
        _event(
            "review.coordinated",
            review.case,
            acting_user,
            {"review": review.pk, "decision": decision, "note": review.coordination_note},
        )
    return review


# --- legal advisers (L4) -------------------------------------------------------------------


def _require_reviewer_of(user, review: Review) -> None:
    staff = _staff(user)
    if staff.pk not in (review.reviewer_id, review.re_reviewer_id):
        raise PermissionDenied("只有本次审核的审核人或复审人可以征询法律顾问意见。")


def advice_request(
    *, acting_user, review: Review, adviser: str, question: str, on: dt.date | None = None
) -> LegalAdviceRequest:
    with transaction.atomic():
        review = _lock(acting_user, review)
        _require_reviewer_of(acting_user, review)
        if not review.open:
            raise ValidationError("本次审核已结束，不能再征询意见。")
        advice = LegalAdviceRequest(
            review=review,
            adviser=adviser.strip(),
            question=question.strip(),
            asked_on=on or _today(),
            asked_by=acting_user,
        )
        _save(advice)
        _event(
            "review.advice_requested",
            review.case,
            acting_user,
            {"review": review.pk, "advice": advice.pk, "adviser": advice.adviser},
        )
    return advice


def advice_answer(
    *, acting_user, advice: LegalAdviceRequest, answer: str, on: dt.date | None = None
) -> LegalAdviceRequest:
    with transaction.atomic():
        review = _lock(acting_user, advice.review)
        _require_reviewer_of(acting_user, review)
        advice = LegalAdviceRequest.objects.select_for_update().get(pk=advice.pk)
        if advice.answered_on:
            raise ValidationError("该咨询已登记答复。")
        if not answer.strip():
            raise ValidationError({"answer": "请填写法律顾问的意见。"})
        advice.answer = answer.strip()
        advice.answered_on = on or _today()
        _save(advice)
        _event(
            "review.advice_answered",
            review.case,
            acting_user,
            {"review": review.pk, "advice": advice.pk, "answer": advice.answer},
        )
    return advice


# --- collective discussion (L9) ------------------------------------------------------------


MINUTES_CATEGORY = "discussion_minutes"


def _minutes_facts(minutes: IO[bytes], filename: str, content_type: str) -> tuple[str, str]:
    """The minutes file's original name and MIME type, checked as evidence uploads are."""
    filename = (filename or getattr(minutes, "name", "") or "").strip()
    filename = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not filename or len(filename) > 255 or "\x00" in filename:
        raise ValidationError({"minutes": "会议记录文件须有原始文件名（不超过255个字符）。"})
    content_type = (content_type or "").split(";", 1)[0].strip().lower()
    if not content_type or content_type == "application/octet-stream":
        content_type = mimetypes.guess_type(filename)[0] or ""
    if not uploads.type_allowed(content_type):
        raise ValidationError(
            {
                "minutes": f"不接受“{content_type or '未知'}”类型的会议记录文件。"
                "请上传扫描件（PDF、OFD、图片）或办公文档。"
            }
        )
    return filename, content_type


def _store_minutes(minutes: IO[bytes], expected_sha256: str):
    from django.conf import settings

    from zhifa.ledger import blobs

    try:
        if hasattr(minutes, "seek"):
            minutes.seek(0)
        return blobs.store(
            minutes,
            expected_sha256=expected_sha256 or None,
            max_bytes=settings.LEDGER_UPLOAD_MAX_BYTES,
        )
    except blobs.BlobError as error:
        raise ValidationError({"minutes": f"会议记录文件未能保存：{error}"}) from error


def discussion_record(
    *,
    acting_user,
    case,
    held_on: dt.date,
    chair: Staff,
    attendees: Sequence[tuple[Staff, str]],
    conclusion: str,
    matters: str = "",
    minutes: IO[bytes] | None = None,
    minutes_filename: str = "",
    minutes_content_type: str = "",
    minutes_sha256: str = "",
) -> Discussion:
    """集体讨论 record (处罚法 art. 57): the agency's leaders, each one's opinion, the matters
    discussed and the conclusion; at least the quorum of the agency's settings, the chair
    included.

    The minutes file (会议记录, a scan or an office document), when given, is kept in the
    ledger's content-addressed evidence store under the evidence uploads' size and type
    limits, with its original name; `minutes_sha256`, when given, is the hash the uploader
    declares and must match the bytes. The file is also recorded as an ``evidence.added``
    event of the case (``category: "discussion_minutes"``), so the case-file export carries it.
    """
    from zhifa.ledger import blobs

    minutes_sha256 = minutes_sha256.strip().lower()
    if minutes is None and minutes_sha256:
        raise ValidationError({"minutes": "只填写哈希无法保存会议记录，请同时上传会议记录文件。"})
    with transaction.atomic():
        case = _lock_case(acting_user, case)
        _require_roles(acting_user, {Role.LEADER.value}, "登记集体讨论")
        if case.decided_on is not None or case.status != "open":
            raise ValidationError("案件已作出决定或已办结，不能再登记集体讨论。")
        if held_on > _today():
            raise ValidationError({"held_on": "讨论日期不能晚于今天。"})
        if not conclusion.strip():
            raise ValidationError({"conclusion": "请填写集体讨论决定。"})
        people = {}
        for person, opinion in attendees:
            if person.pk in people:
                raise ValidationError(f"{person.real_name}重复列为参加人。")
            if person.agency_id != case.agency_id or not has_role(person.user, Role.LEADER):
                raise ValidationError(f"{person.real_name}不是本机关负责人，不能参加集体讨论。")
            if not opinion.strip():
                raise ValidationError(f"请记录{person.real_name}的意见。")
            people[person.pk] = (person, opinion.strip())
        if chair.pk not in people:
            raise ValidationError({"chair": "主持人须列为参加人并记录其意见。"})
        quorum = settings_for(case.agency_id).quorum
        if len(people) < quorum:
            raise ValidationError(
                f"参加集体讨论的负责人为{len(people)}人，少于本机关规定的{quorum}人。"
            )
        stored = None
        filename = content_type = ""
        if minutes is not None:
            filename, content_type = _minutes_facts(minutes, minutes_filename, minutes_content_type)
            stored = _store_minutes(minutes, minutes_sha256)
        discussion = Discussion(
            agency_id=case.agency_id,
            case=case,
            held_on=held_on,
            chair=chair,
            matters=matters.strip(),
            conclusion=conclusion.strip(),
            minutes_sha256=stored.sha256 if stored else "",
            minutes_filename=filename,
            minutes_content_type=content_type,
            minutes_size=stored.size if stored else None,
            recorded_by=acting_user,
        )
        _save(discussion)
        for person, opinion in people.values():
            _save(DiscussionAttendee(discussion=discussion, staff=person, opinion=opinion))
        if stored is not None:
            blobs.add_evidence(
                stored,
                actor=acting_user,
                subject=case,
                filename=filename,
                content_type=content_type,
                step=case.step,
                agency=case.agency,
                extra={"category": MINUTES_CATEGORY, "discussion": discussion.pk},
            )
        _event(
            "discussion.recorded",
            case,
            acting_user,
            {
                "discussion": discussion.pk,
                "held_on": held_on.isoformat(),
                "chair": chair.real_name,
                "attendees": {p.real_name: o for p, o in people.values()},
                "matters": discussion.matters,
                "conclusion": discussion.conclusion,
                "minutes_sha256": discussion.minutes_sha256,
                "minutes_filename": discussion.minutes_filename,
                "minutes_size": discussion.minutes_size,
            },
        )
    return discussion


def discussion_minutes_damaged(*, acting_user, discussion: Discussion) -> None:
    """Record that the stored minutes file no longer matches its SHA-256 (found on download;
    the same event the fixity check writes), so the agency and the auditors see it."""
    case = discussion.case
    with transaction.atomic():
        ledger.record(
            "evidence.fixity_failed",
            case,
            acting_user,
            {
                "sha256": discussion.minutes_sha256,
                "problem": "changed",
                "detected": "download",
                "discussion": discussion.pk,
            },
            agency=case.agency,
        )


def discussion_document(discussion: Discussion) -> core_documents.OfficialDocument:
    """The printable 集体讨论记录 composed from the structured discussion (for agencies without
    a scanned minutes file): case, date, chair, attendees with their posts and opinions, the
    matters discussed, the conclusion and the recorder. Rendered on request (PDF or DOCX)."""
    case = discussion.case

    def who(staff: Staff) -> str:
        return f"{staff.real_name}（{staff.post}）" if staff.post else staff.real_name

    attendees = list(discussion.attendees.select_related("staff").order_by("pk"))
    recorder = getattr(discussion.recorded_by, "staff", None)
    recorder_name = recorder.real_name if recorder else discussion.recorded_by.get_username()
    matters = discussion.matters or _default_matters(case)
    lines = [
        f"案件：{case.number or '（未编号）'}“{case.title}”（当事人：{case.party.name}）",
        f"讨论时间：{core_documents.chinese_date(discussion.held_on)}",
        f"主持人：{who(discussion.chair)}",
        f"参加人：{'、'.join(who(a.staff) for a in attendees)}（共{len(attendees)}人）",
        f"记录人：{recorder_name}",
        f"讨论事项：{matters}",
        "参加人意见：",
        *(f"{who(a.staff)}：{a.opinion}" for a in attendees),
        f"讨论决定：{discussion.conclusion}",
    ]
    if discussion.minutes_sha256:
        lines.append(
            f"会议记录文件：{discussion.minutes_filename or '（未记录文件名）'}，"
            f"SHA-256：{discussion.minutes_sha256}"
        )
    lines.append("参加人（签名）：")
    lines.append("主持人（签名）：　　　　　　记录人（签名）：")
    return core_documents.OfficialDocument(
        issuer=case.agency.name,
        title="集体讨论记录",
        body=lines,
        date=discussion.held_on,
        seal_note="",
    )


def _default_matters(case) -> str:
    """For discussions recorded before the matters were recorded: the case's proposal."""
    review = Review.objects.filter(case=case).order_by("-round").first()
    proposal = (review.proposal if review else "") or case.decision_content
    text = f"对{case.number or ''}“{case.title}”拟作出的处理决定进行集体讨论"
    return f"{text}（拟处理意见：{proposal}）。" if proposal else f"{text}。"


# --- the 审核目录清单 and settings (L1, L5, L7) ---------------------------------------------


RULE_FIELDS = (
    "name",
    "basis",
    "active",
    "case_kind",
    "item",
    "penalty_types",
    "threshold_person",
    "threshold_organisation",
    "hearing_held",
    "major_social_impact",
    "complex_case",
    "major_public_interest",
    "suspected_crime",
    "requires_discussion",
)


def _require_keeper(user) -> Staff:
    staff = _staff(user)
    if not user.has_perm("review.change_reviewrule"):
        raise PermissionDenied("审核目录清单由法制机构维护。")
    return staff


def rule_save(*, acting_user, rule: ReviewRule | None = None, values: Mapping) -> ReviewRule:
    """Create or change a line of the agency's 审核目录清单; each version is recorded."""
    with transaction.atomic():
        staff = _require_keeper(acting_user)
        if rule is None:
            rule = ReviewRule(agency_id=staff.agency_id)
        else:
            rule = ReviewRule.objects.select_for_update().get(pk=rule.pk)
            if rule.agency_id != staff.agency_id:
                raise PermissionDenied("只能维护本机关的审核目录清单。")
        item = values.get("item")
        if item is not None and item.agency_id != staff.agency_id:
            raise ValidationError({"item": "请选择本机关的执法事项。"})
        for field in RULE_FIELDS:
            if field in values:
                setattr(rule, field, values[field])
        rule.penalty_types = list(rule.penalty_types or [])
        created = rule.pk is None
        _save(rule)
        ledger.record(
            "review.rule_saved",
            rule,
            acting_user,
            {
                "rule": rule.pk,
                "created": created,
                **{f: getattr(rule, f) for f in RULE_FIELDS if f != "item"},
                "item": rule.item_id,
            },
            agency=staff.agency,
        )
    return rule


def settings_save(*, acting_user, values: Mapping) -> ReviewSettings:
    with transaction.atomic():
        staff = _require_keeper(acting_user)
        found, _ = ReviewSettings.objects.select_for_update().get_or_create(
            agency_id=staff.agency_id
        )
        for field in ("all_ordinary", "time_limit_days", "extension_days", "quorum"):
            if field in values:
                setattr(found, field, values[field])
        _save(found)
        ledger.record(
            "review.settings_saved",
            found,
            acting_user,
            {
                "all_ordinary": found.all_ordinary,
                "time_limit_days": found.time_limit_days,
                "extension_days": found.extension_days,
                "quorum": found.quorum,
            },
            agency=staff.agency,
        )
    return found


__all__ = [
    "PASSING",
    "advice_answer",
    "advice_request",
    "discussion_document",
    "discussion_minutes_damaged",
    "discussion_record",
    "review_accept",
    "review_assign",
    "review_confirm",
    "review_coordinate",
    "review_disagree",
    "review_extend",
    "review_record_findings",
    "review_submit",
    "rule_save",
    "settings_save",
]
