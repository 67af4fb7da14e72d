"""Issued documents (执法文书, P9, C2): numbered, rendered from the catalogue's template with
the case's data, stored as PDF and DOCX blobs, and recorded in the ledger.

Which document can be issued when is data (`ISSUABLE`, below): the flow, the steps at which
the case may stand, the outcome it needs, where its number comes from and whether it is
issued once. `document_issue` checks it all in the service (not only in the page).

Numbers: a decision-type document reuses the number its service already gave the case
(`case.number` for 立案审批表 / 受理通知书, `case.decision_number` for decisions), so one act
never holds two numbers. Other kinds take the next number of the agency's series for that kind
when the agency has set a pattern for it (gap-free, `core.numbering`, in this transaction),
and are issued without a number otherwise (e.g. 送达回证).

Files: both renderings are stored with `ledger.blobs` and each gets an `evidence.added` event
on the case (payload `category: "document"`), so that the ledger's BagIt case-file export
(which bags the blobs of the subject's `evidence.added` events) carries them; then one
`document.issued` event names both hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q

from zhifa import ledger
from zhifa.cases import clocks, penalties
from zhifa.cases.models import Case, CaseStatus, IssuedDocument, Outcome, PartyKind
from zhifa.cases.services import (
    LICENCE_FLOW,
    PENALTY_FLOW,
    SIMPLE_FLOW,
    _lock,
    _staff,
    _today,
    hearing_right_default,
)
from zhifa.catalog.models import (
    PLACEHOLDER_RE,
    DocumentKind,
    DocumentTemplate,
    FlowStep,
    ItemBasis,
    NumberingPattern,
)
from zhifa.core import documents as core_documents
from zhifa.org.roles import Role, role_names

# Where a document's number comes from.
CASE_NUMBER = "case"  # case.number (立案审批表, 受理通知书)
DECISION_NUMBER = "decision"  # case.decision_number, given by the deciding service
SERIES = "series"  # the next number of the agency's series for the kind, if it has a pattern
NONE = "none"  # unnumbered


@dataclass(frozen=True)
class Issuable:
    flows: frozenset[str]
    steps: frozenset[str]
    number: str
    once: bool = True
    outcomes: frozenset[str] = field(default_factory=frozenset)  # empty: any outcome


def _set(*items: str) -> frozenset[str]:
    return frozenset(items)


PENALTY_FILED = _set(
    "investigate",
    "withdraw",
    "report",
    "legal_review",
    "prior_notice",
    "hearing",
    "collective",
    "decide",
    "no_penalty",
    "transfer",
    "serve",
    "execute",
    "close",
    "archive",
)
LICENCE_ACCEPTED = _set(
    "accept", "review", "site_check", "legal_review", "decide", "refuse", "serve", "publish"
)
LICENCE_ACCEPTED |= {"archive"}

# The one place that says which document may be issued at which step (P9).
ISSUABLE: dict[str, Issuable] = {
    DocumentKind.FILING_APPROVAL: Issuable(_set(PENALTY_FLOW), PENALTY_FILED, CASE_NUMBER),
    DocumentKind.NO_FILING: Issuable(_set(PENALTY_FLOW), _set("no_filing"), SERIES),
    DocumentKind.PRIOR_NOTICE: Issuable(_set(PENALTY_FLOW), _set("prior_notice"), SERIES),
    DocumentKind.HEARING_NOTICE: Issuable(_set(PENALTY_FLOW), _set("hearing"), SERIES),
    DocumentKind.PENALTY_DECISION: Issuable(
        _set(PENALTY_FLOW),
        _set("serve", "execute", "close", "archive"),
        DECISION_NUMBER,
        outcomes=_set(Outcome.PENALTY),
    ),
    DocumentKind.NO_PENALTY_DECISION: Issuable(
        _set(PENALTY_FLOW), _set("no_penalty"), DECISION_NUMBER
    ),
    DocumentKind.ON_SPOT_DECISION: Issuable(
        _set(SIMPLE_FLOW), _set("onspot_pay", "onspot_file", "archive"), DECISION_NUMBER
    ),
    DocumentKind.SERVICE_RECEIPT: Issuable(
        _set(PENALTY_FLOW, LICENCE_FLOW), _set("serve"), NONE, once=False
    ),
    DocumentKind.ACCEPTANCE: Issuable(_set(LICENCE_FLOW), LICENCE_ACCEPTED, CASE_NUMBER),
    DocumentKind.CORRECTION_NOTICE: Issuable(_set(LICENCE_FLOW), _set("correction"), SERIES),
    DocumentKind.NON_ACCEPTANCE: Issuable(
        _set(LICENCE_FLOW), _set("not_accepted"), DECISION_NUMBER
    ),
    DocumentKind.LICENCE_GRANT: Issuable(
        _set(LICENCE_FLOW),
        _set("serve", "publish", "archive"),
        DECISION_NUMBER,
        outcomes=_set(Outcome.GRANTED),
    ),
    DocumentKind.LICENCE_REFUSAL: Issuable(_set(LICENCE_FLOW), _set("refuse"), DECISION_NUMBER),
}
# Documents that a 送达回证 may name, latest first.
SERVED_KINDS = (
    DocumentKind.PENALTY_DECISION,
    DocumentKind.LICENCE_GRANT,
    DocumentKind.PRIOR_NOTICE,
)
BLANK = "＿＿＿＿"


# --- what may be issued now ----------------------------------------------------------------


def _refusal(case: Case, kind: str, rule: Issuable | None, issued: set[str]) -> str:
    """Why `kind` cannot be issued in `case` now ("" when it can)."""
    label = DocumentKind(kind).label
    if case.status == CaseStatus.ARCHIVED:
        return "案件已归档，不能再出具文书。"
    if rule is None or case.flow.code not in rule.flows:
        return f"“{case.flow.name}”的案件不出具“{label}”。"
    if case.step not in rule.steps:
        names = FlowStep.objects.filter(flow=case.flow, code__in=rule.steps).order_by("order")
        where = "、".join(s.name for s in names)
        current = FlowStep.objects.filter(flow=case.flow, code=case.step).first()
        return (
            f"案件当前处于“{current.name if current else case.step}”环节，"
            f"“{label}”只能在“{where}”环节出具。"
        )
    if rule.outcomes and case.outcome not in rule.outcomes:
        return f"本案办理结果为“{case.get_outcome_display()}”，不能出具“{label}”。"
    if rule.once and kind in issued:
        return f"本案已出具“{label}”，不能重复出具；如需更正，请出具更正文书并说明理由。"
    if rule.number == CASE_NUMBER and not case.number:
        return f"本案尚未编号，不能出具“{label}”。"
    if rule.number == DECISION_NUMBER and not case.decision_number:
        return f"本案尚无决定书文号，请先通过“作出决定”办理后再出具“{label}”。"
    if kind == DocumentKind.PRIOR_NOTICE and not case.penalty_types:
        return "请先填写拟作出的处罚决定（处罚种类、罚款金额）后再出具事先告知书。"
    return ""


def issuable_kinds(case: Case) -> list[tuple[str, str]]:
    """(kind, label) of the documents the case's current state allows, in catalogue order."""
    issued = set(case.documents.values_list("kind", flat=True))
    return [
        (kind.value, kind.label)
        for kind in DocumentKind
        if kind in ISSUABLE and not _refusal(case, kind, ISSUABLE.get(kind), issued)
    ]


