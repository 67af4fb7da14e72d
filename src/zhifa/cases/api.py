"""Authenticated cases API (`/api/v1/cases/...`): list, read, register, move cases and issue
their documents, with the same scope and service checks as the pages.

Session-cookie authentication (django-ninja `django_auth`; unsafe methods need the CSRF
token). Errors: a service's ValidationError is 400 with ``{"detail": ..., "errors": {...}}``
in Chinese, PermissionDenied 403, a case outside the caller's agency 404, no login 401.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from zhifa import ledger
from zhifa.cases import documents, permissions, selectors, services
from zhifa.cases.models import Case, CaseKind, CaseStatus, IssuedDocument, PartyKind
from zhifa.catalog.models import DocumentKind, ItemKind

router = Router(tags=["案件办理"], auth=django_auth)

MAX_PAGE_SIZE = 100


# --- schemas -------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class PartyOut(Schema):
    id: int
    kind: str
    name: str


class CaseSummary(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    procedure: str
    title: str
    status: str
    status_label: str
    step: str
    step_name: str
    party: PartyOut
    registered_on: dt.date
    decision_number: str


class CasePage(Schema):
    count: int
    page: int
    pages: int
    results: list[CaseSummary]


class ClockOut(Schema):
    key: str
    label: str
    start: dt.date
    due: dt.date
    days: int
    unit: str
    state: str
    remaining: int
    basis: str


class ActionOut(Schema):
    key: str
    title: str


class MoveOut(Schema):
    to_step: str
    name: str
    label: str


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    number: str
    issued_at: dt.datetime
    pdf_sha256: str
    docx_sha256: str
    pdf_url: str
    docx_url: str


class KindOut(Schema):
    kind: str
    label: str


class CaseDetail(CaseSummary):
    item_version_id: int
    item_name: str
    item_version: int
    facts: str
    source: str
    outcome: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    served_on: dt.date | None
    penalty_types: list[str]
    fine_amount: int
    fine_yuan: str
    handlers: list[str]
    clocks: list[ClockOut]
    actions: list[ActionOut]
    advance_to: list[MoveOut]
    documents: list[DocumentOut]
    issuable_documents: list[KindOut]


class CaseFilters(Schema):
    status: str = ""
    kind: str = ""
    q: str = ""
    page: int = 1
    page_size: int = 20


class NewParty(Schema):
    kind: PartyKind
    name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    phone: str = ""
    address: str = ""
    is_minor: bool = False


class ClueIn(Schema):
    item_version_id: int
    party_id: int | None = None
    party: NewParty | None = None
    title: str
    facts: str = ""
    source: str = ""
    # 追责时效 (处罚法 art. 36): optional here, required before 立案.
    violation_on: dt.date | None = None
    violation_continuing: bool = False
    violation_ended_on: dt.date | None = None
    harms_safety: bool = False


class AdvanceIn(Schema):
    to_step: str
    reason: str = ""


class IssueIn(Schema):
    kind: DocumentKind


# --- helpers -------------------------------------------------------------------------------


def _errors(error: ValidationError) -> dict:
    if hasattr(error, "error_dict"):
        fields = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
        messages = [m for v in fields.values() for m in v]
    else:
        fields, messages = {}, [str(m) for m in error.messages]
    return {"detail": "；".join(messages) or "提交的内容有误。", "errors": fields}


def _call(fn: Callable[[], Any]) -> Any:
    """Run a service; map its refusals to the API's error shapes."""
    try:
        return fn()
    except ValidationError as error:
        return Status(400, _errors(error))
    except PermissionDenied as error:
        return Status(403, {"detail": str(error) or "您没有执行此操作的权限。", "errors": {}})


def _not_found() -> Status:
    return Status(404, {"detail": "未找到该案件，或您无权查看。", "errors": {}})


def _forbidden() -> Status:
    return Status(403, {"detail": "您没有执行此操作的权限。", "errors": {}})


def _case(request: HttpRequest, case_id: int) -> Case | None:
    try:
        return selectors.case_get(user=request.user, pk=case_id)
    except Case.DoesNotExist:
        return None


def _summary(case: Case, names: dict) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "kind": case.kind,
        "kind_label": case.get_kind_display(),
        "procedure": case.procedure,
        "title": case.title,
        "status": case.status,
        "status_label": case.get_status_display(),
        "step": case.step,
        "step_name": names.get((case.flow_id, case.step), case.step),
        "party": {"id": case.party_id, "kind": case.party.kind, "name": case.party.name},
        "registered_on": case.registered_on,
        "decision_number": case.decision_number,
    }


def _document(doc: IssuedDocument) -> dict:
    def url(fmt: str) -> str:
        return reverse("cases:document_download", args=[doc.case_id, doc.pk, fmt])

    return {
        "id": doc.pk,
        "kind": doc.kind,
        "title": doc.title,
        "number": doc.number,
        "issued_at": doc.issued_at,
        "pdf_sha256": doc.pdf_sha256,
        "docx_sha256": doc.docx_sha256,
        "pdf_url": url("pdf"),
        "docx_url": url("docx"),
    }