def can_issue(user, case: Case) -> bool:
    """May `user` issue documents in `case` (its agency, and a handler, a head / leader or a
    holder of the current step's roles)?"""
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if staff is None or not staff.is_active or staff.agency_id != case.agency_id:
        return False
    roles = role_names(user)
    if roles & {Role.UNIT_HEAD.value, Role.LEADER.value}:
        return True
    step = FlowStep.objects.filter(flow=case.flow, code=case.step).first()
    if step is not None and roles & set(step.roles):
        return True
    return case.handlers.filter(pk=staff.pk).exists()


# --- the document's text -------------------------------------------------------------------


def yuan(fen: int) -> str:
    """An amount in 分 as 元 with two decimals: 500000 -> '5000.00'."""
    return f"{Decimal(fen) / 100:.2f}"


def citations(case: Case) -> str:
    """The item version's articles, cited with law title and article number (依据)."""
    rows = ItemBasis.objects.filter(version=case.item_version).select_related("article__law")
    cited = [f"《{b.article.law.title}》{b.article.number}{b.note}" for b in rows]
    return "、".join(cited) or "有关法律、法规、规章"


def penalty_text(case: Case) -> str:
    parts = []
    for kind in case.penalty_types:
        if kind == "罚款":
            parts.append(f"罚款人民币{yuan(case.fine_amount)}元")
        elif kind in ("没收违法所得", "没收非法财物") and case.confiscation_amount:
            parts.append(f"{kind}人民币{yuan(case.confiscation_amount)}元")
        else:
            parts.append(kind)
    text = "、".join(parts)
    if case.decision_content:
        text = f"{text}（{case.decision_content}）" if text else case.decision_content
    return text or BLANK