def _detail(request: HttpRequest, case: Case) -> dict:
    from zhifa.cases.views import ACTIONS

    case = selectors.case_get(user=request.user, pk=case.pk)  # fresh, after any change
    names = selectors.step_names({case.flow_id})
    today = timezone.localdate()
    available = selectors.available_actions(user=request.user, case=case)
    actions = [
        {"key": key, "title": ACTIONS[key].title}
        for key in available.actions
        if key in ACTIONS and ACTIONS[key].rule(request.user)
    ]
    moves = [
        {"to_step": t.target.code, "name": t.target.name, "label": t.label}
        for t in available.advance_to
    ]
    may_issue = documents.can_issue(request.user, case)
    return {
        **_summary(case, names),
        "item_version_id": case.item_version_id,
        "item_name": case.item_version.name,
        "item_version": case.item_version.number,
        "facts": case.facts,
        "source": case.source,
        "outcome": case.outcome,
        "filed_on": case.filed_on,
        "decided_on": case.decided_on,
        "served_on": case.served_on,
        "penalty_types": case.penalty_types,
        "fine_amount": case.fine_amount,
        "fine_yuan": documents.yuan(case.fine_amount),
        "handlers": [h.real_name for h in case.handlers.all()],
        "clocks": [
            {
                "key": v.clock.key,
                "label": v.clock.label,
                "start": v.clock.start,
                "due": v.clock.due,
                "days": v.clock.days,
                "unit": v.clock.unit,
                "state": v.state,
                "remaining": v.remaining,
                "basis": v.clock.basis,
            }
            for v in selectors.clock_views(case, today=today)
        ],
        "actions": actions,
        "advance_to": moves,
        "documents": [_document(d) for d in documents.document_list(case=case)],
        "issuable_documents": [
            {"kind": k, "label": label}
            for k, label in (documents.issuable_kinds(case) if may_issue else [])
        ],
    }


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# --- endpoints -----------------------------------------------------------------------------


@router.get("/", response={200: CasePage, 403: ErrorOut}, summary="案件列表（本机关，可筛选）")
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    if not permissions.can_view_cases(request.user):
        return _forbidden()
    status = filters.status if filters.status in CaseStatus.values else ""
    kind = filters.kind if filters.kind in CaseKind.values else ""
    cases = selectors.case_list(user=request.user, status=status, kind=kind, query=filters.q)
    size = min(max(filters.page_size, 1), MAX_PAGE_SIZE)
    count = cases.count()
    pages = max(1, -(-count // size))
    page = min(max(filters.page, 1), pages)
    rows = list(cases[(page - 1) * size : page * size])
    names = selectors.step_names({c.flow_id for c in rows})
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "results": [_summary(c, names) for c in rows],
    }


@router.get("/{case_id}", response={200: CaseDetail, **ERRORS}, summary="案件详情")
def case_detail(request: HttpRequest, case_id: int):
    if not permissions.can_view_cases(request.user):
        return _forbidden()
    case = _case(request, case_id)
    if case is None:
        return _not_found()
    with transaction.atomic():
        ledger.record_view(request.user, case, what="接口查看案件")
    return _detail(request, case)


@router.post("/", response={201: CaseDetail, **ERRORS}, summary="登记案件线索（行政处罚）")
def case_create(request: HttpRequest, data: ClueIn):
    if not permissions.can_register_clue(request.user):
        return _forbidden()
    version = (
        selectors.item_version_options(user=request.user, kind=ItemKind.PENALTY)
        .filter(pk=data.item_version_id)
        .first()
    )
    if version is None:
        message = "请选择本机关已批准的行政处罚事项。"
        return Status(400, {"detail": message, "errors": {"item_version_id": [message]}})
    if (data.party_id is None) == (data.party is None):
        message = "请提供已登记当事人的编号（party_id），或填写新当事人信息（party），二者选一。"
        return Status(400, {"detail": message, "errors": {"party": [message]}})

    def create():
        with transaction.atomic():
            if data.party_id is not None:
                party = selectors.party_options(user=request.user).filter(pk=data.party_id).first()
                if party is None:
                    raise ValidationError({"party_id": "未找到该当事人，请先登记当事人。"})
            else:
                party = services.party_create(acting_user=request.user, **data.party.dict())
            case = services.case_register(
                acting_user=request.user,
                item_version=version,
                party=party,
                title=data.title,
                source=data.source,
                facts=data.facts,
                violation_on=data.violation_on,
                violation_continuing=data.violation_continuing,
                violation_ended_on=data.violation_ended_on,
                harms_safety=data.harms_safety,
            )
        return Status(201, _detail(request, case))

    return _call(create)


@router.post("/{case_id}/advance", response={200: CaseDetail, **ERRORS}, summary="案件转到下一环节")
def case_advance(request: HttpRequest, case_id: int, data: AdvanceIn):
    if not permissions.can_advance(request.user):
        return _forbidden()
    case = _case(request, case_id)
    if case is None:
        return _not_found()

    def advance():
        moved = services.case_advance(
            acting_user=request.user, case=case, to_step=data.to_step, reason=data.reason
        )
        return _detail(request, moved)

    return _call(advance)


@router.post("/{case_id}/documents", response={201: DocumentOut, **ERRORS}, summary="出具文书")
def document_issue(request: HttpRequest, case_id: int, data: IssueIn):
    case = _case(request, case_id)
    if case is None:
        return _not_found()

    def issue():
        doc = documents.document_issue(acting_user=request.user, case=case, kind=data.kind)
        return Status(201, _document(doc))

    return _call(issue)