def _evidence_text(case: Case) -> str:
    counts: dict[str, int] = {}
    for evidence in case.evidence.all():
        label = evidence.get_media_kind_display()
        counts[label] = counts.get(label, 0) + 1
    return "、".join(f"{label}{n}份" for label, n in counts.items()) or "案卷所附"


def _approval_opinion(case: Case) -> str:
    record = case.step_records.filter(to_step="investigate").order_by("pk").first()
    return (record.reason if record and record.reason else "同意立案") if record else BLANK


def _served_document(case: Case) -> str:
    doc = (
        case.documents.filter(kind__in=SERVED_KINDS).order_by("-issued_at", "-pk").first()
        if case.pk
        else None
    )
    if doc is not None:
        return f"《{doc.title}》（{doc.number}）" if doc.number else f"《{doc.title}》"
    if case.decision_number:
        return f"决定书（{case.decision_number}）"
    return BLANK


def context_for(case: Case, kind: str, *, number: str, user, on: dt.date) -> dict[str, str]:
    """The values the template's placeholders take, from the case's data (a JSON snapshot)."""
    party = case.party
    agency = case.agency
    handlers = "、".join(h.real_name for h in case.handlers.all())
    staff = getattr(user, "staff", None)
    values = {
        "机关名称": agency.name,
        "文书编号": number,
        "事由": case.title,
        "当事人": party.name,
        "地址": party.address or BLANK,
        "证件号码": (party.id_number if party.kind == PartyKind.PERSON else party.credit_code),
        "法定代表人": party.legal_representative or "",
        "案件来源": case.source or BLANK,
        "依据": citations(case),
        "违反条款": citations(case),
        "事实": case.facts or case.title,
        "证据": _evidence_text(case),
        "承办人": handlers or BLANK,
        "执法人员": handlers or BLANK,
        "承办意见": "建议立案调查",
        "审批意见": _approval_opinion(case),
        "理由": case.decision_reason or BLANK,
        "拟处罚内容": penalty_text(case),
        "处罚内容": penalty_text(case),
        "处理意见": penalty_text(case),
        "处理结果": case.get_outcome_display() if case.outcome else BLANK,
        "执行情况": f"已于{core_documents.chinese_date(case.paid_on)}缴纳"
        if case.paid_on
        else BLANK,
        "复议机关": f"{agency.region_name}人民政府" if agency.region_name else "本级人民政府",
        "人民法院": "有管辖权的人民法院",
        "申请日期": core_documents.chinese_date(case.registered_on),
        "补正内容": case.correction_items or BLANK,
        "许可内容": case.decision_content or case.title,
        "有效期": "以许可证件载明的期限为准",
        "送达文书": _served_document(case),
        "送达方式": case.get_service_method_display() if case.service_method else BLANK,
        "送达人": staff.real_name if staff else BLANK,
        "地点": party.address or BLANK,
        "时间": core_documents.chinese_date(case.decided_on or on),
        "备注": "",
        "日期": core_documents.chinese_date(on),
    }
    may_be_empty = {"备注", "法定代表人", "文书编号"}
    return {k: v or ("" if k in may_be_empty else BLANK) for k, v in values.items()}


def _rights_notes(case: Case, kind: str) -> list[str]:
    """Concrete deadlines beside the template's rights statement."""
    notes = []
    if kind == DocumentKind.PRIOR_NOTICE:
        if case.notified_on:
            due = clocks.rights_deadline(case.notified_on)
            notes.append(
                f"陈述、申辩和要求听证的期限至{core_documents.chinese_date(due)}届满"
                "（收到本告知书之日起五个工作日，《中华人民共和国行政处罚法》第四十五条、第六十四条）。"
            )
        if hearing_right_default(case) or case.hearing_right:
            notes.append(
                "本案拟作出的行政处罚属于《中华人民共和国行政处罚法》第六十三条规定的听证范围，"
                "你（单位）有权要求举行听证。"
            )
        else:
            notes.append(
                "本案拟作出的行政处罚不属于《中华人民共和国行政处罚法》第六十三条规定的听证范围。"
            )
    if kind in (DocumentKind.PENALTY_DECISION, DocumentKind.ON_SPOT_DECISION) and case.fine_amount:
        served = case.served_on if kind == DocumentKind.PENALTY_DECISION else case.decided_on
        line = (
            f"应缴罚款人民币{yuan(case.fine_amount)}元，自收到本决定书之日起十五日内缴纳"
            "（《中华人民共和国行政处罚法》第六十七条）"
        )
        if served:
            due = penalties.payment_deadline(served).due
            line += f"，即{core_documents.chinese_date(due)}前"
        notes.append(
            line + "；申请行政复议的期限为六十日（《中华人民共和国行政复议法》第二十条），"
            "提起行政诉讼的期限为六个月（《中华人民共和国行政诉讼法》第四十六条）。"
        )
    return notes


def template_for(case: Case, kind: str) -> DocumentTemplate:
    template = (
        DocumentTemplate.objects.filter(Q(agency_id=case.agency_id) | Q(agency=None), kind=kind)
        .order_by(F("agency_id").asc(nulls_last=True))  # the agency's own version first
        .first()
    )
    if template is None:
        raise ValidationError(
            f"尚无“{DocumentKind(kind).label}”的文书模板，请由办公室在“文书样本”中添加后再出具。"
        )
    return template


def template_version(template: DocumentTemplate) -> str:
    content = "\x1f".join((template.title, template.body, template.rights_statement))
    return hashlib.sha256(content.encode()).hexdigest()


def _review_citation(case: Case, kind: str) -> str:
    """The decision cites its legal review and collective discussion, if any."""
    if kind not in DECISION_KINDS:
        return ""
    from zhifa.review.selectors import decision_citation

    return decision_citation(case)


DECISION_KINDS = {
    DocumentKind.PENALTY_DECISION,
    DocumentKind.NO_PENALTY_DECISION,
    DocumentKind.LICENCE_GRANT,
    DocumentKind.LICENCE_REFUSAL,
}


def compose(
    case: Case, template: DocumentTemplate, values: dict[str, str], *, number: str, on: dt.date
) -> core_documents.OfficialDocument:
    """The OfficialDocument: the template filled in, its 版头 and 落款 lines left to the
    renderer (issuer, title, number, signature, date), the addressee as 主送."""
    filled = template.render({**values, "文书标题": template.title})
    filled = PLACEHOLDER_RE.sub(BLANK, filled)  # nothing unfilled reaches the party
    issuer = case.agency.name
    head = {issuer, template.title, number, ""}
    lines = [line.strip() for line in filled.split("\n")]
    while lines and lines[0] in head:
        lines.pop(0)
    tail = {issuer, f"{issuer}（专用印章）", values["日期"], ""}
    while lines and lines[-1] in tail:
        lines.pop()
    recipient = ""
    if lines and lines[0] == f"{case.party.name}：":
        recipient = lines.pop(0)
    citation = _review_citation(case, template.kind)
    if citation:  # before the decision itself (处罚法 arts. 57, 58)
        at = next((i for i, line in enumerate(lines) if "本机关决定" in line), len(lines))
        lines.insert(at, citation)
    lines += _rights_notes(case, template.kind)
    return core_documents.OfficialDocument(
        issuer=issuer,
        title=template.title,
        number=number,
        recipient=recipient,
        body=tuple(line for line in lines if line),
        date=on,
    )


# --- the service ---------------------------------------------------------------------------


def _number_for(case: Case, kind: str, rule: Issuable, on: dt.date) -> str:
    if rule.number == CASE_NUMBER:
        return case.number
    if rule.number == DECISION_NUMBER:
        return case.decision_number
    if rule.number == SERIES:
        pattern = NumberingPattern.objects.filter(agency_id=case.agency_id, kind=kind).first()
        if pattern is not None:
            return pattern.issue(on=on)
    return ""


def _store(data: bytes):
    from zhifa.ledger import blobs

    return blobs.store(io.BytesIO(data))


def document_issue(*, acting_user, case: Case, kind: str) -> IssuedDocument:
    """Issue a document of `kind` in `case` now: number, text, PDF + DOCX blobs, ledger
    events, all in one transaction (a failure leaves no number, row or event behind)."""
    from zhifa.ledger import blobs

    if kind not in DocumentKind.values:
        raise ValidationError({"kind": "未知的文书种类，请从可出具的文书中选择。"})
    on = _today()
    with transaction.atomic():
        case = _lock(acting_user, case)
        case = Case.objects.select_related("agency", "party", "flow", "item_version").get(
            pk=case.pk
        )
        if not can_issue(acting_user, case):
            _staff(acting_user)
            raise PermissionDenied("只有本案承办人、当前环节的办理人员或负责人可以出具文书。")
        rule = ISSUABLE.get(kind)
        issued = set(case.documents.values_list("kind", flat=True))
        refusal = _refusal(case, kind, rule, issued)
        if refusal:
            raise ValidationError({"kind": refusal})
        assert rule is not None
        template = template_for(case, kind)
        number = _number_for(case, kind, rule, on)
        if number and IssuedDocument.objects.filter(agency=case.agency, number=number).exists():
            raise ValidationError(
                {
                    "kind": f"文书编号“{number}”已被本机关其他文书使用，请检查“文书编号格式”是否"
                    "有两种文书共用同一格式。"
                }
            )
        values = context_for(case, kind, number=number, user=acting_user, on=on)
        official = compose(case, template, values, number=number, on=on)
        pdf = core_documents.render_pdf(official)
        docx = core_documents.render_docx(official)
        stored_pdf, stored_docx = _store(pdf), _store(docx)
        document = IssuedDocument(
            agency=case.agency,
            case=case,
            kind=kind,
            number=number,
            title=template.title,
            step=case.step,
            pdf_sha256=stored_pdf.sha256,
            docx_sha256=stored_docx.sha256,
            pdf_size=stored_pdf.size,
            docx_size=stored_docx.size,
            template=template,
            template_version=template_version(template),
            context={**values, "正文": list(official.body), "主送": official.recipient},
            issued_by=acting_user,
        )
        document.full_clean(exclude=["agency", "case", "template", "issued_by"])
        document.save()
        extra = {"category": "document", "document": document.pk, "document_kind": kind}
        for stored, ext, content_type in (
            (stored_pdf, "pdf", core_documents.PDF_CONTENT_TYPE),
            (stored_docx, "docx", core_documents.DOCX_CONTENT_TYPE),
        ):
            blobs.add_evidence(
                stored,
                actor=acting_user,
                subject=case,
                filename=document.filename(ext),
                content_type=content_type,
                step=case.step,
                extra={**extra, "number": number},
            )
        ledger.record(
            "document.issued",
            case,
            acting_user,
            {
                "case": case.pk,
                "case_number": case.number,
                "document": document.pk,
                "kind": kind,
                "title": document.title,
                "number": number,
                "step": case.step,
                "pdf_sha256": stored_pdf.sha256,
                "docx_sha256": stored_docx.sha256,
                "pdf_size": stored_pdf.size,
                "docx_size": stored_docx.size,
                "template": template.pk,
                "template_version": document.template_version,
            },
        )
    return document


def document_list(*, case: Case):
    return case.documents.select_related("issued_by__staff").order_by("issued_at", "pk")
